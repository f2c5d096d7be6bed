"""The Python control API: what a recruiter or an admin does in Lever's UI, each firing its web hooks."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from intrro_gateway.sandboxes._common.control import WebhookControls
from intrro_gateway.sandboxes.lever import _contacts as contacts
from intrro_gateway.sandboxes.lever import _opportunities as ops
from intrro_gateway.sandboxes.lever._faults import Fault
from intrro_gateway.sandboxes.lever._webhooks import (
    Delivery,
    DeliveryOptions,
    FiredEvent,
    Webhook,
    WebhookDispatcher,
)
from intrro_gateway.sandboxes.lever.errors import InvalidStateError, UnknownRecordError
from intrro_gateway.sandboxes.lever.state import ApiKey, SandboxState

ArchiveKind = Literal["rejected", "withdrawn"]
GATEWAY_EVENTS: tuple[str, ...] = (
    "applicationCreated",
    "candidateStageChange",
    "candidateArchiveChange",
    "candidateHired",
    "candidateDeleted",
    "contactUpdated",
)
ARCHIVE_KIND_REASONS: dict[str, str] = {"rejected": "Underqualified", "withdrawn": "Withdrew"}


class SandboxControl(WebhookControls[SandboxState, DeliveryOptions, FiredEvent, Delivery]):
    """Drives a `SandboxState` like a Lever user would; every action returns the event ids it fired
    (the body `id` of each delivery)."""

    # -- web hooks ---------------------------------------------------------------------------

    @property
    def webhooks(self) -> WebhookDispatcher:
        """The sandbox's web hook dispatcher."""
        return self.state.webhooks

    def register_webhooks(
        self,
        url: str,
        events: Iterable[str] = GATEWAY_EVENTS,
        origins: Iterable[str] | None = None,
    ) -> dict[str, Webhook]:
        """Configure one hook per event to `url`, as an admin does in Settings (each with its own
        signature token: `hook.signature_token`)."""
        chosen = tuple(origins) if origins is not None else None
        return {
            event: self.state.webhooks.register(
                self.state.new_id(), event, url, chosen, self.state.clock.stamp()
            )
            for event in events
        }

    def ping(self, event: str | None = None) -> list[str]:
        """A test delivery (empty `data`) to every registered hook, or to those of one event."""
        return self.state.webhooks.ping(event, self.state.clock.stamp())

    def redeliver(self, event_id: str, *, delay_s: float = 0.0) -> None:
        """Deliver a fired event's very body again (a retry or a duplicate, as Lever may send)."""
        if not self.state.webhooks.redeliver(event_id, delay_s):
            raise UnknownRecordError("delivered event", event_id)

    # -- the pipeline --------------------------------------------------------------------------

    def move(
        self,
        opportunity_id: str,
        stage_id: str | None = None,
        *,
        options: DeliveryOptions | None = None,
    ) -> list[str]:
        """Move to a stage (None: the next one): `candidateStageChange`."""
        opportunity = self.state.get("opportunities", opportunity_id)
        target = stage_id if stage_id is not None else ops.next_stage(self.state, opportunity)
        if target == opportunity["stage"]:
            raise InvalidStateError("the opportunity is already on that stage")
        _, event_ids = ops.change_stage(
            self.state, opportunity_id, target, self.state.seed.admin_user_id, options
        )
        return event_ids

    def archive(
        self,
        opportunity_id: str,
        reason_id: str | None = None,
        *,
        kind: ArchiveKind = "rejected",
        options: DeliveryOptions | None = None,
    ) -> list[str]:
        """Archive with a reason (default by kind: `rejected` "Underqualified", `withdrawn`
        "Withdrew"): `candidateArchiveChange` (and `candidateHired` for a hired reason)."""
        if reason_id is None:
            reason_id = self._reason_named(ARCHIVE_KIND_REASONS[kind])
        return self._archive(opportunity_id, reason_id, options)

    def unarchive(
        self, opportunity_id: str, *, options: DeliveryOptions | None = None
    ) -> list[str]:
        """Unarchive: `candidateArchiveChange` with `toArchived: null`."""
        if self.state.get("opportunities", opportunity_id)["archived"] is None:
            raise InvalidStateError("the opportunity is not archived")
        return self._archive(opportunity_id, None, options)

    def hire(self, opportunity_id: str, *, options: DeliveryOptions | None = None) -> list[str]:
        """Archive as Hired: `candidateArchiveChange`, then `candidateHired`."""
        hired = [r for r in self.state.tables["archive_reasons"].values() if r["type"] == "hired"]
        if not hired:
            raise InvalidStateError("the account has no archive reason of type hired")
        return self._archive(opportunity_id, str(hired[0]["id"]), options)

    def delete(self, opportunity_id: str, *, options: DeliveryOptions | None = None) -> list[str]:
        """Delete the opportunity: `candidateDeleted`."""
        return ops.delete_opportunity(
            self.state, opportunity_id, self.state.seed.admin_user_id, options
        )

    # -- people ---------------------------------------------------------------------------------

    def edit_contact(
        self, contact_id: str, *, options: DeliveryOptions | None = None, **fields: Any
    ) -> list[str]:
        """Edit the person's shared fields (`name`, `headline`, `location`, `emails`, `phones` as
        `PUT /contacts/:id` takes them), as a recruiter does on the profile: `contactUpdated`."""
        unknown = set(fields) - set(contacts.CONTACT_FIELDS)
        if unknown:
            raise InvalidStateError(f"a contact has no field {sorted(unknown)}")
        _, event_ids = contacts.update_contact(self.state, contact_id, fields, options)
        return event_ids

    def delete_contact(
        self, contact_id: str, *, options: DeliveryOptions | None = None
    ) -> list[str]:
        """Delete the person with every opportunity: `candidateDeleted` for each."""
        return contacts.delete_contact(
            self.state, contact_id, self.state.seed.admin_user_id, options
        )

    # -- the account ---------------------------------------------------------------------------

    def add_api_key(
        self, key: str, permissions: Iterable[str] | None = None, *, confidential: bool = True
    ) -> ApiKey:
        """A new API key with these endpoint permissions (all by default), with or without access to
        confidential data."""
        return self.state.add_api_key(key, permissions, confidential=confidential)

    def add_fault(self, fault: Fault) -> None:
        """Fail (or slow down) the next matching API requests."""
        self.state.faults.append(fault)

    def _reason_named(self, text: str) -> str:
        for reason in self.state.tables["archive_reasons"].values():
            if reason["text"] == text and reason["status"] == "active":
                return str(reason["id"])
        raise InvalidStateError(f"the account has no active archive reason {text!r}")

    def _archive(
        self, opportunity_id: str, reason_id: str | None, options: DeliveryOptions | None
    ) -> list[str]:
        opportunity = self.state.get("opportunities", opportunity_id)
        current = opportunity["archived"]
        if reason_id is not None and current is not None and current["reason"] == reason_id:
            raise InvalidStateError("the opportunity is already archived with that reason")
        _, event_ids = ops.set_archived(
            self.state, opportunity_id, reason_id, self.state.seed.admin_user_id, options
        )
        return event_ids
