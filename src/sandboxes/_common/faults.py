"""Random faults: a share (`rate`) of requests, drawn from a seeded generator, meets one of `kinds`.

What each kind does to a request (`429` and `503` refused before it is handled; `500` handled, then
answered 500; `timeout` handled, then answered only after `hold_s` seconds) and which requests it applies
to is each sandbox's own, in its ATS's words.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field

KINDS: tuple[str, ...] = ("429", "500", "503", "timeout")


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
