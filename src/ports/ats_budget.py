"""What the processes of one deployment share about an ATS account: its rate allowance and its token.

An ATS allows each account so many calls per window; N processes each keeping their own count spend N
times that. An ATS client asks an `AtsBudget` before every call (exports, marked priority, go before
background reads by a reserve of the window) and tells it what the answers said; an `AtsTokenStore` keeps
the access token minted by one process for the others. Keys are the client's own (an ATS name and
account). ATS-neutral: one ATS's client uses them today, any other's can tomorrow.

Errors: implementations raise the unit-of-work port's `StorageError` (the database is unavailable).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Observation:
    """What an answer said about the allowance."""

    limit: int | None
    remaining: int | None
    reset_at: datetime | None


class AtsBudget(Protocol):
    """A rate allowance per key, shared by every process."""

    async def take(
        self,
        key: str,
        *,
        want: int,
        priority: bool,
        reserve: float,
        now: datetime,
        observed: Observation | None = None,
    ) -> tuple[int, datetime | None, float]:
        """Spend up to `want` calls: (calls granted, when they lapse, seconds to wait when none).

        Background calls (not `priority`) leave `reserve` (a share of the window) to priority calls and
        wait while a priority call waits. `observed`, what the caller's last answer said, is taken
        first (within a window the allowance only ever goes down).
        """
        ...

    async def block(self, key: str, *, until: datetime) -> None:
        """Hold every call of the key until `until` (the ATS answered 429)."""
        ...


class AtsTokenStore(Protocol):
    """Access tokens per key, shared by every process (stored encrypted)."""

    async def load(self, key: str, *, now: datetime) -> tuple[str, datetime] | None:
        """The stored token and its expiry, if one is stored and not expired at `now`."""
        ...

    async def save(self, key: str, value: str, expires_at: datetime) -> None:
        """Store a newly minted token."""
        ...

    async def discard(self, key: str, value: str) -> None:
        """Forget a token the ATS refused (only if it is still the stored one)."""
        ...
