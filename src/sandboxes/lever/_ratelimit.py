"""Lever's documented rate limit: a token bucket per API key (10 requests/s steady, bursts of 20)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class RateLimit:
    """A bucket refilled at `rate_per_s` tokens a second, holding at most `burst`."""

    rate_per_s: float = 10.0
    burst: int = 20


@dataclass
class _Bucket:
    tokens: float
    at: float


@dataclass
class RateLimiter:
    """One bucket per API key; a request takes a token or is refused."""

    _buckets: dict[str, _Bucket] = field(default_factory=dict)

    def allow(self, key: str, rule: RateLimit, now: float) -> bool:
        """Take one token for `key` at `now` (epoch seconds); False when the bucket is empty."""
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(float(rule.burst), now)
        elapsed = max(now - bucket.at, 0.0)
        bucket.tokens = min(float(rule.burst), bucket.tokens + elapsed * rule.rate_per_s)
        bucket.at = now
        if bucket.tokens < 1.0:
            return False
        bucket.tokens -= 1.0
        return True

    def reset(self) -> None:
        """Refill every bucket."""
        self._buckets.clear()
