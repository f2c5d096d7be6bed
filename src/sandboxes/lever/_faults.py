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

from dataclasses import dataclass

from intrro_gateway.sandboxes._common.faults import KINDS as KINDS
from intrro_gateway.sandboxes._common.faults import RandomFaults as RandomFaults


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
