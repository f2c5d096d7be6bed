"""The timeline: what flowed where, when, in one table built from the recorded exchanges."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rich.table import Table

from intrro_gateway.entrypoints.demo._tap import Hit

INTRRO_TO_GATEWAY = "Intrro → gateway"
ADMIN_TO_GATEWAY = "admin → gateway"
GATEWAY_TO_INTRRO = "gateway → Intrro"


@dataclass(frozen=True, slots=True)
class Flows:
    """The flow labels that name the demo's ATS."""

    to_ats: str
    from_ats: str
    recruiter: str
    admin_in_ats: str

    @classmethod
    def of(cls, ats_name: str) -> Flows:
        """The labels for the ATS called `ats_name`."""
        return cls(
            to_ats=f"gateway → {ats_name}",
            from_ats=f"{ats_name} → gateway",
            recruiter=f"recruiter in {ats_name}",
            admin_in_ats=f"admin in {ats_name}",
        )


_GREENHOUSE = Flows.of("Greenhouse")
GATEWAY_TO_GREENHOUSE = _GREENHOUSE.to_ats
GREENHOUSE_TO_GATEWAY = _GREENHOUSE.from_ats
RECRUITER = _GREENHOUSE.recruiter
ADMIN_IN_GREENHOUSE = _GREENHOUSE.admin_in_ats


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of the timeline."""

    at: float
    flow: str
    what: str
    detail: str
    status: str


@dataclass(frozen=True, slots=True)
class Note:
    """Something the demo did itself (a recruiter's action in the ATS), at a time."""

    at: float
    flow: str
    what: str
    detail: str = ""


def entries(hits: Sequence[Hit], notes: Sequence[Note], flows: Flows = _GREENHOUSE) -> list[Entry]:
    """The timeline's lines, by time: ATS reads in a row are folded into one line."""
    lines: list[Entry] = [Entry(n.at, n.flow, n.what, n.detail, "") for n in notes]
    reads: list[Hit] = []
    for hit in sorted(hits, key=lambda h: h.at):
        if hit.server == "sandbox" and hit.method == "GET" and not hit.path.startswith("/_sandbox"):
            reads.append(hit)
            continue
        if reads:
            lines.append(_reads(reads, flows))
            reads = []
        entry = _entry(hit, flows)
        if entry is not None:
            lines.append(entry)
    if reads:
        lines.append(_reads(reads, flows))
    return sorted(lines, key=lambda e: e.at)


def table(lines: Sequence[Entry]) -> Table:
    """The timeline as a table."""
    result = Table(title="Timeline", title_justify="left")
    result.add_column("Time", justify="right", no_wrap=True)
    result.add_column("Flow", no_wrap=True)
    result.add_column("What", no_wrap=True)
    result.add_column("Detail", overflow="fold")
    result.add_column("Answer", justify="right", no_wrap=True)
    for line in lines:
        result.add_row(f"+{line.at:6.3f}s", line.flow, line.what, line.detail, line.status)
    return result


def describe_event(kind: str, data: Any) -> str:
    """A one-line reading of an event the gateway pushed to Intrro (any JSON is read safely)."""
    if not isinstance(data, dict):
        return ""
    seq = f"seq {data.get('sequence')}"
    if kind == "application.status_changed":
        stage, reason = _object(data.get("stage")), _object(data.get("rejection_reason"))
        extra = f" at {stage.get('name')}" if stage.get("name") else ""
        extra += f" ({reason.get('name')})" if reason.get("name") else ""
        return (
            f"{seq}: job {data.get('job_id')} {data.get('previous_status')} → "
            f"{data.get('status')}{extra}"
        )
    if kind == "introduction.exported":
        apps = ", ".join(
            f"job {a.get('job_id')} → application {a.get('application_id')} ({a.get('status')})"
            for a in _objects(data.get("applications"))
        )
        return f"{seq}: candidate {data.get('ats_candidate_id')}; {apps}"
    if kind == "jobs.changed":
        jobs = data.get("jobs")
        return f"{seq}: {len(jobs) if isinstance(jobs, list) else 0} jobs"
    if kind == "introduction.failed":
        return f"{seq}: {data.get('code')}: {data.get('message')}"
    if kind == "application.removed":
        return f"{seq}: job {data.get('job_id')} ({data.get('reason')})"
    return seq


def _entry(hit: Hit, flows: Flows) -> Entry | None:
    status = str(hit.status)
    doc = _object(hit.json())
    if hit.server == "receiver":
        kind = str(doc.get("type", "?"))
        return Entry(hit.at, GATEWAY_TO_INTRRO, kind, describe_event(kind, doc.get("data")), status)
    if hit.server == "sandbox":
        if hit.path.startswith("/_sandbox"):
            return None
        return Entry(hit.at, flows.to_ats, f"{hit.method} {hit.path}", "", status)
    if hit.path.startswith("/events/intrro/"):
        data = _object(doc.get("data"))
        detail = f"introduction {data.get('introduction_id')}"
        job_ids = data.get("job_ids")
        if isinstance(job_ids, list) and job_ids:
            detail += f" for jobs {', '.join(map(str, job_ids))}"
        return Entry(hit.at, INTRRO_TO_GATEWAY, str(doc.get("type", "?")), detail, status)
    if hit.path.startswith("/webhooks/"):
        what = str(doc.get("action") or doc.get("event") or "?")
        return Entry(hit.at, flows.from_ats, what, _hook(doc), status)
    if hit.path.startswith("/api/tenants/"):
        # "/api/tenants/demo-co/jobs" reads as "tenant/jobs": the tenant is the demo's only one.
        _, _, rest = hit.path.removeprefix("/api/tenants/").partition("/")
        what = f"{hit.method} tenant" + (f"/{rest}" if rest else "")
        return Entry(hit.at, ADMIN_TO_GATEWAY, what, "", status)
    return None


def _hook(doc: dict[str, Any]) -> str:
    """The application a web hook is about: Greenhouse's payload, or Lever's `data`."""
    lever = _object(doc.get("data"))
    if lever.get("opportunityId"):
        return f"opportunity {lever['opportunityId']}"
    application = _object(_object(doc.get("payload")).get("application"))
    if not application:
        return ""
    stage = _object(application.get("current_stage"))
    detail = f"application {application.get('id')}"
    if stage.get("name"):
        detail += f" at {stage['name']}"
    return detail


def _object(value: Any) -> dict[str, Any]:
    """The value when it is a JSON object, else an empty one: bodies come from outside."""
    return value if isinstance(value, dict) else {}


def _objects(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _reads(reads: Sequence[Hit], flows: Flows) -> Entry:
    paths = Counter(h.path for h in reads)
    shown = ", ".join(f"{path} x{n}" if n > 1 else path for path, n in paths.most_common(4))
    more = len(paths) - 4
    if more > 0:
        shown += f", {more} more"
    failed = sum(1 for h in reads if h.status >= 400)
    status = "200" if not failed else f"{failed} failed"
    what = f"{len(reads)} read{'s' if len(reads) != 1 else ''}"
    return Entry(reads[0].at, flows.to_ats, what, shown, status)
