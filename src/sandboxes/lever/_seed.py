"""The seeded account (admin, API key, stages, archive reasons) and the demo data set (users,
postings, a few opportunities)."""

from __future__ import annotations

from intrro_gateway.sandboxes.lever import _opportunities as ops
from intrro_gateway.sandboxes.lever.state import SandboxState

# Built-in stage ids are fixed strings in every Lever account; custom stages have UUIDs.
_STAGES: tuple[tuple[str | None, str], ...] = (
    ("lead-new", "New lead"),
    ("lead-reached-out", "Reached out"),
    ("lead-responded", "Responded"),
    ("applicant-new", "New applicant"),
    (None, "Recruiter screen"),
    (None, "Phone interview"),
    (None, "On-site interview"),
    (None, "Reference check"),
    ("offer", "Offer"),
)
_ARCHIVE_REASONS: tuple[tuple[str, str, str], ...] = (
    ("Position filled", "active", "non-hired"),
    ("Underqualified", "active", "non-hired"),
    ("Better for another role", "active", "non-hired"),
    ("Timing", "active", "non-hired"),
    ("Withdrew", "active", "non-hired"),
    ("Offer declined", "active", "non-hired"),
    ("No Response", "active", "non-hired"),
    ("No Response - OLD", "inactive", "non-hired"),
    ("Hired", "active", "hired"),
)
# (title, state, department, team, location, commitment)
_POSTINGS: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("Backend Engineer", "published", "Engineering", "Platform", "London, UK", "Full-time"),
    ("Frontend Engineer", "published", "Engineering", "Web", "Berlin, DE", "Full-time"),
    ("Site Reliability Engineer", "published", "Engineering", "Platform", "Remote", "Full-time"),
    ("Data Engineer", "published", "Engineering", "Data", "New York, NY", "Full-time"),
    ("Account Executive", "published", "Sales", "Enterprise", "New York, NY", "Full-time"),
    ("Solutions Engineer", "published", "Sales", "Pre-sales", "London, UK", "Full-time"),
    ("Product Designer", "published", "Design", "Product", "Berlin, DE", "Part-time"),
    ("Recruiter", "published", "Operations", "People", "London, UK", "Contract"),
    ("Engineering Manager", "internal", "Engineering", "Platform", "London, UK", "Full-time"),
    ("Sales Operations Analyst", "internal", "Sales", "Operations", "Remote", "Full-time"),
    ("Legacy Systems Engineer", "closed", "Engineering", "Platform", "Berlin, DE", "Full-time"),
    ("Future Role (draft)", "draft", "Operations", "People", "Remote", "Intern"),
    ("Internal Tools Engineer", "published", "Engineering", "Platform", "London, UK", "Full-time"),
    ("Stealth Project Lead", "internal", "Engineering", "Stealth", "Berlin, DE", "Full-time"),
)
_CONFIDENTIAL = (
    "Stealth Project Lead"  # a confidential posting: hidden unless asked, and from some keys
)
_INTERNAL_SITE_ONLY = "Internal Tools Engineer"  # published on the internal job site alone
_COUNTRIES = {"London, UK": "GB", "Berlin, DE": "DE", "New York, NY": "US", "Remote": None}


def seed_account(state: SandboxState) -> None:
    """What every account has: its super admin, the default API key, stages, archive reasons."""
    seed = state.seed
    seed.admin_user_id = state.add_user("Sandra Admin", "admin@sandbox.example", "super admin")
    state.add_api_key(state.DEFAULT_API_KEY)
    for stage_id, text in _STAGES:
        record = {"id": stage_id, "text": text} if stage_id else {"text": text}
        seed.stage_ids.append(state.insert("stages", record, stamps=False)["id"])
    for text, status, kind in _ARCHIVE_REASONS:
        reason = state.insert(
            "archive_reasons", {"text": text, "status": status, "type": kind}, stamps=False
        )
        seed.archive_reason_ids[text] = reason["id"]
        if kind == "hired":
            seed.hired_reason_id = reason["id"]


def _add_posting(
    state: SandboxState, spec: tuple[str, str, str, str, str, str], owner: str, manager: str
) -> str:
    title, posting_state, department, team, location, commitment = spec
    posting_id = state.new_id()
    urls = None
    if posting_state != "draft":
        show = f"{state.JOBS_SITE}/{posting_id}"
        urls = {"list": state.JOBS_SITE, "show": show, "apply": f"{show}/apply"}
    channels = {"published": ["public", "internal"], "internal": ["internal"]}
    if title == _INTERNAL_SITE_ONLY:
        channels["published"] = ["internal"]
    state.insert(
        "postings",
        {
            "id": posting_id,
            "text": title,
            "state": posting_state,
            "distributionChannels": channels.get(posting_state),
            "user": owner,
            "owner": owner,
            "hiringManager": manager,
            "categories": {
                "commitment": commitment,
                "department": department,
                "level": None,
                "location": location,
                "team": team,
                "allLocations": [location],
            },
            "tags": [],
            "content": {
                "description": f"Join {state.ACCOUNT_NAME} as a {title}.",
                "descriptionHtml": f"<div>Join {state.ACCOUNT_NAME} as a {title}.</div>",
                "lists": [],
                "closing": "",
                "closingHtml": "",
            },
            "country": _COUNTRIES[location],
            "followers": [owner, manager],
            "reqCode": None,
            "requisitionCodes": [],
            "urls": urls,
            "confidentiality": "confidential" if title == _CONFIDENTIAL else "non-confidential",
            "workplaceType": "remote" if location == "Remote" else "on-site",
        },
    )
    return posting_id


def seed_demo(state: SandboxState) -> None:
    """Users, postings (published on the public site, one published on the internal site alone, internal,
    one closed, one draft) and four opportunities: one new,
    one moved on, one archived as underqualified, one hired. Seeding fires no web hooks."""
    seed = state.seed
    seed.recruiter_user_id = state.add_user(
        "Rita Recruiter", "rita.recruiter@sandbox.example", "admin"
    )
    for name in ("Erin Employee", "Ethan Engineer", "Emma Seller"):
        email = name.lower().replace(" ", ".") + "@sandbox.example"
        seed.employee_user_ids.append(state.add_user(name, email, "interviewer"))
    seed.deactivated_user_id = state.add_user("Dora Departed", "dora.departed@sandbox.example")
    state.tables["users"][seed.deactivated_user_id]["deactivatedAt"] = state.clock.stamp()
    manager = seed.employee_user_ids[1]
    for spec in _POSTINGS:
        posting_id = _add_posting(state, spec, seed.recruiter_user_id, manager)
        if spec[0] == _CONFIDENTIAL:
            seed.confidential_posting_id = posting_id
        elif spec[0] == _INTERNAL_SITE_ONLY:
            seed.internal_site_posting_id = posting_id
        elif spec[1] == "published":
            seed.published_posting_ids.append(posting_id)
        elif spec[1] == "internal":
            seed.internal_posting_ids.append(posting_id)
        elif spec[1] == "closed":
            seed.closed_posting_id = posting_id
        else:
            seed.draft_posting_id = posting_id
    people = (
        ("Ada Lovelace", 0, None),
        ("Grace Hopper", 1, "move"),
        ("Alan Turing", 2, "archive"),
        ("Katherine Johnson", 3, "hire"),
    )
    for name, index, action in people:
        email = name.lower().replace(" ", ".") + "@example.com"
        request = ops.CreateRequest(
            seed.recruiter_user_id,
            {
                "name": name,
                "emails": [email],
                "origin": "applied",
                "sources": ["LinkedIn"],
                "postings": [seed.published_posting_ids[index]],
                "stage": "applicant-new",
            },
        )
        opportunity, _, _ = ops.create_opportunity(state, request)
        seed.opportunity_ids.append(opportunity["id"])
        seed.contact_ids.append(opportunity["contact"])
        if action == "move":
            ops.change_stage(state, opportunity["id"], seed.stage_ids[4], seed.recruiter_user_id)
        elif action == "archive":
            reason = seed.archive_reason_ids["Underqualified"]
            ops.set_archived(state, opportunity["id"], reason, seed.recruiter_user_id)
        elif action == "hire":
            ops.change_stage(state, opportunity["id"], "offer", seed.recruiter_user_id)
            ops.set_archived(state, opportunity["id"], seed.hired_reason_id, seed.recruiter_user_id)
    state.webhooks.fired.clear()


def empty_state() -> SandboxState:
    """No data but what every account has: the super admin, the default API key (every permission),
    the stages and the archive reasons."""
    state = SandboxState()
    with state.clock.backdated():
        seed_account(state)
    return state


def seeded_state() -> SandboxState:
    """The demo data set."""
    state = SandboxState()
    with state.clock.backdated():
        seed_account(state)
        seed_demo(state)
    return state
