"""The demo's story: a tenant, an ATS connection (Greenhouse or Lever), jobs, an introduction, and a
recruiter moving the candidate through the pipeline, each push awaited at the Intrro receiver."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console

from intrro_gateway.adapters.intrro.receiver import ReceivedEvent
from intrro_gateway.entrypoints.demo._ats import ADMIN_EMAIL
from intrro_gateway.entrypoints.demo._options import DemoFailedError, DemoOptions
from intrro_gateway.entrypoints.demo._parties import Parties, now
from intrro_gateway.entrypoints.demo._stack import Stack
from intrro_gateway.entrypoints.demo._tap import Recorder
from intrro_gateway.entrypoints.demo._timeline import Flows, Note

TENANT = "demo-co"
STATUS_CHANGED = "application.status_changed"
EXPORTED = "introduction.exported"
JOBS_CHANGED = "jobs.changed"


@dataclass
class Story:
    """What the demo did and found, for the timeline and the summary."""

    notes: list[Note] = field(default_factory=list)
    introduction_id: str = ""
    jobs: dict[str, str] = field(default_factory=dict)  # job id -> title
    applications: dict[str, str] = field(default_factory=dict)  # job id -> application id
    introduction: dict[str, Any] = field(default_factory=dict)


class Script:
    """Plays the story against a running stack."""

    def __init__(
        self, stack: Stack, recorder: Recorder, options: DemoOptions, out: Console
    ) -> None:
        self.stack = stack
        self.recorder = recorder
        self.options = options
        self.out = out
        self.story = Story()
        self.parties = Parties(stack, recorder, options.wait_s)
        self.ats = stack.ats
        self.flows = Flows.of(stack.ats.name)

    async def play(self) -> Story:
        """Every step, in order; raises DemoFailedError at the first that fails."""
        try:
            await self._tenant()
            report = await self._connect()
            await self._webhooks(report)
            jobs = await self._jobs()
            await self._introduce(jobs)
            await self._pipeline(jobs)
            await self._final()
        finally:
            await self.parties.aclose()
        return self.story

    # -- steps ---------------------------------------------------------------------------------

    async def _tenant(self) -> None:
        body = {
            "intrro_callback_url": f"{self.stack.receiver_url}/intrro/events",
            "intrro_secret": self.stack.intrro_secret,
        }
        if self.ats.key != "greenhouse":  # the default ATS of a tenant
            body["ats"] = self.ats.key
        answer = await self.parties.api("PUT", f"/api/tenants/{TENANT}", 201, json=body)
        self._say(f"created tenant {TENANT} on {self.ats.name}")
        if self.ats.admin_makes_webhooks and not answer.get("generated"):
            raise DemoFailedError("creating the tenant did not generate a web hook secret")

    async def _connect(self) -> dict[str, Any]:
        body = {**self.ats.credential(), "user_email": ADMIN_EMAIL}
        report: dict[str, Any] = await self.parties.api(
            "POST", f"/api/tenants/{TENANT}/connections/{self.ats.key}", 200, json=body
        )
        if not report.get("ok"):
            raise DemoFailedError(f"the sandbox connection is not ok: {report.get('problems')}")
        self._say(f"connected to the {self.ats.name} sandbox as {ADMIN_EMAIL}: every check passed")
        return report

    async def _webhooks(self, report: dict[str, Any]) -> None:
        webhook = report["webhook"]
        if not self.ats.admin_makes_webhooks:
            self._say(f"the gateway made {self.ats.name}'s web hooks itself: {webhook['url']}")
            return
        # What the admin does in Greenhouse: a web hook with the report's URL and secret key.
        await self.parties.sandbox(
            "/_sandbox/webhooks", {"url": webhook["url"], "secret": webhook["secret"]}
        )
        self._note("creates the web hooks", webhook["url"], flow=self.flows.admin_in_ats)
        self._say(f"{self.ats.name} web hooks now go to {webhook['url']}")

    async def _jobs(self) -> list[dict[str, Any]]:
        await self.parties.api("POST", f"/api/tenants/{TENANT}/sync/jobs", 202)
        await self.parties.wait_for(JOBS_CHANGED, lambda e: e.type == JOBS_CHANGED)
        listing = await self.parties.api("GET", f"/api/tenants/{TENANT}/jobs?status=open", 200)
        wanted = set(self.ats.stages)
        jobs: list[dict[str, Any]] = [j for j in listing["jobs"] if _has_stages(j, wanted)]
        if len(jobs) < 2:
            raise DemoFailedError(f"expected two open jobs with a pipeline, found {len(jobs)}")
        self._say(f"imported {len(listing['jobs'])} open jobs from {self.ats.name}")
        return jobs[:2]

    async def _introduce(self, jobs: list[dict[str, Any]]) -> None:
        story = self.story
        story.introduction_id = f"intro-{uuid.uuid4().hex[:8]}"
        story.jobs = {j["id"]: j["title"] for j in jobs}
        data = {
            "introduction_id": story.introduction_id,
            "candidate": {
                "first_name": "Mary",
                "last_name": "Jackson",
                "emails": [f"mary.jackson+{story.introduction_id}@example.org"],
                "phones": ["+1 555 0100"],
                "linkedin_url": None,
                "social_profiles": [],
                "websites": [],
                "current_company": "NACA",
                "current_title": "Engineer",
                "location": "Hampton, VA",
            },
            "referrer": {
                "name": "Erin Employee",
                "email": "erin.employee@sandbox.example",
                "employee_id": "E-1",
            },
            "job_ids": list(story.jobs),
            "message": "Mary would be great on either team.",
            "accepted_at": now(),
        }
        await self.parties.post_event(TENANT, "introduction.accepted", data)
        self._say(f"Intrro sent introduction.accepted ({story.introduction_id}) for 2 jobs")
        exported = await self.parties.wait_for(
            EXPORTED, lambda e: e.type == EXPORTED and _intro(e) == story.introduction_id
        )
        for app in exported.data.get("applications") or []:
            if app.get("application_id") is None or app.get("status") != "applied":
                raise DemoFailedError(f"job {app.get('job_id')} was not exported: {app}")
            story.applications[str(app["job_id"])] = str(app["application_id"])
        self._say(
            f"the candidate is in {self.ats.name}: applications "
            f"{', '.join(story.applications.values())}"
        )

    async def _pipeline(self, jobs: list[dict[str, Any]]) -> None:
        hired, rejected = jobs
        app_id = self.story.applications[hired["id"]]
        screen, onsite, offer = self.ats.stages
        for stage, status in ((screen, "interviewing"), (onsite, None), (offer, "offer")):
            stage_id = _stage_id(hired, stage)
            self._note(
                f"moves the application to {stage}", f"{hired['title']}, application {app_id}"
            )
            await self.parties.recruiter(self.ats.move(app_id, stage_id))
            if status is None:
                # Interviewing already: the web hook changes no status, so nothing is pushed.
                await self.parties.settled(TENANT)
                self._say(f"moved to {stage}: still interviewing, nothing to push")
            else:
                await self._expect_status(hired["id"], status)
        self._note("hires the candidate", f"{hired['title']}, application {app_id}")
        await self.parties.recruiter(self.ats.hire(app_id))
        await self._expect_status(hired["id"], "hired")
        other = self.story.applications[rejected["id"]]
        self._note("rejects the other application", f"{rejected['title']}, application {other}")
        await self.parties.recruiter(self.ats.reject(other))
        await self._expect_status(rejected["id"], "rejected")

    async def _final(self) -> None:
        path = f"/api/tenants/{TENANT}/introductions/{self.story.introduction_id}"
        self.story.introduction = await self.parties.api("GET", path, 200)

    async def _expect_status(self, job_id: str, status: str) -> None:
        intro = self.story.introduction_id
        await self.parties.wait_for(
            f"{STATUS_CHANGED} (job {job_id} → {status})",
            lambda e: (
                e.type == STATUS_CHANGED
                and _intro(e) == intro
                and str(e.data.get("job_id")) == job_id
                and e.data.get("status") == status
            ),
        )
        self._say(f"Intrro heard: job {job_id} is now {status}")

    def _note(self, what: str, detail: str = "", *, flow: str | None = None) -> None:
        at = self.recorder.elapsed()
        self.story.notes.append(Note(at, flow or self.flows.recruiter, what, detail))

    def _say(self, line: str) -> None:
        if not self.options.quiet:
            self.out.print(f"[{self.recorder.elapsed():6.2f}s] {line}")


def _has_stages(job: dict[str, Any], wanted: set[str]) -> bool:
    names = {stage.get("name") for stage in job.get("stages") or []}
    return wanted <= names


def _stage_id(job: dict[str, Any], name: str) -> str:
    for stage in job["stages"]:
        if stage["name"] == name:
            return str(stage["id"])
    raise DemoFailedError(f"job {job['id']} has no stage named {name!r}")


def _intro(event: ReceivedEvent) -> Any:
    return event.data.get("introduction_id") if isinstance(event.data, dict) else None
