"""The Harvest client against the bundled Greenhouse sandbox, in process (`httpx.ASGITransport`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from intrro_gateway.adapters.greenhouse.harvest import GreenhouseAtsClient, HarvestSettings
from intrro_gateway.domain.candidates import CandidateChanges, CandidateProfile, Referrer
from intrro_gateway.domain.signals import ApplicationState, RejectionKind
from intrro_gateway.domain.tenant import AtsCredentials
from intrro_gateway.ports.ats import AtsContext, NewApplication, PermissionStatus, ReferralCredit
from intrro_gateway.sandboxes.greenhouse import SandboxState, create_sandbox_app, seeded_state
from tests.fakes.clock import FakeClock
from tests.integration.greenhouse.harvest_fake import HARVEST_NOW

BASE = "http://sandbox.test"


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


def _client(transport: httpx.AsyncBaseTransport) -> GreenhouseAtsClient:
    clock = FakeClock(HARVEST_NOW)
    clock.current = datetime.now(UTC)
    return GreenhouseAtsClient(
        httpx.AsyncClient(transport=transport),
        base_url=BASE,
        auth_url=BASE,
        settings=HarvestSettings(reread_delay=0.0),
        clock=clock,
        sleep=clock.sleep,
    )


def _ctx(user_id: int | None = SandboxState.DEFAULT_USER_ID) -> AtsContext:
    return AtsContext(
        tenant_id="acme",
        credentials=AtsCredentials(
            client_id=SandboxState.DEFAULT_CLIENT_ID,
            client_secret=SandboxState.DEFAULT_CLIENT_SECRET,
            user_id=None if user_id is None else str(user_id),
        ),
        ats="greenhouse",
    )


@pytest.fixture
def state() -> SandboxState:
    return seeded_state()


@pytest.fixture
def client(state: SandboxState) -> GreenhouseAtsClient:
    return _client(httpx.ASGITransport(app=create_sandbox_app(state)))


PROFILE = CandidateProfile(
    first_name="Margaret",
    last_name="Hamilton",
    emails=("margaret@example.com",),
    phones=("+1 617 555 0100",),
    linkedin_url="https://linkedin.com/in/mh",
    current_company="MIT",
)


async def test_the_account_checks_pass_on_the_seeded_sandbox(
    client: GreenhouseAtsClient, state: SandboxState
) -> None:
    await client.verify_credentials(_ctx())
    admin = await client.find_user_by_email(_ctx(None), "admin@sandbox.example")
    checks = await client.check_permissions(_ctx())
    sources = await client.list_sources(_ctx())

    assert admin is not None and admin.id == str(SandboxState.DEFAULT_USER_ID) and admin.site_admin
    assert all(c.status is PermissionStatus.GRANTED for c in checks if c.required)
    assert "Intrro" in [s.name for s in sources]


async def test_the_permission_probes_find_a_missing_scope_without_introspection(
    state: SandboxState,
) -> None:
    from intrro_gateway.sandboxes.greenhouse.state import ALL_SCOPES

    state.add_credential(
        "limited", "limited-secret", scopes=set(ALL_SCOPES) - {"harvest:referrers:list"},
        introspection=False,
    )  # fmt: skip
    client = _client(httpx.ASGITransport(app=create_sandbox_app(state)))
    ctx = AtsContext(
        tenant_id="acme",
        credentials=AtsCredentials("limited", "limited-secret", str(SandboxState.DEFAULT_USER_ID)),
        ats="greenhouse",
    )

    checks = {c.scope: c.status for c in await client.check_permissions(ctx)}

    assert checks["harvest:referrers:list"] is PermissionStatus.MISSING
    assert checks["harvest:jobs:list"] is PermissionStatus.GRANTED
    assert checks["harvest:notes:create"] is PermissionStatus.UNVERIFIED


async def test_a_full_job_import_reads_five_lists_and_describes_every_open_job(
    client: GreenhouseAtsClient, state: SandboxState
) -> None:
    jobs = await client.list_jobs(_ctx())

    assert sorted(int(j.ats_id) for j in jobs) == sorted(state.seed.open_job_ids)
    assert all(j.is_open and j.departments and j.offices and j.posts for j in jobs)
    assert all(p.url and "gh_jid" in p.url for j in jobs for p in j.posts)
    first = jobs[0].ordered_stages
    assert first[0].name == "Application Review" and first[-1].name == "Offer"
    paths = [r.path for r in state.requests if r.path.startswith("/v3/")]
    assert paths == [
        "/v3/jobs",
        "/v3/job_posts",
        "/v3/job_interview_stages",
        "/v3/departments",
        "/v3/offices",
    ]


async def test_an_introduction_is_exported_and_annotated_end_to_end(
    client: GreenhouseAtsClient, state: SandboxState
) -> None:
    ctx = _ctx()
    job_id = str(state.seed.open_job_ids[5])
    employee = await client.find_user_by_email(ctx, "erin.employee@sandbox.example")
    credit = await client.resolve_referral(ctx, Referrer("Erin", "erin.employee@sandbox.example"))
    no_row = await client.resolve_referral(ctx, Referrer("Noah", "noah.noreferrer@sandbox.example"))
    source = next(s for s in await client.list_sources(ctx) if s.name == "Intrro")

    assert employee is not None and credit.kind == "referrer"
    assert no_row == ReferralCredit("custom_field")
    assert await client.find_candidates_by_email(ctx, PROFILE.emails) == []

    created = await client.create_candidate(
        ctx, PROFILE, NewApplication(job_id=job_id, source_id=source.id, referral=credit)
    )
    await client.tag_candidate(ctx, created.candidate_id, "Intrro")
    await client.tag_candidate(ctx, created.candidate_id, "Intrro")
    await client.add_note(ctx, created.candidate_id, created.application_id, "Hi [intrro:1]")
    await client.record_referrer(ctx, created.candidate_id, Referrer("Noah", "noah@x.example"))
    await client.update_candidate(
        ctx, created.candidate_id, CandidateChanges(emails=("m.hamilton@nasa.example",), phones=())
    )

    assert created.stage is not None and created.stage.name == "Application Review"
    application = state.get("applications", int(created.application_id))
    assert application["source_id"] == int(source.id)
    assert application["referrer_id"] == int(credit.referrer_id or 0)
    assert await client.has_note(ctx, created.candidate_id, "[intrro:1]")
    (found,) = await client.find_candidates_by_email(ctx, ["M.Hamilton@nasa.example"])
    assert found.emails == ("margaret@example.com", "m.hamilton@nasa.example")
    assert found.phones == ("+1 617 555 0100",)
    assert found.tags == ("Intrro",)
    candidate = state.get("candidates", int(created.candidate_id))
    assert any("noah@x.example" in str(v) for v in candidate["custom_fields"].values())


async def test_a_create_that_times_out_after_the_sandbox_applied_it_is_not_sent_twice(
    state: SandboxState,
) -> None:
    transport = _TimeoutAfterApply(
        httpx.ASGITransport(app=create_sandbox_app(state)), "POST", "/v3/candidates"
    )
    client = _client(transport)
    before = len(state.table("candidates"))

    created = await client.create_candidate(
        _ctx(), PROFILE, NewApplication(job_id=str(state.seed.open_job_ids[0]))
    )

    assert state.request_count("/v3/candidates", "POST") == 1
    assert len(state.table("candidates")) == before + 1
    assert int(created.candidate_id) in state.table("candidates")


async def test_seeded_applications_read_with_their_stage_and_rejection(
    client: GreenhouseAtsClient, state: SandboxState
) -> None:
    ids = [str(i) for i in state.seed.application_ids]

    snaps = {s.application_id: s for s in await client.get_applications(_ctx(), ids)}

    new, moved, rejected, hired = (snaps[i] for i in ids)
    assert new.state is ApplicationState.ACTIVE and new.stage is not None
    assert new.stage.name == "Application Review"
    assert moved.stage is not None and moved.stage.name == "Phone Screen"
    assert rejected.state is ApplicationState.REJECTED
    assert rejected.rejection is not None and rejected.rejection.kind is RejectionKind.COMPANY
    assert hired.state is ApplicationState.HIRED
    since = datetime.now(UTC) - timedelta(hours=1)
    changed = await client.applications_changed_since(_ctx(), since, ids[:2])
    assert {s.application_id for s in changed} == set(ids[:2])


async def test_a_token_the_sandbox_expired_mid_run_is_replaced_once(
    client: GreenhouseAtsClient, state: SandboxState
) -> None:
    await client.list_sources(_ctx())
    state.clock.advance(2 * 3600)  # the sandbox's token is now expired; the client's clock is not

    assert await client.list_sources(_ctx())
    assert client.tokens.minted == 2
