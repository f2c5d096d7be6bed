"""The one test clock (settable, and a sleep that moves it) and deterministic ids and secrets."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


class FakeClock:
    """A clock that stands still until told to move."""

    def __init__(self, start: datetime = START) -> None:
        self.current = start
        self.slept: list[float] = []

    def now(self) -> datetime:
        """The time the test set."""
        return self.current

    def set(self, when: datetime) -> None:
        """Jump to a time."""
        self.current = when

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        """Move forward by `delta` (or by `timedelta(**kwargs)`); returns the new time."""
        self.current += delta if delta is not None else timedelta(**kwargs)
        return self.current

    async def sleep(self, seconds: float) -> None:
        """A sleep that takes no time: it records the wait and moves the clock by it."""
        self.slept.append(seconds)
        self.current += timedelta(seconds=seconds)


class FakeIds:
    """Ids `id-0001`, `id-0002`, … and secrets that are just as predictable."""

    def __init__(self, prefix: str = "id") -> None:
        self.prefix = prefix
        self.count = 0
        self.secrets = 0

    def new_id(self) -> str:
        """The next id."""
        self.count += 1
        return f"{self.prefix}-{self.count:04d}"

    def new_secret(self, kind: str) -> str:
        """`whsec_<base64>` for `intrro`, otherwise a URL-safe string; different on every call."""
        self.secrets += 1
        raw = f"{kind}-secret-{self.secrets:04d}".encode().ljust(32, b"0")
        if kind == "intrro":
            return "whsec_" + base64.b64encode(raw).decode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")
