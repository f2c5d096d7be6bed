"""How the demo runs, and how it fails."""

from __future__ import annotations

from dataclasses import dataclass


class DemoFailedError(Exception):
    """Raised when a step of the demo fails: a push the receiver did not get, an unexpected answer."""


@dataclass(frozen=True, slots=True)
class DemoOptions:
    """How the demo runs: `ats` is the ATS whose sandbox it plays against (`greenhouse`, `lever`);
    `wait_s` bounds each wait; `receiver_fail_next` makes the receiver answer that many events with
    503 first (to show retries, or to fail the demo)."""

    ats: str = "greenhouse"
    quiet: bool = False
    wait_s: float = 30.0
    receiver_fail_next: int = 0
