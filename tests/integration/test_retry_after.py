"""The one `Retry-After` reader that the Harvest client and the Intrro platform share."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intrro_gateway.adapters.retry_after import WEEK_S, parse_retry_after

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("", None),
        ("   ", None),
        ("0", 0.0),
        ("  7 ", 7.0),
        ("1.5", 1.5),
        ("soon", None),
        ("-3", None),
        ("nan", None),
        ("inf", None),
        ("Tue, 24 Nov 2026 04:00:00 GMT", 0.0),
        ("Tue, 24 Nov 2026 12:00:30 GMT", 30.0),
        ("99999999999999999999", WEEK_S),
    ],
)
def test_retry_after_values_are_read_or_ignored(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header, NOW) == expected


@given(st.floats(min_value=0, max_value=86_400))
def test_retry_after_in_seconds_is_read_as_seconds(seconds: float) -> None:
    assert parse_retry_after(repr(seconds), NOW) == seconds


@given(st.integers(min_value=0, max_value=86_400))
def test_retry_after_as_an_epoch_is_read_as_the_time_until_then(delay: int) -> None:
    epoch = str(int(NOW.timestamp()) + delay)
    assert parse_retry_after(epoch, NOW) == delay


@given(st.integers(min_value=-3600, max_value=86_400))
def test_retry_after_as_an_http_date_is_read_as_the_time_until_then_never_negative(
    delay: int,
) -> None:
    value = format_datetime(NOW + timedelta(seconds=delay), usegmt=True)
    assert parse_retry_after(value, NOW) == max(0, delay)


@given(st.integers(min_value=int(WEEK_S), max_value=999_999_999))
def test_a_delay_beyond_the_limit_is_read_as_the_limit(seconds: int) -> None:
    assert parse_retry_after(str(seconds), NOW) == WEEK_S
    assert parse_retry_after(str(seconds), NOW, limit=60.0) == 60.0


@given(st.text(max_size=40), st.sampled_from([60.0, WEEK_S, math.inf]))
def test_any_retry_after_header_is_read_without_raising_and_within_the_limit(
    header: str, limit: float
) -> None:
    seconds = parse_retry_after(header, NOW, limit=limit)
    assert seconds is None or 0 <= seconds <= limit
