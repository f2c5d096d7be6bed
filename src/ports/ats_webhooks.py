"""The ATS web hook port: a raw delivery in, ATS-neutral signals out.

Errors:

    WebhookError
    └── MalformedWebhookError   the body is not JSON, has no action, or a payload breaks its shape
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from intrro_gateway.domain.signals import AtsSignal


class WebhookError(Exception):
    """Base of every error a web hook translator raises."""


class MalformedWebhookError(WebhookError):
    """Raised when a delivery cannot be read: not JSON, no action, or a payload of the wrong shape."""


PING_KIND = "ping"  # the inbox kind of an ATS's ping, whatever the ATS calls it


@dataclass(frozen=True, slots=True)
class JobsTouched:
    """Jobs a web hook says changed: re-read these, mark those deleted, or re-import everything."""

    job_ids: tuple[str, ...] = ()
    deleted_job_ids: tuple[str, ...] = ()
    full_resync: bool = False


@dataclass(frozen=True, slots=True)
class Translation:
    """What one delivery means to the gateway."""

    action: str
    signals: tuple[AtsSignal, ...] = ()
    jobs: JobsTouched | None = None
    ping: bool = False
    ignored: bool = False


@dataclass(frozen=True, slots=True)
class WebhookReading:
    """A delivery read once: its action (None when the body is not JSON or names none), its
    translation (None when it cannot be read; `problem` says why)."""

    action: str | None
    translation: Translation | None = None
    problem: str | None = None


class AtsWebhookTranslator(Protocol):
    """Reads an ATS's web hook deliveries."""

    source: str

    def delivery_id(self, headers: Mapping[str, str], body: bytes) -> str:
        """The delivery's id: the ATS's own delivery header, or a hash of the body without one."""
        ...

    def verify(self, headers: Mapping[str, str], body: bytes, secrets: Sequence[str]) -> bool:
        """Whether the delivery is signed with one of the secrets, compared in constant time."""
        ...

    def action_of(self, body: bytes) -> str | None:
        """The delivery's action, if the body is JSON that names one; never raises."""
        ...

    def is_used(self, action: str) -> bool:
        """Whether the gateway acts on this action at all (others are answered as ignored)."""
        ...

    def subscriptions(self) -> Sequence[tuple[str, str]]:
        """The web hooks an admin must create in the ATS: (action, the label the ATS UI shows)."""
        ...

    def translate(self, body: bytes) -> Translation:
        """The signals of a delivery; raises MalformedWebhookError for a body it cannot read."""
        ...

    def read(self, body: bytes) -> WebhookReading:
        """Everything ingress needs of a delivery (action, ping, ignored, signals); never raises.

        This default reads the body twice (`action_of`, `translate`); a translator that can parse it
        once overrides it.
        """
        action = self.action_of(body)
        if action is None:
            return WebhookReading(action=None, problem="the body is not JSON or names no action")
        try:
            return WebhookReading(action=action, translation=self.translate(body))
        except MalformedWebhookError as exc:
            return WebhookReading(action=action, problem=str(exc))
