"""The system clock and id generator."""

from __future__ import annotations

import base64
from datetime import UTC

from intrro_gateway.adapters.system import SystemClock, UuidIdGenerator


def test_the_system_clock_tells_aware_utc_time() -> None:
    assert SystemClock().now().tzinfo is UTC


def test_ids_are_unique_hex_strings() -> None:
    ids = UuidIdGenerator()

    made = {ids.new_id() for _ in range(1000)}

    assert len(made) == 1000
    assert all(len(i) == 32 and int(i, 16) >= 0 for i in made)


def test_an_intrro_secret_is_a_standard_webhooks_secret_of_24_random_bytes() -> None:
    secret = UuidIdGenerator().new_secret("intrro")

    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 24
    assert secret != UuidIdGenerator().new_secret("intrro")


def test_other_secrets_are_url_safe() -> None:
    secret = UuidIdGenerator().new_secret("ats_webhook")

    assert len(secret) >= 32
    assert set(secret) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
