"""Fault options: Lever answering some `/v1` requests with 429, 5xx or too late.

- A one-off `Fault` answers the next `times` matching requests with `status` (after `delay_s`), before
  they are handled; with `applied=True` the request is handled first (a write is applied) and only then
  answered with `status` (or answered normally, late): the client cannot know the outcome.
- `RandomFaults`: a share (`rate`) of requests, drawn from a seeded generator, meets one of `kinds`:
  `429` and `503` refused before they are handled; `500` handled, then answered 500; `timeout` handled,
  then answered only after `hold_s` seconds.
Faults apply after the API key and rate-limit checks, and never to the control API.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field

KINDS: tuple[str, ...] = ("429", "500", "503", "timeout")


@dataclass
class Fault:
    """An injected failure for the next `times` API requests that match."""

    status: int | None = None
    """The status to answer with (429, 500, 503, ...); None answers normally after `delay_s`."""
    delay_s: float = 0.0
    """Seconds to wait before answering (a client with a shorter timeout sees a timeout)."""
    method: str | None = None
    path: str | None = None
    """Only requests with this method / exact path (e.g. `/v1/opportunities`), when given."""
    times: int = 1
    applied: bool = False
    """Handle the request first (a write is applied), then answer late or with `status`."""

    def matches(self, method: str, path: str) -> bool:
        """Whether a request is one this fault applies to."""
        return (self.method is None or self.method == method) and (
            self.path is None or self.path == path
        )


@dataclass
class RandomFaults:
    """A share of requests fails in one of `kinds`; `injected` counts what was injected, by kind."""

    rate: float = 0.0
    kinds: tuple[str, ...] = KINDS
    hold_s: float = 3.0
    rng: random.Random = field(default_factory=random.Random)
    injected: Counter[str] = field(default_factory=Counter)

    def configure(
        self,
        *,
        rate: float | None = None,
        kinds: tuple[str, ...] | None = None,
        hold_s: float | None = None,
        seed: int | None = None,
    ) -> None:
        """Change the random faults (what is not given stays as it is); raises ValueError."""
        if rate is not None:
            if not 0.0 <= rate <= 1.0:
                raise ValueError("rate must be between 0 and 1")
            self.rate = rate
        if kinds is not None:
            if not kinds or set(kinds) - set(KINDS):
                raise ValueError(f"kinds must be some of {', '.join(KINDS)}")
            self.kinds = kinds
        if hold_s is not None:
            if hold_s < 0:
                raise ValueError("hold_s must not be negative")
            self.hold_s = hold_s
        if seed is not None:
            self.rng = random.Random(seed)  # noqa: S311 - fault injection, not a secret

    def draw(self) -> str | None:
        """The fault this request meets, if any."""
        if self.rate <= 0.0 or self.rng.random() >= self.rate:
            return None
        kind = self.rng.choice(self.kinds)
        self.injected[kind] += 1
        return kind
