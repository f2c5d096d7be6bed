"""The Python control API: what a recruiter does in the Greenhouse UI, each firing its web hook."""

from __future__ import annotations

from intrro_gateway.sandboxes._common.control import WebhookControls
from intrro_gateway.sandboxes.greenhouse import _applications, _candidates, _job_ops, _pipeline
from intrro_gateway.sandboxes.greenhouse._pipeline import RejectionKind
from intrro_gateway.sandboxes.greenhouse._webhooks import (
    Delivery,
    DeliveryOptions,
    FiredEvent,
    WebhookDispatcher,
)
from intrro_gateway.sandboxes.greenhouse.state import SandboxState


class SandboxControl(WebhookControls[SandboxState, DeliveryOptions, FiredEvent, Delivery]):
    """Drives a `SandboxState` like a Greenhouse user would; every action returns its event id(s)."""

    @property
    def webhooks(self) -> WebhookDispatcher:
        """The sandbox's web hook dispatcher."""
        return self.state.webhooks

    def configure_webhooks(
        self, url: str, secret: str, options: DeliveryOptions | None = None
    ) -> None:
        """Deliver web hooks to `url` signed with `secret` (and, if given, with these default options)."""
        self.state.webhooks.configure(url, secret)
        if options is not None:
            self.state.webhooks.options = options

    def move(
        self,
        application_id: int,
        to_stage_id: int | None = None,
        *,
        options: DeliveryOptions | None = None,
    ) -> list[str]:
        """Move an application to a job interview stage (None: the next one): `candidate_stage_change`."""
        return _pipeline.move(self.state, application_id, to_stage_id, options)

    def reject(
        self,
        application_id: int,
        kind: RejectionKind = "company",
        *,
        rejection_reason_id: int | None = None,
        options: DeliveryOptions | None = None,
    ) -> list[str]:
        """Reject with a reason of the kind (`company`: we rejected them; `candidate`: they rejected us)."""
        return _pipeline.reject(
            self.state,
            application_id,
            kind,
            rejection_reason_id=rejection_reason_id,
            rejected_by_id=self.state.DEFAULT_USER_ID,
            options=options,
        )

    def unreject(self, application_id: int, *, options: DeliveryOptions | None = None) -> list[str]:
        """Reinstate a rejected application: `unreject_candidate`."""
        return _pipeline.unreject(self.state, application_id, options)

    def hire(self, application_id: int, *, options: DeliveryOptions | None = None) -> list[str]:
        """Hire: `hire_candidate`."""
        return _pipeline.hire(self.state, application_id, options)

    def unhire(self, application_id: int, *, options: DeliveryOptions | None = None) -> list[str]:
        """Undo a hire: `unhire_candidate`."""
        return _pipeline.unhire(self.state, application_id, options)

    def merge(
        self,
        from_candidate_id: int,
        into_candidate_id: int,
        *,
        options: DeliveryOptions | None = None,
    ) -> list[str]:
        """Merge a candidate into another: `merge_candidate` (`person.new_candidate_id` = the winner)."""
        return _candidates.merge_candidates(
            self.state, from_candidate_id, into_candidate_id, options
        )

    def delete_application(
        self, application_id: int, *, options: DeliveryOptions | None = None
    ) -> list[str]:
        """Delete an application: the flat `delete_application`."""
        return _applications.delete_application(self.state, application_id, options)

    def delete_candidate(
        self, candidate_id: int, *, options: DeliveryOptions | None = None
    ) -> list[str]:
        """Delete a candidate and its applications: `delete_candidate`."""
        return _candidates.delete_candidate(self.state, candidate_id, options)

    def close_job(self, job_id: int, *, options: DeliveryOptions | None = None) -> list[str]:
        """Close a job: `job_updated`."""
        return _job_ops.close_job(self.state, job_id, options)

    def reopen_job(self, job_id: int, *, options: DeliveryOptions | None = None) -> list[str]:
        """Reopen a closed job: `job_updated`."""
        return _job_ops.reopen_job(self.state, job_id, options)

    def delete_job(self, job_id: int, *, options: DeliveryOptions | None = None) -> list[str]:
        """Delete a closed job: `job_deleted`."""
        return _job_ops.delete_job(self.state, job_id, options)

    def update_job(
        self, job_id: int, name: str, *, options: DeliveryOptions | None = None
    ) -> list[str]:
        """Rename a job: `job_updated`."""
        return _job_ops.update_job(self.state, job_id, name, options)

    def update_job_post(
        self,
        job_post_id: int,
        *,
        title: str | None = None,
        live: bool | None = None,
        options: DeliveryOptions | None = None,
    ) -> list[str]:
        """Retitle or (un)publish a job post: the flat `job_post_updated`."""
        return _job_ops.update_job_post(
            self.state, job_post_id, title=title, live=live, options=options
        )
