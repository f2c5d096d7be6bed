"""Test-wide configuration: hypothesis profiles (CI runs the domain's property tests at 500+ examples)
and stamina's test mode."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import stamina
from hypothesis import HealthCheck, settings
from stamina.instrumentation import RetryDetails, get_on_retry_hooks, set_on_retry_hooks

pytest_plugins = ["tests.dbfixtures"]

# The adapters' in-call retries (stamina) wait no time in tests, and try as often as the client's
# settings say (`cap`: the settings' count, never more than this).
stamina.set_testing(True, attempts=1000, cap=True)

settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile(
    "ci", max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)


@pytest.fixture
def scheduled_retries() -> Iterator[list[RetryDetails]]:
    """The retries stamina schedules during the test (instead of its log and metric hooks); each
    one's `caused_by` is the adapters' `Retry`, which names the wait a server asked for."""
    seen: list[RetryDetails] = []
    before = get_on_retry_hooks()
    set_on_retry_hooks([seen.append])
    try:
        yield seen
    finally:
        set_on_retry_hooks(before)
