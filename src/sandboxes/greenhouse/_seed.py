"""The seeded demo data: departments, offices, jobs with stages and posts, sources, users, reasons."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from intrro_gateway.sandboxes.greenhouse import _applications, _candidates, _pipeline
from intrro_gateway.sandboxes.greenhouse.state import SandboxState

if TYPE_CHECKING:
    from intrro_gateway.sandboxes.greenhouse.state import Record

_DEPARTMENTS = ("Engineering", "Sales", "Operations", "Design")
_OFFICES = (("London", "London, UK"), ("New York", "New York, NY"), ("Berlin", "Berlin, DE"))
_OPEN_JOBS = (
    "Backend Engineer",
    "Frontend Engineer",
    "Site Reliability Engineer",
    "Data Engineer",
    "Machine Learning Engineer",
    "Engineering Manager",
    "QA Engineer",
    "Security Engineer",
    "Mobile Engineer",
    "Account Executive",
    "Sales Development Representative",
    "Solutions Engineer",
    "Customer Success Manager",
    "Sales Operations Analyst",
    "Office Manager",
    "Recruiter",
    "People Partner",
    "Finance Analyst",
    "Product Designer",
    "UX Researcher",
    "Brand Designer",
    "Content Designer",
)
_STAGES_SHORT = (
    "Application Review",
    "Phone Screen",
    "Hiring Manager Interview",
    "Onsite",
    "Offer",
)
_STAGES_LONG = (
    "Application Review",
    "Phone Screen",
    "Technical Interview",
    "Onsite",
    "Reference Check",
    "Offer",
)
_SOURCES = (
    ("Intrro", 8, "Prospecting"),
    ("LinkedIn", 5, "Social media"),
    ("Employee Referral", 7, "Referral"),
    ("Company Website", 2, "Company marketing"),
    ("Recruiting Agency", 1, "Agencies"),
)
_REJECTION_REASONS = (
    ("Lacking skill(s)/qualification(s)", 1, "WE_REJECTED_THEM", "We rejected them"),
    ("Hired another candidate", 1, "WE_REJECTED_THEM", "We rejected them"),
    ("Took another job", 2, "THEY_REJECTED_US", "They rejected us"),
    ("Compensation", 2, "THEY_REJECTED_US", "They rejected us"),
    ("Other", 3, "NONE_SPECIFIED", "None specified"),
)


def _add_job(
    state: SandboxState,
    index: int,
    name: str,
    *,
    status: str = "open",
    is_template: bool = False,
) -> Record:
    seed = state.seed
    stamp = state.clock.stamp()
    job = state.insert(
        "jobs",
        {
            "name": name,
            "requisition_id": f"REQ-{100 + index}",
            "notes": f"<p>{name} at {state.ORGANIZATION_NAME}.</p>",
            "confidential": False,
            "status": status,
            "opened_at": stamp,
            "closed_at": stamp if status == "closed" else None,
            "is_template": is_template,
            "copied_from_id": None,
            "department_id": seed.department_ids[index % len(seed.department_ids)],
            "office_ids": [seed.office_ids[index % len(seed.office_ids)]],
            "custom_fields": {},
        },
    )
    stages = _STAGES_LONG if index % 2 else _STAGES_SHORT
    for order, stage_name in enumerate(stages):
        state.insert(
            "job_interview_stages",
            {"job_id": job["id"], "name": stage_name, "sort_order": order, "active": True},
        )
    office = state.tables["offices"][job["office_ids"][0]]
    for post_index in range(1 + index % 2):
        post_id = state.new_id()
        title = name if post_index == 0 else f"{name} ({office['name']})"
        state.insert(
            "job_posts",
            {
                "id": post_id,
                "title": title,
                "job_id": job["id"],
                "job_board_id": 4_000_000_010,
                "internal": False,
                "internal_content": None,
                "content": f"<p>Join us as a {name}.</p>",
                "active": True,
                "live": status == "open",
                "featured": False,
                "first_published_at": stamp,
                "language": "en",
                "demographic_question_set_id": None,
                "questions": [],
                "public_url": f"{state.BOARD_URL}/jobs/{post_id}?gh_jid={post_id}",
                "_location": office["location"],
            },
        )
    return job


def _seed_people(state: SandboxState) -> None:
    seed = state.seed
    seed.non_admin_user_id = state.add_user(
        "Rita", "Recruiter", "rita.recruiter@sandbox.example", site_admin=False
    )
    for first, last in (("Erin", "Employee"), ("Ethan", "Engineer"), ("Emma", "Seller")):
        email = f"{first.lower()}.{last.lower()}@sandbox.example"
        user_id = state.add_user(
            first, last, email, site_admin=False, employee_id=f"E-{len(seed.employee_user_ids) + 1}"
        )
        seed.employee_user_ids.append(user_id)
        seed.referrer_ids.append(state.add_referrer(user_id))
    seed.employee_without_referrer_user_id = state.add_user(
        "Noah", "Noreferrer", "noah.noreferrer@sandbox.example", site_admin=False, employee_id="E-9"
    )
    state.add_referrer(None, "Acme Talent Partners")


def _seed_candidates(state: SandboxState) -> None:
    seed = state.seed
    people: list[tuple[str, str, int, str | None]] = [
        ("Ada", "Lovelace", 0, None),
        ("Grace", "Hopper", 1, "move"),
        ("Alan", "Turing", 2, "reject"),
        ("Katherine", "Johnson", 3, "hire"),
    ]
    source_id = seed.source_ids["LinkedIn"]
    for first, last, job_index, action in people:
        fields: dict[str, Any] = {
            "first_name": first,
            "last_name": last,
            "email_addresses": [
                {"value": f"{first}.{last}@example.com".lower(), "type": "personal"}
            ],
        }
        request = _applications.ApplicationRequest(
            job_id=seed.open_job_ids[job_index], source_id=source_id
        )
        candidate, application, _ = _candidates.create_candidate(state, fields, request)
        assert application is not None  # noqa: S101 - a candidate application was asked for
        seed.candidate_ids.append(candidate["id"])
        seed.application_ids.append(application["id"])
        if action == "move":
            _pipeline.move(state, application["id"])
        elif action == "reject":
            _pipeline.reject(state, application["id"], "company")
        elif action == "hire":
            _pipeline.hire(state, application["id"])


def seeded_state(*, source: bool = True) -> SandboxState:
    """The demo data set; `source=False` leaves out the `Intrro` source.

    Built here rather than by `SandboxState`, so that the state module imports none of the
    operations that import it.
    """
    state = SandboxState()
    with state.clock.backdated():
        state.add_default_admin()
        seed_state(state, intrro_source=source)
    return state


def seed_state(state: SandboxState, *, intrro_source: bool) -> None:
    """Fill an empty state with the demo data set (no web hooks are fired for it)."""
    seed = state.seed
    for name in _DEPARTMENTS:
        seed.department_ids.append(
            state.insert(
                "departments",
                {"name": name, "parent_id": None, "external_id": f"dept-{name.lower()}"},
            )["id"]
        )
    for name, location in _OFFICES:
        seed.office_ids.append(
            state.insert(
                "offices",
                {
                    "name": name,
                    "location": location,
                    "parent_id": None,
                    "external_id": f"office-{name.lower().replace(' ', '-')}",
                    "primary_in_house_contact_user_id": None,
                },
            )["id"]
        )
    for name, type_id, type_name in _SOURCES:
        if name == "Intrro" and not intrro_source:
            continue
        source = state.insert("sources", {"name": name, "type": {"id": type_id, "name": type_name}})
        seed.source_ids[name] = source["id"]
    seed.intrro_source_id = seed.source_ids.get("Intrro")
    for name, type_id, key, type_name in _REJECTION_REASONS:
        reason = state.insert(
            "rejection_reasons",
            {"name": name, "type": {"id": type_id, "key": key, "name": type_name}},
        )
        seed.rejection_reason_ids.setdefault(key, []).append(reason["id"])
    for name in ("Hire - New Headcount", "Hire - Backfill", "Not filled"):
        state.insert("close_reasons", {"name": name})
    state.insert("candidate_tags", {"name": "Referral"})
    _seed_people(state)
    for index, name in enumerate(_OPEN_JOBS):
        seed.open_job_ids.append(_add_job(state, index, name)["id"])
    seed.closed_job_id = _add_job(
        state, len(_OPEN_JOBS), "Legacy Systems Engineer", status="closed"
    )["id"]
    seed.template_job_id = _add_job(
        state, len(_OPEN_JOBS) + 1, "Template: Generic Engineer", is_template=True
    )["id"]
    _seed_candidates(state)
    state.webhooks.fired.clear()
