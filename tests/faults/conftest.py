"""The fault scenarios' seed. Each module is marked `faults` and `postgres` (real processes on
PostgreSQL): `pytest -m "not faults"` leaves the suite out while developing; CI runs it.

Each scenario's seed and oracle line are repeated in a section of the run's closing summary, so a CI
log shows them without `-s`."""

from __future__ import annotations

import os
import random
import time

import pytest

_SHOWN = ("seed: ", "oracle: ", "] seed=")
_FOUND: list[tuple[str, list[str]]] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Keep the seed and oracle lines a fault scenario printed, for the closing summary."""
    if report.when != "call" or "tests/faults/" not in report.nodeid.replace("\\", "/"):
        return
    lines = [line for line in report.capstdout.splitlines() if any(m in line for m in _SHOWN)]
    if lines:
        _FOUND.append((f"{report.nodeid} ({report.outcome})", lines))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print each fault scenario's seed and oracle line."""
    if not _FOUND:
        return
    terminalreporter.section("fault scenarios: seeds and oracle lines")
    for name, lines in _FOUND:
        terminalreporter.write_line(name)
        for line in lines:
            terminalreporter.write_line(f"    {line}")


@pytest.fixture
def seed() -> int:
    """The scenario's random seed: GATEWAY_FAULTS_SEED to replay one, else a new one (printed)."""
    chosen = int(os.environ.get("GATEWAY_FAULTS_SEED") or time.time_ns() % 1_000_000)
    print(f"seed: {chosen} (replay with GATEWAY_FAULTS_SEED={chosen})")
    return chosen


@pytest.fixture
def rng(seed: int) -> random.Random:
    """A generator seeded with the scenario's seed."""
    return random.Random(seed)
