"""What a recruiter does in the ATS, for the end-to-end stories: the stories call these ATS-neutral
actions and reads, so one story body can run against every bundled ATS sandbox (Greenhouse's here; a
Lever one implements the same protocol).

Ids travel as strings, as in the contract. Every action fires the ATS's web hooks as the real ATS would.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from intrro_gateway.sandboxes.greenhouse import SandboxState

if TYPE_CHECKING:
    from tests.e2e.live import Live


class Recruiter(Protocol):
    """A recruiter's actions and what the ATS holds, ATS-neutral."""

    def advance(self, application_id: str) -> None:
        """Move the application to its job's next interview stage."""

    def hire(self, application_id: str) -> None:
        """Hire the candidate on the application."""

    def unhire(self, application_id: str) -> None:
        """Undo the hire: the application goes back to the stage it was on."""

    def delete_application(self, application_id: str) -> None:
        """Delete one application."""

    def delete_candidate(self, candidate_id: str) -> None:
        """Delete a person with their applications."""

    def merge(self, from_candidate_id: str, into_candidate_id: str) -> None:
        """Merge a person into another, who survives."""

    async def add_person(self, first: str, last: str, email: str, job_id: str) -> tuple[str, str]:
        """Add a person with an application to the job; their candidate and application ids."""

    async def edit_candidate(self, candidate_id: str, **fields: Any) -> None:
        """Change contract fields of a person (`current_title`, `emails`, ...), as in the ATS's UI."""

    def candidate(self, candidate_id: str) -> dict[str, Any] | None:
        """The person's contract fields as the ATS holds them; None when gone."""

    def application_owner(self, application_id: str) -> str | None:
        """The candidate id the application belongs to; None when it is gone."""


class GreenhouseRecruiter:
    """The Greenhouse sandbox, driven through its control API and Harvest v3."""

    def __init__(self, live: Live) -> None:
        self.live = live
        self.control = live.control
        self.state = live.sandbox

    def advance(self, application_id: str) -> None:
        self.control.move(int(application_id))

    def hire(self, application_id: str) -> None:
        self.control.hire(int(application_id))

    def unhire(self, application_id: str) -> None:
        self.control.unhire(int(application_id))

    def delete_application(self, application_id: str) -> None:
        self.control.delete_application(int(application_id))

    def delete_candidate(self, candidate_id: str) -> None:
        self.control.delete_candidate(int(candidate_id))

    def merge(self, from_candidate_id: str, into_candidate_id: str) -> None:
        self.control.merge(int(from_candidate_id), int(into_candidate_id))

    async def add_person(self, first: str, last: str, email: str, job_id: str) -> tuple[str, str]:
        body = {
            "first_name": first,
            "last_name": last,
            "email_addresses": [{"value": email, "type": "personal"}],
            "application": {"job_id": int(job_id)},
        }
        answer = await self._harvest("POST", "/v3/candidates", body)
        return str(answer["candidate"]["id"]), str(answer["application"]["id"])

    async def edit_candidate(self, candidate_id: str, **fields: Any) -> None:
        body: dict[str, Any] = {}
        for name, value in fields.items():
            if name in _SCALARS:
                body[_SCALARS[name]] = value
            elif name in _LISTS:
                key, kind = _LISTS[name]
                body[key] = [{"value": v, **({"type": kind} if kind else {})} for v in value]
            else:
                raise ValueError(f"no Greenhouse field for {name!r}")
        await self._harvest("PATCH", f"/v3/candidates/{candidate_id}", body)

    def candidate(self, candidate_id: str) -> dict[str, Any] | None:
        record = self.state.tables["candidates"].get(int(candidate_id))
        if record is None:
            return None

        def values(key: str) -> list[str]:
            return [str(item["value"]) for item in record.get(key) or []]

        return {
            "first_name": record.get("first_name"),
            "last_name": record.get("last_name"),
            "emails": values("email_addresses"),
            "phones": values("phone_numbers"),
            "social_profiles": values("social_media_addresses"),
            "websites": values("website_addresses"),
            "current_company": record.get("company"),
            "current_title": record.get("title"),
            "location": next(iter(values("addresses")), None),
        }

    def application_owner(self, application_id: str) -> str | None:
        record = self.state.tables["applications"].get(int(application_id))
        return None if record is None else str(record["candidate_id"])

    async def _harvest(self, method: str, path: str, body: Mapping[str, Any]) -> Any:
        """A Harvest v3 call as the connected admin, straight to the sandbox."""
        http = self.live.http
        token = await http.post(
            f"{self.live.sandbox_url}/token",
            auth=(SandboxState.DEFAULT_CLIENT_ID, SandboxState.DEFAULT_CLIENT_SECRET),
            data={"grant_type": "client_credentials", "sub": str(SandboxState.DEFAULT_USER_ID)},
        )
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        answer = await http.request(
            method, f"{self.live.sandbox_url}{path}", json=dict(body), headers=headers
        )
        assert answer.status_code in (200, 201), f"{method} {path}: {answer.text[:300]}"
        return answer.json() if answer.content else None


_SCALARS = {
    "first_name": "first_name",
    "last_name": "last_name",
    "current_company": "company",
    "current_title": "title",
}
_LISTS: Mapping[str, tuple[str, str | None]] = {
    "emails": ("email_addresses", "personal"),
    "phones": ("phone_numbers", "mobile"),
    "websites": ("website_addresses", "personal"),
    "social_profiles": ("social_media_addresses", None),
}
