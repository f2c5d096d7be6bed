"""The console in a real browser: one company's story from sign-in to a replayed push, step by step
(the steps share one stack and one tab, in file order), and a tenant token kept to its own tenant.

Each page is photographed as it is visited: into a temporary folder, or into docs/console/ with
GATEWAY_UPDATE_SCREENSHOTS=1 (see docs/console.md)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from intrro_gateway.sandboxes.greenhouse._scopes import ALL_SCOPES
from intrro_gateway.services.access import create_token
from tests.browser.conftest import Shoot
from tests.browser.stack import OPERATOR_TOKEN, Stack
from tests.e2e.live import ADMIN_EMAIL
from tests.e2e.live_events import accepted_data, intrro_envelope, intrro_signed

pytestmark = pytest.mark.browser

TENANT = "globex"
MISSING_SCOPE = "harvest:jobs:list"
CLIENT_ID = "console-client"
CLIENT_SECRET = "console-secret-0123456789"
INTRO = "intro-console-1"

# What the steps learn and later steps need.
found: dict[str, Any] = {}


def sign_in(page: Page, stack: Stack, token: str) -> None:
    page.goto(f"{stack.gateway_url}/console/sign-in")
    page.get_by_label("API token").fill(token)
    page.get_by_role("button", name="Sign in").click()


def test_sign_in_refuses_a_wrong_token_then_takes_the_operators(
    page: Page, stack: Stack, shoot: Shoot
) -> None:
    page.goto(f"{stack.gateway_url}/console/tenants")
    expect(page).to_have_url(re.compile(r"/console/sign-in$"))
    shoot(page, "sign-in")
    sign_in(page, stack, "not-a-token")
    expect(page.get_by_role("alert")).to_contain_text("not valid")
    sign_in(page, stack, OPERATOR_TOKEN)
    expect(page).to_have_url(re.compile(r"/console/tenants$"))
    expect(page.get_by_role("heading", name="Tenants", exact=True)).to_be_visible()
    cookie = next(c for c in page.context.cookies() if c["name"] == "igw_console")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert OPERATOR_TOKEN not in cookie["value"]  # encrypted, not only signed


def test_a_form_without_the_sessions_csrf_token_is_refused(page: Page, stack: Stack) -> None:
    answer = page.request.post(
        f"{stack.gateway_url}/console/tenants", form={"id": "forged", "csrf": "guess"}
    )
    assert answer.status == 403
    page.goto(f"{stack.gateway_url}/console/tenants")
    expect(page.get_by_role("cell", name="forged")).to_have_count(0)


def test_create_a_tenant_shows_its_secrets_once(page: Page, stack: Stack, shoot: Shoot) -> None:
    page.goto(f"{stack.gateway_url}/console/tenants")
    page.get_by_label("Tenant id").fill(TENANT)
    page.get_by_label("Intrro callback URL").fill(f"{stack.receiver_url}/intrro/{TENANT}")
    page.get_by_role("button", name="Create tenant").click()
    expect(page.get_by_role("heading", name=f"Tenant {TENANT} created")).to_be_visible()
    secret = page.locator("dt:text-is('intrro_secret') + dd code").inner_text()
    assert secret.startswith("whsec_")
    stack.receiver.use_secret(secret)
    found["intrro_secret"] = secret
    shoot(page, "tenants")
    page.goto(f"{stack.gateway_url}/console/tenants")
    expect(page.get_by_text(secret)).to_have_count(0)  # shown once
    expect(page.get_by_role("link", name=TENANT)).to_be_visible()


def test_connect_with_a_credential_missing_one_permission_lists_it(
    page: Page, stack: Stack, shoot: Shoot
) -> None:
    stack.sandbox(
        "POST",
        "/_sandbox/credentials",
        json={
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "scopes": sorted(ALL_SCOPES - {MISSING_SCOPE}),
        },
    )
    page.goto(f"{stack.gateway_url}/console/tenants/{TENANT}/integration")
    page.get_by_label("Client id").fill(CLIENT_ID)
    page.get_by_label("Client secret").fill(CLIENT_SECRET)
    page.get_by_label("E-mail of the user writes go under").fill(ADMIN_EMAIL)
    page.get_by_role("button", name="Check and connect").click()
    expect(page.locator("#report-verdict")).to_have_text("needs fixing")
    missing = page.locator(".perm-missing")
    expect(missing).to_have_count(1)
    expect(missing).to_have_attribute("data-scope", MISSING_SCOPE)
    expect(page.locator("#fix-steps")).to_contain_text(MISSING_SCOPE)
    expect(page.get_by_label("Client secret")).to_have_value("")  # never shown again
    found["webhook_url"] = page.locator("dt:text-is('URL') + dd code").inner_text()
    found["webhook_secret"] = page.locator("dt:text-is('Secret key') + dd code").inner_text()
    shoot(page, "integration-missing")


def test_fix_the_permission_and_check_again_turns_green(
    page: Page, stack: Stack, shoot: Shoot
) -> None:
    # The admin grants the scope in Greenhouse, and pastes the web hook the report gave.
    stack.sandbox(
        "POST",
        "/_sandbox/credentials",
        json={"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET},
    )
    stack.sandbox(
        "POST",
        "/_sandbox/webhooks",
        json={"url": found["webhook_url"], "secret": found["webhook_secret"]},
    )
    page.goto(f"{stack.gateway_url}/console/tenants/{TENANT}/integration")
    expect(page.get_by_text(found["webhook_secret"])).to_have_count(0)  # shown once
    page.get_by_role("button", name="Check again").click()
    expect(page.locator("#report-verdict")).to_have_text("ready")
    expect(page.locator(".perm-missing")).to_have_count(0)
    shoot(page, "integration")


def test_import_jobs_lists_them_with_departments_offices_posts_and_stages(
    page: Page, stack: Stack, shoot: Shoot
) -> None:
    page.goto(f"{stack.gateway_url}/console/tenants/{TENANT}/jobs")
    page.get_by_role("button", name="Import now").click()
    expect(page.locator("#import-progress")).to_contain_text("Import finished", timeout=20_000)
    rows = page.locator("#jobs tbody tr")
    opened = len(stack.sandbox_state.seed.open_job_ids)
    expect(rows).to_have_count(opened)
    first = rows.first
    expect(first.locator("td").nth(0)).not_to_have_text("—")  # departments
    expect(first.locator("ol.stages li").first).to_be_visible()
    shoot(page, "jobs")
    found["job_id"] = str(stack.sandbox_state.seed.open_job_ids[0])


def test_an_introduction_shows_under_interviewing_after_a_recruiter_moves_it(
    page: Page, stack: Stack, shoot: Shoot
) -> None:
    job = found["job_id"]
    body = intrro_envelope("introduction.accepted", accepted_data(INTRO, [job]))
    answer = stack.http.post(
        f"{stack.gateway_url}/events/intrro/{TENANT}",
        content=body,
        headers=intrro_signed(body, found["intrro_secret"]),
    )
    assert answer.status_code == 202, answer.text
    stack.wait_until("the export", lambda: _pushed(stack, "introduction.exported"))
    application = _application_of(stack)
    jobs = stack.http.get(
        f"{stack.gateway_url}/api/tenants/{TENANT}/jobs",
        headers={"Authorization": f"Bearer {OPERATOR_TOKEN}"},
    ).json()["jobs"]
    stages = next(j for j in jobs if j["id"] == job)["stages"]
    phone = next(s for s in stages if s["name"] == "Phone Screen")
    stack.sandbox(
        "POST", f"/_sandbox/applications/{application}/move", json={"to_stage_id": int(phone["id"])}
    )
    stack.wait_until("the status push", lambda: _pushed(stack, "application.status_changed"))
    page.goto(f"{stack.gateway_url}/console/tenants/{TENANT}/pipeline")
    page.get_by_role("link", name=re.compile(r"^Interviewing \(1\)$")).click()
    expect(page.get_by_role("heading", name=f"Interviewing of {TENANT}")).to_be_visible()
    expect(page.locator("#applications tbody tr")).to_have_count(1)
    expect(page.locator("#applications")).to_contain_text("Phone Screen")
    shoot(page, "pipeline-interviewing")
    page.get_by_role("link", name=INTRO).click()
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("accepted")
    expect(timeline).to_contain_text("applied → interviewing")
    expect(timeline).to_contain_text("push introduction.exported")
    expect(timeline).to_contain_text("push application.status_changed")
    shoot(page, "introduction")


def test_a_dead_push_is_replayed_after_the_receiver_comes_back(
    page: Page, stack: Stack, shoot: Shoot
) -> None:
    stack.kill_receiver()
    before = datetime.now(UTC) - timedelta(seconds=1)
    application = _application_of(stack)
    stack.sandbox("POST", f"/_sandbox/applications/{application}/reject", json={"kind": "company"})
    page.goto(f"{stack.gateway_url}/console/tenants/{TENANT}/deliveries")

    def dead_row_shown() -> bool:
        page.reload()
        return page.locator("#deliveries tbody tr button").count() > 0

    stack.wait_until("the dead push", dead_row_shown)
    expect(page.locator("#deliveries")).to_contain_text("application.status_changed")
    shoot(page, "deliveries-dead")
    stack.start_receiver()
    page.get_by_role("button", name=re.compile(r"^Replay ")).first.click()
    expect(page.get_by_role("status")).to_contain_text("queued again")
    stack.wait_until("the replayed push", lambda: "rejected" in _statuses(stack))
    page.goto(f"{stack.gateway_url}/console/tenants/{TENANT}/deliveries")
    expect(page.locator("#deliveries tbody")).to_contain_text("No dead item")
    # Replay-all-since answers with a count (nothing is dead now).
    page.get_by_label("Since (UTC)").fill(before.strftime("%Y-%m-%dT%H:%M:%S"))
    page.get_by_role("button", name="Replay all since").click()
    expect(page.get_by_role("status")).to_contain_text("0 dead items since")
    shoot(page, "deliveries")


def test_tenant_settings_rotate_a_secret_shown_once(page: Page, stack: Stack, shoot: Shoot) -> None:
    page.goto(f"{stack.gateway_url}/console/tenants/{TENANT}")
    page.get_by_role("button", name="Rotate the ats_webhook secret").click()
    secret = page.locator("#new-secret").inner_text()
    assert len(secret) >= 16
    shoot(page, "tenant-settings")
    page.goto(f"{stack.gateway_url}/console/tenants/{TENANT}")
    expect(page.get_by_text(secret)).to_have_count(0)


def test_a_tenant_token_sees_its_own_tenant_only(
    browser: Browser, stack: Stack, shoot: Shoot
) -> None:
    other = stack.http.put(
        f"{stack.gateway_url}/api/tenants/initech",
        headers={"Authorization": f"Bearer {OPERATOR_TOKEN}"},
        json={},
    )
    assert other.status_code == 201, other.text
    token = _tenant_token(stack, TENANT)
    context = browser.new_context(viewport={"width": 390, "height": 844})  # a phone
    tab = context.new_page()
    try:
        sign_in(tab, stack, token)
        expect(tab).to_have_url(re.compile(rf"/console/tenants/{TENANT}/integration$"))
        expect(tab.get_by_role("link", name="Tenants")).to_have_count(0)
        shoot(tab, "integration-narrow")
        for path in (
            "/console/tenants",
            "/console/tenants/initech",
            "/console/tenants/initech/jobs",
        ):
            answer = tab.goto(f"{stack.gateway_url}{path}")
            assert answer is not None and answer.status == 404, path
        refused = tab.request.post(
            f"{stack.gateway_url}/console/tenants/initech/deliveries/replay",
            form={"since": "2026-01-01T00:00", "csrf": "x"},
        )
        assert refused.status == 404
        tab.goto(f"{stack.gateway_url}/console/tenants/{TENANT}/pipeline")
        expect(tab.get_by_role("heading", name=f"Pipeline of {TENANT}")).to_be_visible()
        tab.get_by_role("button", name="Sign out").click()
        expect(tab).to_have_url(re.compile(r"/console/sign-in$"))
        answer = tab.goto(f"{stack.gateway_url}/console/tenants/{TENANT}/pipeline")
        expect(tab).to_have_url(re.compile(r"/console/sign-in$"))
    finally:
        context.close()


# -- helpers -----------------------------------------------------------------------------------


def _pushed(stack: Stack, type_: str) -> bool:
    return any(
        e.type == type_ and e.data.get("introduction_id") == INTRO for e in stack.receiver.received
    )


def _statuses(stack: Stack) -> list[str]:
    return [
        e.data["status"]
        for e in stack.receiver.received
        if e.type == "application.status_changed" and e.data.get("introduction_id") == INTRO
    ]


def _application_of(stack: Stack) -> str:
    exported = next(e for e in stack.receiver.received if e.type == "introduction.exported")
    return str(exported.data["applications"][0]["application_id"])


def _tenant_token(stack: Stack, tenant: str) -> str:
    """A company admin's token, made by the same use case as `intrro-gateway token create`."""

    async def make() -> str:
        runtime = stack.app.state.runtime
        return (await create_token(runtime.deps, "console admin", tenant)).value

    return stack.call(make)
