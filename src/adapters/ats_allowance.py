"""The rules of an ATS rate allowance shared by every process (kept by `adapters/sql/budgets.py`).

Pure: an `Allowance` is one key's row; `take` and `block` change it in place. ATS-neutral.

What an ATS says about its window is approximate, and the rules stay on the safe side of it:

- Its windows are fixed and the next one begins with the first call after the current one ends, but
  the end is named in whole epoch seconds (`X-RateLimit-Reset`), so the window may close up to a
  second before the named reset; and a call let go now reaches the ATS a little later (its way there,
  and the two clocks). A call let go in the last `CLOSING` before the named reset may therefore count
  in either window: it is counted in both (`carried` into the next), and the calls handed out before
  that stretch lapse when it begins.
- Answers travel with a process's next take, so they are late: within a window the allowance only
  ever goes down, an answer about a window already over is ignored, and an answer from the next window
  (a later reset) says how much of the next window is already spent.
- Before anything is known, one call at a time goes out to learn the allowance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from intrro_gateway.ports.ats_budget import Observation

__all__ = ["CLOSING", "DEFAULT_WINDOW", "LEARN", "YIELD_S", "Allowance", "block", "take"]

YIELD_S = 0.05  # a background call waiting behind a priority call asks again this often
DEFAULT_WINDOW = timedelta(seconds=30)  # when the allowance is spent and no reset was named
PRIORITY_HOLD = timedelta(seconds=1)  # how long a waiting priority call holds background calls back
# The window may end up to 1 s before the named (whole-second) reset; 1 s more for a call's way to the
# ATS and for the difference between the clocks.
CLOSING = timedelta(seconds=2)
LEARN = timedelta(seconds=1)  # calls handed out while the window's end is unknown lapse this soon


@dataclass(slots=True)
class Allowance:
    """One key's allowance as the processes together know it (the columns of its row)."""

    limit: int | None = None
    remaining: int | None = None  # calls left in the current window
    reset_at: datetime | None = None  # when it ends, as the ATS named it (None: not yet known)
    blocked_until: datetime | None = None  # the ATS answered 429: nothing goes out until then
    priority_until: datetime | None = None  # a priority call waits: background calls hold back
    carried: int = 0  # calls already counted against the next window


def take(
    allowance: Allowance,
    *,
    want: int,
    priority: bool,
    reserve: float,
    now: datetime,
    observed: Observation | None = None,
) -> tuple[int, datetime | None, float]:
    """Take `observed` in, then spend up to `want` calls: (granted, when they lapse, seconds to wait)."""
    _roll(allowance, now)
    if observed is not None:
        _observe(allowance, observed, now)
    return _decide(allowance, want=want, priority=priority, reserve=reserve, now=now)


def block(allowance: Allowance, *, until: datetime) -> None:
    """The ATS answered 429: nothing more until `until`, when a new window begins."""
    allowance.remaining = 0
    allowance.reset_at = until
    if allowance.blocked_until is None or until > allowance.blocked_until:
        allowance.blocked_until = until


def _roll(a: Allowance, now: datetime) -> None:
    """At the named reset a new window begins, less what was already counted against it."""
    if a.reset_at is None or now < a.reset_at:
        return
    a.remaining = None if a.limit is None else max(a.limit - a.carried, 0)
    a.reset_at = None
    a.carried = 0


def _observe(a: Allowance, seen: Observation, now: datetime) -> None:
    if seen.limit is not None:
        a.limit = seen.limit
    if seen.remaining is None:
        return
    reset = seen.reset_at
    if reset is not None and reset <= now:
        return  # about a window already over
    if a.remaining is None:  # the first answer: all there is to know
        a.remaining = seen.remaining
        a.reset_at = reset
        return
    if reset is not None and a.reset_at is not None and reset > a.reset_at:
        # An answer from the next window: that much of it is spent already.
        if a.limit is not None:
            a.carried = max(a.carried, a.limit - seen.remaining)
        return
    a.remaining = min(a.remaining, seen.remaining)
    if reset is not None and (a.reset_at is None or a.blocked_until is None):
        a.reset_at = reset  # the window's end, as named (an assumed one gives way to it)


def _decide(
    a: Allowance, *, want: int, priority: bool, reserve: float, now: datetime
) -> tuple[int, datetime | None, float]:
    if a.blocked_until is not None:
        if now < a.blocked_until:
            if priority:
                a.priority_until = a.blocked_until + PRIORITY_HOLD
            return 0, None, (a.blocked_until - now).total_seconds()
        a.blocked_until = None
    if not priority and a.priority_until is not None and now < a.priority_until:
        return 0, None, YIELD_S
    if a.remaining is None:
        if a.reset_at is not None:  # another call is out learning the allowance
            return 0, None, max((a.reset_at - now).total_seconds(), YIELD_S)
        a.reset_at = now + LEARN
        return 1, now + LEARN, 0.0
    floor = 0 if priority else _reserved(a.limit, reserve)
    available = a.remaining - floor
    closing = a.reset_at is not None and now >= a.reset_at - CLOSING
    if closing:  # these calls may land in the next window: it must have room for them too
        available = min(available, (a.limit or 0) - a.carried - floor)
    if available > 0:
        granted = min(want, available)
        a.remaining -= granted
        if a.reset_at is None:
            return granted, now + LEARN, 0.0
        if closing:
            a.carried += granted
            return granted, a.reset_at, 0.0
        return granted, a.reset_at - CLOSING, 0.0
    if a.reset_at is None:
        a.reset_at = now + DEFAULT_WINDOW
    wait: float = max((a.reset_at - now).total_seconds(), YIELD_S)
    if priority:
        a.priority_until = now + timedelta(seconds=wait) + PRIORITY_HOLD
    return 0, None, wait


def _reserved(limit: int | None, reserve: float) -> int:
    if limit is None or limit <= 1:
        return 0
    return max(1, math.ceil(limit * reserve))
