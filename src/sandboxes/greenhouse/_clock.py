"""The sandbox's clock: wall time plus a test-controlled offset, and strictly increasing stamps."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

_SEED_AGE = timedelta(hours=1)


class SandboxClock:
    """Wall-clock UTC time that tests can move forward, handing out strictly increasing record stamps."""

    def __init__(self) -> None:
        self._offset = timedelta()
        self._last_stamp: datetime | None = None
        self._backdating = False

    def now(self) -> datetime:
        """The sandbox's current time (aware, UTC)."""
        return datetime.now(UTC) + self._offset

    def epoch(self) -> float:
        """The sandbox's current time as seconds since the epoch."""
        return self.now().timestamp()

    def advance(self, seconds: float) -> None:
        """Move the sandbox's time forward (token expiry, rate-limit windows)."""
        self._offset += timedelta(seconds=seconds)

    @contextlib.contextmanager
    def backdated(self) -> Iterator[None]:
        """Stamp the block's changes from an hour ago, 1 ms apart (seeding): hundreds of records
        stamped 1 ms apart from now would run ahead of the wall clock, into the future of later changes."""
        before = self._last_stamp
        self._last_stamp = self.now() - _SEED_AGE
        self._backdating = True
        try:
            yield
        finally:
            self._backdating = False
            if before is not None and before > self._last_stamp:
                self._last_stamp = before  # stamps stay strictly increasing from here on

    def tick(self) -> datetime:
        """A change's time: now, or 1 ms after the previous change when the wall clock has not moved on."""
        wall = self.now()
        now = wall.replace(microsecond=wall.microsecond // 1000 * 1000)
        if self._last_stamp is not None and (self._backdating or now <= self._last_stamp):
            now = self._last_stamp + timedelta(milliseconds=1)
        self._last_stamp = now
        return now

    def stamp(self) -> str:
        """A change's time as Greenhouse writes it: ISO-8601 UTC with milliseconds."""
        return format_stamp(self.tick())


def format_stamp(moment: datetime) -> str:
    """ISO-8601 UTC with milliseconds and a `Z`, as in `2026-05-05T22:36:04.296Z`."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def format_seconds(moment: datetime) -> str:
    """ISO-8601 UTC to the second, as the token endpoint writes `expires_at`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_stamp(text: str) -> datetime:
    """Read an ISO-8601 time with an offset or `Z`; raises ValueError when it is malformed or naive."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"time without an offset: {text!r}")
    return moment.astimezone(UTC)
