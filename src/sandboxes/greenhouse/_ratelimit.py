"""Fixed-window request allowances, one window per (bucket, credential)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class RateLimit:
    """An allowance of `limit` requests per `window_s` seconds."""

    limit: int
    window_s: float


@dataclass(frozen=True, slots=True)
class RateDecision:
    """The outcome of counting one request: allowed or not, and the headers to send."""

    allowed: bool
    limit: int
    remaining: int
    reset_epoch: int
    retry_after_s: int

    def headers(self) -> dict[str, str]:
        """`X-RateLimit-*` headers, plus `Retry-After` (seconds) when refused."""
        headers = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset_epoch),
        }
        if not self.allowed:
            headers["Retry-After"] = str(self.retry_after_s)
        return headers


@dataclass
class _Window:
    started: float
    count: int


@dataclass
class RateLimiter:
    """Counts requests per key in fixed windows that start with the first request of each window."""

    _windows: dict[tuple[str, str], _Window] = field(default_factory=dict)

    def hit(self, bucket: str, key: str, rule: RateLimit, now: float) -> RateDecision:
        """Count one request at `now` (epoch seconds) against `rule`."""
        window = self._windows.get((bucket, key))
        if window is None or now >= window.started + rule.window_s:
            window = _Window(started=now, count=0)
            self._windows[(bucket, key)] = window
        reset = window.started + rule.window_s
        allowed = window.count < rule.limit
        if allowed:
            window.count += 1
        return RateDecision(
            allowed=allowed,
            limit=rule.limit,
            remaining=max(rule.limit - window.count, 0),
            reset_epoch=math.ceil(reset),
            retry_after_s=max(math.ceil(reset - now), 1),
        )

    def reset(self) -> None:
        """Forget every window."""
        self._windows.clear()
