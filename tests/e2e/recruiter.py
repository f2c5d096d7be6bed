"""What a recruiter does in the ATS, for the end-to-end stories: the stories call these ATS-neutral
actions and reads, so one story body runs against every bundled ATS sandbox (Greenhouse's and
Lever's).

Ids travel as strings, as in the contract. Every action fires the ATS's web hooks as the real ATS would.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from intrro_gateway.sandboxes import lever as lv
from intrro_gateway.sandboxes.greenhouse import SandboxState

if TYPE_CHECKING:
    from tests.e2e.live import Live


class Recruiter(Protocol):
    """A recruiter's actions and what the ATS holds, ATS-neutral."""

    profile_event: str  # the ATS's web hook for an edit of the person
    person_deleted_event: str  # the ATS's web hook (stored delivery kind) for a deleted person
    person_records: int  # the records the ATS keeps a person's fields in (a write each at most)

    def profile_writes(self) -> int:
        """How many writes to a person's fields the ATS received so far."""

    def advance(self, application_id: str) -> None:
        """Move the application to its job's next interview stage."""

    def hire(self, application_id: str) -> None:
        """Hire the candidate on the application."""

    def reject(self, application_id: str) -> None:
        """Reject the application (the company said no)."""

    def reopen(self, application_id: str) -> None:
        """Undo the rejection: the application goes back to the stage it was on."""

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

    profile_event = "update_candidate"
    person_deleted_event = "delete_candidate"
    person_records = 1  # the candidate

    def profile_writes(self) -> int:
        return sum(
            1
            for r in self.state.requests
            if r.method == "PATCH" and r.path.startswith("/v3/candidates/")
        )

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

    def reject(self, application_id: str) -> None:
        self.control.reject(int(application_id), "company")

    def reopen(self, application_id: str) -> None:
        self.control.unreject(int(application_id))

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


# Lever's entry stages (fixed ids): a move among them is no step forward (docs/lever.md, Jobs).
_LEVER_ENTRY_STAGES = frozenset({"lead-new", "lead-reached-out", "lead-responded", "applicant-new"})


class LeverRecruiter:
    """The Lever sandbox, driven through its control API and the `/v1` Data API.

    A candidate is a Lever contact, an application an opportunity. Lever keeps one free-text
    headline (`Title at Company`) and one list of links per opportunity: the contract's title and
    company are read from the headline, social profiles (LinkedIn here) and websites from the links
    of all the person's opportunities.
    """

    profile_event = "contactUpdated"
    person_deleted_event = "candidateDeleted"
    person_records = 2  # the contact, and the links on an opportunity

    def profile_writes(self) -> int:
        return sum(
            1
            for r in self.state.requests
            if (r.method == "PUT" and r.path.startswith("/v1/contacts/"))
            or (r.method == "POST" and r.path.endswith("/addLinks"))
        )

    def __init__(self, live: Live) -> None:
        self.live = live
        self.control: lv.SandboxControl = live.control
        self.state: lv.SandboxState = live.sandbox

    def advance(self, application_id: str) -> None:
        stage = self.state.tables["opportunities"][application_id]["stage"]
        order = [
            str(s["id"])
            for s in sorted(self.state.tables["stages"].values(), key=lambda s: s["_seq"])
        ]
        later = [s for s in order[order.index(stage) + 1 :] if s not in _LEVER_ENTRY_STAGES]
        self.control.move(application_id, later[0])

    def hire(self, application_id: str) -> None:
        self.control.hire(application_id)

    def unhire(self, application_id: str) -> None:
        # Lever has no "unhire": the hired opportunity is unarchived, back on its stage.
        self.control.unarchive(application_id)

    def reject(self, application_id: str) -> None:
        self.control.archive(application_id, kind="rejected")

    def reopen(self, application_id: str) -> None:
        self.control.unarchive(application_id)

    def delete_application(self, application_id: str) -> None:
        self.control.delete(application_id)

    def delete_candidate(self, candidate_id: str) -> None:
        self.control.delete_contact(candidate_id)

    def merge(self, from_candidate_id: str, into_candidate_id: str) -> None:
        raise NotImplementedError("Lever's API documents no merge and no merge web hook")

    async def add_person(self, first: str, last: str, email: str, job_id: str) -> tuple[str, str]:
        body = {
            "name": f"{first} {last}",
            "emails": [email],
            "origin": "sourced",
            "postings": [job_id],
        }
        answer = await self._api("POST", "/v1/opportunities", body)
        return str(answer["data"]["contact"]), str(answer["data"]["id"])

    async def edit_candidate(self, candidate_id: str, **fields: Any) -> None:
        contact = self.state.tables["contacts"][candidate_id]
        title, company = _split_headline(contact["headline"])
        edit: dict[str, Any] = {}
        for name, value in fields.items():
            if name in ("first_name", "last_name"):
                first, _, last = contact["name"].partition(" ")
                parts = {"first_name": first, "last_name": last, name: value}
                edit["name"] = f"{parts['first_name']} {parts['last_name']}".strip()
            elif name == "current_title":
                title = value
            elif name == "current_company":
                company = value
            elif name == "emails":
                edit["emails"] = list(value)
            elif name == "phones":
                edit["phones"] = [{"value": v, "type": "mobile"} for v in value]
            elif name == "location":
                edit["location"] = value
            else:
                raise ValueError(f"no Lever contact field for {name!r}")
        if "current_title" in fields or "current_company" in fields:
            edit["headline"] = _join_headline(title, company)
        self.control.edit_contact(candidate_id, **edit)

    def candidate(self, candidate_id: str) -> dict[str, Any] | None:
        contact = self.state.tables["contacts"].get(candidate_id)
        if contact is None:
            return None
        first, _, last = contact["name"].partition(" ")
        links = list(
            dict.fromkeys(
                link
                for o in sorted(
                    self.state.tables["opportunities"].values(), key=lambda o: o["_seq"]
                )
                if o["contact"] == candidate_id
                for link in o["links"]
            )
        )
        title, company = _split_headline(contact["headline"])
        return {
            "first_name": first,
            "last_name": last,
            "emails": list(contact["emails"]),
            "phones": [p["value"] for p in contact["phones"]],
            "social_profiles": [u for u in links if "linkedin.com" in u],
            "websites": [u for u in links if "linkedin.com" not in u],
            "current_company": company,
            "current_title": title,
            "location": contact["location"]["name"] if contact["location"] else None,
        }

    def application_owner(self, application_id: str) -> str | None:
        record = self.state.tables["opportunities"].get(application_id)
        return None if record is None else str(record["contact"])

    async def _api(self, method: str, path: str, body: Mapping[str, Any]) -> Any:
        """A Data API call with the sandbox's key, performed as its super admin."""
        answer = await self.live.http.request(
            method,
            f"{self.live.sandbox_url}{path}",
            params={"perform_as": self.state.seed.admin_user_id},
            json=dict(body),
            auth=(lv.SandboxState.DEFAULT_API_KEY, ""),
        )
        assert answer.status_code in (200, 201), f"{method} {path}: {answer.text[:300]}"
        return answer.json() if answer.content else None


def _split_headline(headline: str | None) -> tuple[str | None, str | None]:
    """`Title at Company`, `at Company` or `Title`, as a recruiter reads a Lever headline."""
    if not headline:
        return None, None
    if headline.startswith("at "):
        return None, headline[3:]
    title, found, company = headline.rpartition(" at ")
    return (title, company) if found else (headline, None)


def _join_headline(title: str | None, company: str | None) -> str:
    if title and company:
        return f"{title} at {company}"
    return f"at {company}" if company else title or ""
