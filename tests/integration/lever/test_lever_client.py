"""The Lever client against the bundled Lever sandbox: account, jobs, export writes, reads, hooks."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from intrro_gateway.adapters.lever.api import (
    LeverAtsClient,
    LeverSettings,
    ensure_hooks,
    remove_hook,
)
from intrro_gateway.adapters.lever.connector import LeverConnector
from intrro_gateway.adapters.lever.webhooks import LeverWebhookTranslator
from intrro_gateway.domain.candidates import CandidateChanges, CandidateProfile, Referrer
from intrro_gateway.domain.jobs import JobStatus
from intrro_gateway.domain.signals import ApplicationState, CandidateProfileChanged, RejectionKind
from intrro_gateway.ports.ats import (
    AtsAuthError,
    NewApplication,
    PermissionStatus,
    ReferralCredit,
)
from intrro_gateway.sandboxes.lever import (
    ALL_PERMISSIONS,
    SandboxControl,
    seeded_state,
)
from tests.integration.lever.support import client, ctx, seeded, transport

NEW_PERSON = CandidateProfile(
    first_name="Mary",
    last_name="Jackson",
    emails=("Mary.Jackson@example.org",),
    phones=("+1 555 0100",),
    linkedin_url="https://www.linkedin.com/in/mary-jackson",
    current_title="Engineer",
    current_company="NACA",
)


class _TimeoutAfterApply(httpx.AsyncBaseTransport):
    """Passes requests on; the first matching write is applied, then its answer is lost."""

    def __init__(self, inner: httpx.AsyncBaseTransport, method: str, path: str) -> None:
        self.inner = inner
        self.target: tuple[str, str] | None = (method, path)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if self.target == (request.method, request.url.path):
            self.target = None
            await response.aread()
            raise httpx.ReadTimeout("applied, then timed out", request=request)
        return response


async def test_every_endpoint_is_granted_to_the_default_key_and_a_missing_one_shows() -> None:
    state = seeded()
    lever = client(transport(state))
    granted = await lever.check_permissions(ctx(state))
    assert {c.scope: c.status for c in granted} == {
        c.scope: PermissionStatus.GRANTED for c in granted
    }
    SandboxControl(state).add_api_key("narrow", ALL_PERMISSIONS - {"POST /opportunities/:id/notes"})
    narrow = {c.scope: c for c in await lever.check_permissions(ctx(state, key="narrow"))}
    missing = [s for s, c in narrow.items() if c.status is PermissionStatus.MISSING]
    assert missing == ["POST /opportunities/:id/notes"]
    assert narrow["POST /opportunities/:id/notes"].required
    # Probing changed nothing.
    assert len(state.tables["opportunities"]) == len(state.seed.opportunity_ids)
    assert state.webhooks.hooks == {}


async def test_a_refused_key_is_an_auth_error_and_the_admin_is_a_site_admin() -> None:
    state = seeded()
    lever = client(transport(state))
    with pytest.raises(AtsAuthError):
        await lever.verify_credentials(ctx(state, key="not-a-key"))
    await lever.verify_credentials(ctx(state))
    admin = await lever.find_user_by_email(ctx(state), "ADMIN@sandbox.example")
    assert admin is not None and admin.site_admin and admin.id == state.seed.admin_user_id
    employee = await lever.find_user_by_email(ctx(state), "erin.employee@sandbox.example")
    assert employee is not None and not employee.site_admin
    assert await lever.find_user_by_email(ctx(state), "dora.departed@sandbox.example") is None


async def test_open_jobs_are_the_published_and_internal_postings_with_the_account_stages() -> None:
    state = seeded()
    jobs = await client(transport(state)).list_jobs(ctx(state))
    open_ids = set(state.seed.published_posting_ids) | set(state.seed.internal_posting_ids)
    open_ids.add(state.seed.internal_site_posting_id)  # published on the internal job site alone
    assert {j.ats_id for j in jobs} == open_ids
    backend = next(j for j in jobs if j.title == "Backend Engineer")
    assert [d.name for d in backend.departments] == ["Engineering", "Platform"]
    assert [o.name for o in backend.offices] == ["London, UK"]
    assert backend.posts[0].url and backend.posts[0].url.endswith(backend.ats_id)
    orders = {s.name: s.order for s in backend.stages}
    assert orders["New lead"] == orders["New applicant"] == 0
    assert orders["Recruiter screen"] == 1 and orders["Offer"] == 5
    closed = await client(transport(state)).list_jobs(
        ctx(state), job_ids=[state.seed.closed_posting_id, "no-such-posting"]
    )
    assert [(j.ats_id, j.status) for j in closed] == [
        (state.seed.closed_posting_id, JobStatus.CLOSED)
    ]


async def test_the_incremental_sync_sees_every_posting_the_internal_site_only_one_included() -> (
    None
):
    # Lever allows `updated_at_*` on GET /postings only beside `confidentiality` (the sandbox answers
    # 400 otherwise), and a `state=published` list without both channels misses internal-site postings:
    # the client lists every posting unfiltered and keeps those changed since the time itself.
    state = seeded()
    jobs = await client(transport(state)).list_jobs(
        ctx(state), updated_since=datetime(2000, 1, 1, tzinfo=UTC)
    )
    ids = {j.ats_id for j in jobs}
    assert state.seed.internal_site_posting_id in ids
    assert state.seed.closed_posting_id in ids
    assert set(state.seed.published_posting_ids) <= ids
    later = await client(transport(state)).list_jobs(
        ctx(state), updated_since=datetime(2999, 1, 1, tzinfo=UTC)
    )
    assert later == []


async def test_an_export_makes_one_referred_opportunity_per_posting_for_one_contact() -> None:
    state = seeded()
    lever = client(transport(state))
    c = ctx(state)
    first, second = state.seed.published_posting_ids[4:6]
    referrer = await lever.resolve_referral(
        c, Referrer(name="Erin Employee", email="erin.employee@sandbox.example")
    )
    assert referrer == ReferralCredit("follower", state.seed.employee_user_ids[0])
    assert await lever.resolve_referral(c, Referrer("Out Sider", "out@example.org")) == (
        ReferralCredit("none")
    )
    made = await lever.create_candidate(
        c, NEW_PERSON, NewApplication(job_id=first, source_id="Intrro", referral=referrer)
    )
    opportunity = state.tables["opportunities"][made.application_id]
    assert opportunity["origin"] == "referred"
    assert opportunity["sources"] == ["Intrro"]
    assert "Intrro" in opportunity["tags"]
    assert state.seed.employee_user_ids[0] in opportunity["followers"]
    assert made.candidate_id == opportunity["contact"] and made.job_id == first

    found = await lever.find_candidates_by_email(c, ["mary.jackson@EXAMPLE.org"])
    assert [p.id for p in found] == [made.candidate_id]
    more = await lever.add_application(c, made.candidate_id, NewApplication(job_id=second))
    assert more.candidate_id == made.candidate_id and more.application_id != made.application_id
    snapshots = await lever.applications_of_candidate(c, made.candidate_id)
    assert sorted((s.job_id, s.state) for s in snapshots) == sorted(
        [(first, ApplicationState.ACTIVE), (second, ApplicationState.ACTIVE)]
    )

    marker = "[intrro:intro-mary]"
    assert not await lever.has_note(c, made.candidate_id, marker)
    await lever.add_note(c, made.candidate_id, made.application_id, f"Referred.\n\n{marker}")
    assert await lever.has_note(c, made.candidate_id, marker)
    await lever.tag_candidate(c, made.candidate_id, "Intrro")
    assert all(
        "Intrro" in state.tables["opportunities"][s.application_id]["tags"] for s in snapshots
    )


async def test_a_person_lever_knows_is_deduped_onto_their_contact() -> None:
    state = seeded()
    lever = client(transport(state))
    ada = CandidateProfile("Ada", "Lovelace", ("ada.lovelace@example.com",))
    made = await lever.create_candidate(
        ctx(state), ada, NewApplication(job_id=state.seed.published_posting_ids[6])
    )
    assert made.candidate_id == state.seed.contact_ids[0]


async def test_a_create_whose_answer_is_lost_is_found_again_not_sent_twice() -> None:
    state = seeded()
    flaky = _TimeoutAfterApply(transport(state), "POST", "/v1/opportunities")
    lever = client(flaky)
    posting = state.seed.published_posting_ids[7]
    made = await lever.create_candidate(ctx(state), NEW_PERSON, NewApplication(job_id=posting))
    assert flaky.target is None  # the answer was lost
    mine = [
        o
        for o in state.tables["opportunities"].values()
        if "mary.jackson@example.org"
        in [e.casefold() for e in state.tables["contacts"][o["contact"]]["emails"]]
    ]
    assert [o["id"] for o in mine] == [made.application_id]


async def test_reads_tell_hired_rejected_withdrawn_and_deleted() -> None:
    state = seeded()
    lever = client(transport(state))
    control = SandboxControl(state)
    new, moved, archived, _ = state.seed.opportunity_ids
    control.archive(new, kind="withdrawn")
    control.hire(moved)
    by_id = {
        s.application_id: s
        for s in await lever.get_applications(ctx(state), [new, moved, archived])
    }
    assert by_id[new].state is ApplicationState.REJECTED
    assert by_id[new].rejection is not None and by_id[new].rejection.kind is RejectionKind.CANDIDATE
    assert by_id[moved].state is ApplicationState.HIRED
    assert by_id[archived].rejection is not None
    assert by_id[archived].rejection.kind is RejectionKind.COMPANY
    control.delete(archived)
    assert [s.application_id for s in await lever.get_applications(ctx(state), [archived])] == []


async def test_connect_makes_one_hook_per_event_adopts_them_and_removes_them() -> None:
    state = seeded()
    lever = client(transport(state))
    c = ctx(state)
    events = [e for e, _ in LeverWebhookTranslator().subscriptions()]
    url = "https://gw.example/webhooks/lever/acme"
    hooks = await ensure_hooks(lever.http, c, url, events, {})
    assert sorted(h.event for h in hooks) == sorted(events)
    assert {h.token for h in hooks} == {state.webhooks.hooks[h.id].signature_token for h in hooks}
    again = await ensure_hooks(lever.http, c, url, events, {h.id: h.token for h in hooks})
    assert again == hooks and len(state.webhooks.hooks) == len(events)
    fresh = await ensure_hooks(lever.http, c, url, events, {})  # tokens lost: made anew
    assert not {h.id for h in fresh} & {h.id for h in hooks}
    assert len(state.webhooks.hooks) == len(events)
    for hook in fresh:
        await remove_hook(lever.http, c, hook.id)
    await remove_hook(lever.http, c, fresh[0].id)  # already gone: fine
    assert state.webhooks.hooks == {}


async def test_the_client_keeps_to_levers_steady_rate_and_waits_out_a_429() -> None:
    state = seeded_state()  # Lever's own limit: 10 a second, bursts of 20
    lever = LeverAtsClient(
        httpx.AsyncClient(transport=transport(state)),
        base_url="http://lever.test",
        settings=LeverSettings(min_interval=0.05, default_retry_after=0.2),
    )
    for _ in range(40):
        await lever.verify_credentials(ctx(state))  # would raise AtsRateLimitedError unpaced
    assert state.request_count("/v1/users") >= 40


async def test_the_connector_makes_the_hooks_or_returns_no_token_without_the_permission() -> None:
    state = seeded()
    lever = client(transport(state))
    connector = LeverConnector()
    url = "https://gw.example/webhooks/lever/acme"
    assert connector.credentials({"api_key": " key "}).client_secret == "key"
    setup = await connector.setup_webhooks(lever, ctx(state), url)
    tokens = setup.tokens
    assert setup.created and setup.problem is None
    assert "switched on" in " ".join(setup.steps)  # Lever's event groups, a Super Admin's switch
    assert sorted(tokens) == sorted(h.signature_token for h in state.webhooks.hooks.values())
    assert len(tokens) == len(LeverWebhookTranslator().subscriptions())
    assert await connector.remove_webhooks(lever, ctx(state), url) == len(tokens)
    assert state.webhooks.hooks == {}
    SandboxControl(state).add_api_key("no-hooks", ALL_PERMISSIONS - {"POST /webhooks"})
    refused = await connector.setup_webhooks(lever, ctx(state, key="no-hooks"), url)
    assert (refused.tokens, refused.created) == ((), False)
    assert refused.steps and refused.problem and "POST /webhooks" in refused.problem
    assert state.webhooks.hooks == {}


async def test_the_gateways_source_is_always_there_as_lever_makes_it_on_use() -> None:
    state = seeded()
    sources = await client(transport(state)).list_sources(ctx(state))
    assert "LinkedIn" in [s.name for s in sources]  # the seeded opportunities' source
    assert [s.type for s in sources if s.name == "Intrro"] == ["created on first use"]


async def test_a_new_person_reads_back_as_the_profile_it_was_made_from() -> None:
    state = seeded()
    lever = client(transport(state))
    posting = state.seed.published_posting_ids[7]
    made = await lever.create_candidate(ctx(state), NEW_PERSON, NewApplication(job_id=posting))

    held = await lever.get_candidate(ctx(state), made.candidate_id)

    assert held is not None
    assert (held.first_name, held.last_name) == ("Mary", "Jackson")
    assert (held.title, held.company) == ("Engineer", "NACA")  # the headline "Engineer at NACA"
    assert held.social_profiles == ("https://www.linkedin.com/in/mary-jackson",)
    assert held.websites == ()
    assert held.phones == ("+1 555 0100",)


async def test_a_merge_adds_what_lever_lacks_in_one_contact_write_and_one_links_write() -> None:
    state = seeded()
    lever = client(transport(state))
    contact = state.seed.contact_ids[0]
    held = await lever.get_candidate(ctx(state), contact)
    assert held is not None
    changes = CandidateChanges(
        emails=(held.emails[0].upper(), "second@example.com"),
        phones=("+1 (555) 0199",),
        linkedin_url="https://linkedin.com/in/ada",
        websites=("https://ada.example",),
        current_title="Countess",
    )

    await lever.update_candidate(ctx(state), contact, changes)
    await lever.update_candidate(ctx(state), contact, changes)  # a repeat writes nothing

    after = await lever.get_candidate(ctx(state), contact)
    assert after is not None
    assert after.emails == (*held.emails, "second@example.com")
    assert "+1 (555) 0199" in after.phones and set(held.phones) <= set(after.phones)
    assert after.social_profiles == ("https://linkedin.com/in/ada",)
    assert "https://ada.example" in after.websites
    assert after.first_name == held.first_name
    contact_writes = [r for r in state.requests if r.method == "PUT"]
    link_writes = [r for r in state.requests if r.path.endswith("/addLinks")]
    assert [r.path for r in contact_writes] == [f"/v1/contacts/{contact}"]
    assert len(link_writes) == 1


async def test_a_merge_without_the_contact_permission_still_adds_the_links() -> None:
    state = seeded()
    SandboxControl(state).add_api_key("no-contacts", ALL_PERMISSIONS - {"PUT /contacts/:id"})
    lever = client(transport(state))
    contact = state.seed.contact_ids[0]
    changes = CandidateChanges(emails=("second@example.com",), websites=("https://ada.example",))

    await lever.update_candidate(ctx(state, key="no-contacts"), contact, changes)

    after = await lever.get_candidate(ctx(state), contact)
    assert after is not None
    assert "second@example.com" not in after.emails
    assert "https://ada.example" in after.websites


def test_a_contact_updated_hook_is_a_profile_change_of_the_contact() -> None:
    body = (
        b'{"id": "e1", "event": "contactUpdated", "triggeredAt": 1765141200123,'
        b' "data": {"contactId": "c-1"}, "token": "t", "signature": "s"}'
    )

    translation = LeverWebhookTranslator().translate(body)

    assert translation.signals == (CandidateProfileChanged(candidate_id="c-1"),)
