"""The ATS side of the end-to-end stories, one driver per ATS, so that one story body runs against each.

A driver owns its bundled sandbox (state, control, ASGI app) and says, in the ATS's own terms, what a
recruiter does (move, reject, withdraw, hire) and what the ATS now holds (the person, the application,
the notes). Stories name stages by their role (`screen`, `onsite`, `offer`), never by an ATS's label.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from starlette.types import ASGIApp

from intrro_gateway.sandboxes import greenhouse as gh
from intrro_gateway.sandboxes import lever as lv

ATS_KEYS = ("greenhouse", "lever")
ADMIN_EMAIL = "admin@sandbox.example"
ERIN_EMAIL = "erin.employee@sandbox.example"


@dataclass(frozen=True, slots=True)
class Person:
    """A person as the ATS holds them."""

    id: str
    first_name: str
    last_name: str
    emails: tuple[str, ...]
    tags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Application:
    """An application as the ATS holds it; `credited` is the referrer credit the ATS records."""

    id: str
    candidate_id: str
    job_id: str
    source: str | None
    credited: str | None
    state: str  # "active" | "rejected" | "hired"
    stage_name: str | None


class AtsDriver(Protocol):
    """One ATS's sandbox, as the stories drive and inspect it."""

    key: str
    credit: str  # the `referral_credit` an export for Erin Employee (an ATS user) reports
    stage_names: Mapping[str, str]  # role ("screen", "onsite", "offer") to the seeded stage's name
    stored_stage_change: str  # the stored delivery kind of a stage change web hook

    def app(self) -> ASGIApp: ...
    def env(self, sandbox_url: str) -> dict[str, str]: ...
    def tenant_body(self, webhook_secret: str) -> dict[str, Any]: ...
    def connect_body(self) -> dict[str, Any]: ...
    def after_connect(self, report: Mapping[str, Any], webhook_secret: str) -> None: ...
    def open_job_ids(self) -> list[str]: ...
    def closed_job_id(self) -> str: ...
    def move(self, application_id: str, stage_id: str, **delivery: Any) -> list[str]: ...
    def reject(self, application_id: str, **delivery: Any) -> list[str]: ...
    def withdraw(self, application_id: str, **delivery: Any) -> list[str]: ...
    def hire(self, application_id: str, **delivery: Any) -> list[str]: ...
    async def flush(self) -> None: ...
    def delivered_ok(self) -> set[str]: ...
    def fired(self) -> list[str]: ...
    def person(self, candidate_id: str) -> Person: ...
    def people_with_email(self, email: str) -> list[str]: ...
    def application(self, application_id: str) -> Application: ...
    def notes(self, candidate_id: str) -> list[str]: ...
    def people_count(self) -> int: ...
    def application_count(self) -> int: ...
    def create_calls(self) -> int: ...


class GreenhouseDriver:
    """The bundled Greenhouse sandbox."""

    key = "greenhouse"
    credit = "referrer"
    stage_names: ClassVar[Mapping[str, str]] = {
        "screen": "Phone Screen",
        "onsite": "Onsite",
        "offer": "Offer",
    }
    stored_stage_change = "candidate_stage_change"

    def __init__(self, state: gh.SandboxState | None = None) -> None:
        self.state = state or gh.seeded_state()
        self.control = gh.SandboxControl(self.state)

    def app(self) -> ASGIApp:
        return gh.create_sandbox_app(self.state)

    def env(self, sandbox_url: str) -> dict[str, str]:
        return {
            "GATEWAY_GREENHOUSE_BASE_URL": sandbox_url,
            "GATEWAY_GREENHOUSE_AUTH_URL": sandbox_url,
        }

    def tenant_body(self, webhook_secret: str) -> dict[str, Any]:
        return {"greenhouse_webhook_secret": webhook_secret}

    def connect_body(self) -> dict[str, Any]:
        return {
            "client_id": gh.SandboxState.DEFAULT_CLIENT_ID,
            "client_secret": gh.SandboxState.DEFAULT_CLIENT_SECRET,
            "user_email": ADMIN_EMAIL,
        }

    def after_connect(self, report: Mapping[str, Any], webhook_secret: str) -> None:
        # What the admin does in Greenhouse: a web hook with the report's URL and secret key.
        assert report["webhook"]["secret"] == webhook_secret
        self.control.configure_webhooks(report["webhook"]["url"], webhook_secret)

    def open_job_ids(self) -> list[str]:
        taken = {
            self.state.tables["applications"][a]["job_id"] for a in self.state.seed.application_ids
        }
        return [str(j) for j in self.state.seed.open_job_ids if j not in taken]

    def closed_job_id(self) -> str:
        return str(self.state.seed.closed_job_id)

    def move(self, application_id: str, stage_id: str, **delivery: Any) -> list[str]:
        return self.control.move(
            int(application_id), int(stage_id), options=gh.DeliveryOptions(**delivery)
        )

    def reject(self, application_id: str, **delivery: Any) -> list[str]:
        return self.control.reject(
            int(application_id), "company", options=gh.DeliveryOptions(**delivery)
        )

    def withdraw(self, application_id: str, **delivery: Any) -> list[str]:
        return self.control.reject(
            int(application_id), "candidate", options=gh.DeliveryOptions(**delivery)
        )

    def hire(self, application_id: str, **delivery: Any) -> list[str]:
        return self.control.hire(int(application_id), options=gh.DeliveryOptions(**delivery))

    async def flush(self) -> None:
        await self.control.flush()

    def delivered_ok(self) -> set[str]:
        return {d.event_id for d in self.control.deliveries if d.status_code == 200}

    def fired(self) -> list[str]:
        return [e.action for e in self.control.fired]

    def person(self, candidate_id: str) -> Person:
        raw = self.state.tables["candidates"][int(candidate_id)]
        return Person(
            id=str(raw["id"]),
            first_name=raw["first_name"],
            last_name=raw["last_name"],
            emails=tuple(e["value"] for e in raw.get("email_addresses") or ()),
            tags=tuple(raw.get("tags") or ()),
        )

    def people_with_email(self, email: str) -> list[str]:
        return [
            str(c["id"])
            for c in self.state.tables["candidates"].values()
            if any(e["value"].lower() == email.lower() for e in c.get("email_addresses") or [])
        ]

    def application(self, application_id: str) -> Application:
        raw = self.state.tables["applications"][int(application_id)]
        sources = {s["id"]: s["name"] for s in self.state.tables["sources"].values()}
        referrers = {r["id"]: r for r in self.state.tables["referrers"].values()}
        referrer = referrers.get(raw.get("referrer_id"))
        credited = None
        if referrer is not None:
            user = self.state.tables["users"].get(referrer.get("user_id"))
            credited = user["primary_email"] if user else None
        status = {"in_process": "active"}.get(raw["status"], raw["status"])
        return Application(
            id=str(raw["id"]),
            candidate_id=str(raw["candidate_id"]),
            job_id=str(raw["job_id"]),
            source=sources.get(raw.get("source_id")),
            credited=credited,
            state=status,
            stage_name=raw.get("stage_name"),
        )

    def notes(self, candidate_id: str) -> list[str]:
        return [
            n["body"]
            for n in self.state.tables["notes"].values()
            if n["candidate_id"] == int(candidate_id)
        ]

    def people_count(self) -> int:
        return len(self.state.tables["candidates"])

    def application_count(self) -> int:
        return len(self.state.tables["applications"])

    def create_calls(self) -> int:
        return self.state.request_count("/v3/candidates", "POST") + self.state.request_count(
            "/v3/applications", "POST"
        )


class LeverDriver:
    """The bundled Lever sandbox."""

    key = "lever"
    credit = "follower"
    stage_names: ClassVar[Mapping[str, str]] = {
        "screen": "Recruiter screen",
        "onsite": "On-site interview",
        "offer": "Offer",
    }
    stored_stage_change = "candidateStageChange"

    def __init__(self, state: lv.SandboxState | None = None) -> None:
        self.state = state or lv.seeded_state()
        self.control = lv.SandboxControl(self.state)

    def app(self) -> ASGIApp:
        return lv.create_sandbox_app(self.state)

    def env(self, sandbox_url: str) -> dict[str, str]:
        return {"GATEWAY_LEVER_BASE_URL": sandbox_url}

    def tenant_body(self, webhook_secret: str) -> dict[str, Any]:
        return {"ats": "lever"}

    def connect_body(self) -> dict[str, Any]:
        return {"api_key": lv.SandboxState.DEFAULT_API_KEY, "user_email": ADMIN_EMAIL}

    def after_connect(self, report: Mapping[str, Any], webhook_secret: str) -> None:
        # Lever's API made the web hooks: one per event, each at the report's URL.
        hooks = list(self.state.webhooks.hooks.values())
        assert sorted(h.event for h in hooks) == sorted(lv.GATEWAY_EVENTS), hooks
        assert {h.url for h in hooks} == {report["webhook"]["url"]}

    def open_job_ids(self) -> list[str]:
        taken = {
            self.state.tables["applications"][a]["posting"]
            for o in self.state.seed.opportunity_ids
            for a in self.state.tables["opportunities"][o]["applications"]
        }
        return [p for p in self.state.seed.published_posting_ids if p not in taken]

    def closed_job_id(self) -> str:
        return self.state.seed.closed_posting_id

    def move(self, application_id: str, stage_id: str, **delivery: Any) -> list[str]:
        return self.control.move(application_id, stage_id, options=lv.DeliveryOptions(**delivery))

    def reject(self, application_id: str, **delivery: Any) -> list[str]:
        return self.control.archive(
            application_id, kind="rejected", options=lv.DeliveryOptions(**delivery)
        )

    def withdraw(self, application_id: str, **delivery: Any) -> list[str]:
        return self.control.archive(
            application_id, kind="withdrawn", options=lv.DeliveryOptions(**delivery)
        )

    def hire(self, application_id: str, **delivery: Any) -> list[str]:
        return self.control.hire(application_id, options=lv.DeliveryOptions(**delivery))

    async def flush(self) -> None:
        await self.control.flush()

    def delivered_ok(self) -> set[str]:
        return {d.event_id for d in self.control.deliveries if d.status_code == 200}

    def fired(self) -> list[str]:
        return [e.event for e in self.control.fired]

    def _opportunities_of(self, contact_id: str) -> list[dict[str, Any]]:
        return [
            o for o in self.state.tables["opportunities"].values() if o["contact"] == contact_id
        ]

    def person(self, candidate_id: str) -> Person:
        raw = self.state.tables["contacts"][candidate_id]
        first, _, last = raw["name"].partition(" ")
        tags = {t for o in self._opportunities_of(candidate_id) for t in o["tags"]}
        return Person(
            id=raw["id"],
            first_name=first,
            last_name=last,
            emails=tuple(raw["emails"]),
            tags=tuple(sorted(tags)),
        )

    def people_with_email(self, email: str) -> list[str]:
        return [
            c["id"]
            for c in self.state.tables["contacts"].values()
            if any(e.lower() == email.lower() for e in c["emails"])
        ]

    def application(self, application_id: str) -> Application:
        raw = self.state.tables["opportunities"][application_id]
        [posting] = [self.state.tables["applications"][a]["posting"] for a in raw["applications"]]
        users = self.state.tables["users"]
        followers = [users[f]["email"] for f in raw["followers"] if f in users]
        credited = ERIN_EMAIL if ERIN_EMAIL in followers else None
        state = "active"
        if raw["archived"] is not None:
            reason = self.state.tables["archive_reasons"][raw["archived"]["reason"]]
            state = "hired" if reason["type"] == "hired" else "rejected"
        stages = self.state.tables["stages"]
        return Application(
            id=raw["id"],
            candidate_id=raw["contact"],
            job_id=posting,
            source=raw["sources"][0] if raw["sources"] else None,
            credited=credited,
            state=state,
            stage_name=stages[raw["stage"]]["text"] if raw["stage"] in stages else None,
        )

    def notes(self, candidate_id: str) -> list[str]:
        mine = {o["id"] for o in self._opportunities_of(candidate_id)}
        return [
            f["value"]
            for n in self.state.tables["notes"].values()
            if n["_opportunity"] in mine
            for f in n["fields"]
        ]

    def people_count(self) -> int:
        return len(self.state.tables["contacts"])

    def application_count(self) -> int:
        return len(self.state.tables["opportunities"])

    def create_calls(self) -> int:
        return self.state.request_count("/v1/opportunities", "POST")


def driver(key: str) -> AtsDriver:
    """A fresh seeded sandbox of the ATS `key`."""
    return {"greenhouse": GreenhouseDriver, "lever": LeverDriver}[key]()
