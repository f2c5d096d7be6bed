"""The sandbox's clock: wall time plus a test-controlled offset, handing out strictly increasing
epoch-millisecond stamps (Lever writes every time as Unix epoch milliseconds)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

_SEED_AGE_MS = 3_600_000


class SandboxClock:
    """Wall-clock time that tests can move forward; `stamp()` never repeats or goes backwards."""

    def __init__(self) -> None:
        self._offset_ms = 0
        self._last: int | None = None
        self._backdating = False

    def epoch(self) -> float:
        """The sandbox's current time in seconds since the epoch (rate limits)."""
        return time.time() + self._offset_ms / 1000

    def now_ms(self) -> int:
        """The sandbox's current time in epoch milliseconds (not a stamp: may repeat)."""
        return int(time.time() * 1000) + self._offset_ms

    def advance(self, seconds: float) -> None:
        """Move the sandbox's time forward."""
        self._offset_ms += int(seconds * 1000)

    @contextlib.contextmanager
    def backdated(self) -> Iterator[None]:
        """Stamp the block's changes from an hour ago, 1 ms apart (seeding)."""
        before = self._last
        self._last = self.now_ms() - _SEED_AGE_MS
        self._backdating = True
        try:
            yield
        finally:
            self._backdating = False
            if before is not None and before > self._last:
                self._last = before

    def stamp(self) -> int:
        """A change's time: now, or 1 ms after the previous change when the clock has not moved on."""
        now = self.now_ms()
        if self._last is not None and (self._backdating or now <= self._last):
            now = self._last + 1
        self._last = now
        return now
