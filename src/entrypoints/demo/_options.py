"""How the demo runs, and how it fails."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

# Called with the console's URL and a sign-in token once the story is played; the gateway keeps
# running until it returns (`demo --console` waits for Ctrl-C).
ConsoleHold = Callable[[str, str], Awaitable[None]]


class DemoFailedError(Exception):
    """Raised when a step of the demo fails: a push the receiver did not get, an unexpected answer."""


@dataclass(frozen=True, slots=True)
class DemoOptions:
    """How the demo runs: `ats` is the ATS whose sandbox it plays against (`greenhouse`, `lever`);
    `wait_s` bounds each wait; `receiver_fail_next` makes the receiver answer that many events with
    503 first (to show retries, or to fail the demo); `console`, when given, keeps the gateway running
    after the story with the console open on the demo's tenant."""

    ats: str = "greenhouse"
    quiet: bool = False
    wait_s: float = 30.0
    receiver_fail_next: int = 0
    console: ConsoleHold | None = None
