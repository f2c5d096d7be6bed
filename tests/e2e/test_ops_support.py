"""Shared by the operations tests (no tests here): the real gateway app and container, its real Harvest
client talking to one or more Greenhouse sandboxes through `httpx.ASGITransport`, the sandboxes' web
hooks posted back into the gateway app the same way, all on the test's own event loop, without sockets.

The worker does not run in the background: `OpsGateway.settle()` delivers the sandboxes' pending web
hooks and runs the worker until nothing is left, so every count a test asserts is deterministic.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from dependency_injector import providers
from starlette.applications import Starlette

from intrro_gateway.entrypoints.container import Container, build_container
from intrro_gateway.entrypoints.http import create_app
from intrro_gateway.sandboxes.greenhouse import SandboxControl, SandboxState, create_sandbox_app
from intrro_gateway.sandboxes.greenhouse.state import LoggedRequest
from intrro_gateway.services.bus import MessageBus
from intrro_gateway.services.deps import Dependencies
from intrro_gateway.services.worker import Worker
from tests.e2e.http_support import AUTH, INTRRO_SECRET, gateway_settings
from tests.fakes.referral_platform import FakeReferralPlatform

GATEWAY = "https://gateway.test"
ADMIN_EMAIL = "admin@sandbox.example"
NON_ADMIN_EMAIL = "rita.recruiter@sandbox.example"
SETTLE_ROUNDS = 100


class RoutingTransport(httpx.AsyncBaseTransport):
    """Sends each Harvest request to the sandbox of the credential that made it: by the Basic client id
    at `/token` and `/introspect`, by the bearer token (remembered from `/token`) everywhere else.
    Two sandboxes seeded alike hold the same ids and e-mails: two ATS accounts that collide."""

    def __init__(self, sandboxes: Mapping[str, httpx.AsyncBaseTransport]) -> None:
        self.by_client = dict(sandboxes)
        self.by_token: dict[str, httpx.AsyncBaseTransport] = {}
        self.fallback = next(iter(self.by_client.values()))  # answers unknown clients (401)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Forward the request to its account's sandbox."""
        authorization = request.headers.get("authorization", "")
        if authorization.startswith("Basic "):
            client_id = base64.b64decode(authorization[6:]).decode().split(":", 1)[0]
            target = self.by_client.get(client_id, self.fallback)
            response = await target.handle_async_request(request)
            if request.url.path == "/token" and response.status_code == 200:
                await response.aread()
                self.by_token[json.loads(response.content)["access_token"]] = target
            return response
        token = authorization.removeprefix("Bearer ")
        target = self.by_token.get(token, self.fallback)
        return await target.handle_async_request(request)


@dataclass
class OpsGateway:
    """The running gateway: an httpx client on its app, its dependencies, bus and worker, and the
    sandboxes behind it (each with its control, whose web hooks reach this gateway)."""

    container: Container
    app: Starlette
    client: httpx.AsyncClient
    platform: FakeReferralPlatform
    sandboxes: dict[str, SandboxState]
    controls: dict[str, SandboxControl]
    worker: Worker
    deps: Dependencies = field(init=False)
    bus: MessageBus = field(init=False)

    def __post_init__(self) -> None:
        runtime = self.app.state.runtime
        self.deps = runtime.deps
        self.bus = runtime.bus

    @property
    def sandbox(self) -> SandboxState:
        """The only (or the first) sandbox."""
        return next(iter(self.sandboxes.values()))

    @property
    def control(self) -> SandboxControl:
        """The control of the only (or the first) sandbox."""
        return next(iter(self.controls.values()))

    async def settle(self) -> int:
        """Deliver pending web hooks, finish background jobs and run the worker until it is idle;
        returns how many queue items ran."""
        ran = 0
        for _ in range(SETTLE_ROUNDS):
            for control in self.controls.values():
                await control.flush()
            runtime = self.app.state.runtime
            while runtime.background:
                await next(iter(runtime.background))
            handled = await self.worker.run_once()
            ran += handled
            if handled == 0:
                return ran
        raise AssertionError(f"the gateway did not settle after {SETTLE_ROUNDS} rounds")

    async def create_tenant(
        self, tenant: str, webhook_secret: str, intrro_secret: str = INTRRO_SECRET
    ) -> dict[str, Any]:
        """Create a tenant through the API with known secrets, calling back `intrro.test/<tenant>`."""
        body = {
            "intrro_callback_url": f"https://intrro.test/{tenant}",
            "intrro_secret": intrro_secret,
            "greenhouse_webhook_secret": webhook_secret,
        }
        response = await self.client.put(f"/api/tenants/{tenant}", json=body, headers=AUTH)
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    async def connect(
        self, tenant: str, client_id: str, client_secret: str, email: str = ADMIN_EMAIL
    ) -> httpx.Response:
        """Post a Greenhouse credential for the tenant; answers the report (or the refusal)."""
        body = {"client_id": client_id, "client_secret": client_secret, "user_email": email}
        return await self.client.post(
            f"/api/tenants/{tenant}/connections/greenhouse", json=body, headers=AUTH
        )

    async def status(self, tenant: str) -> dict[str, Any]:
        """`GET .../connections/greenhouse`."""
        response = await self.client.get(
            f"/api/tenants/{tenant}/connections/greenhouse", headers=AUTH
        )
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        return answer

    async def jobs(self, tenant: str, **params: str) -> list[dict[str, Any]]:
        """Every job `GET /api/tenants/{t}/jobs` lists with these parameters, following the cursor."""
        jobs: list[dict[str, Any]] = []
        query = dict(params)
        while True:
            response = await self.client.get(
                f"/api/tenants/{tenant}/jobs", params=query, headers=AUTH
            )
            assert response.status_code == 200, response.text
            page = response.json()
            jobs += page["jobs"]
            if page["next_cursor"] is None:
                return jobs
            query = {**params, "cursor": page["next_cursor"]}


@asynccontextmanager
async def ops_gateway(
    tmp_path: Path, database_url: str, sandboxes: Mapping[str, SandboxState]
) -> AsyncIterator[OpsGateway]:
    """The gateway on the database, its Harvest client routed by credential to the sandboxes (keyed by
    client id: one sandbox may appear under several), the app's lifespan running."""
    settings = gateway_settings(tmp_path, database_url, GATEWAY_BACKOFF_BASE="10ms")
    container = build_container(settings)
    platform = FakeReferralPlatform()
    container.intrro_platform.override(providers.Object(platform))
    app = create_app(container, run_worker=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=GATEWAY
    ) as client:
        transports: dict[int, httpx.ASGITransport] = {}
        for state in sandboxes.values():
            if id(state) not in transports:
                sandbox_app = create_sandbox_app(state, webhook_client=client)
                transports[id(state)] = httpx.ASGITransport(app=sandbox_app)
        routes = {cid: transports[id(state)] for cid, state in sandboxes.items()}
        container.http_transport.override(providers.Object(RoutingTransport(routes)))
        async with app.router.lifespan_context(app):
            controls = {cid: SandboxControl(state, client) for cid, state in sandboxes.items()}
            yield OpsGateway(
                container=container,
                app=app,
                client=client,
                platform=platform,
                sandboxes=dict(sandboxes),
                controls=controls,
                worker=container.worker(),
            )


def webhooks_to(gw: OpsGateway, client_id: str, tenant: str, secret: str) -> None:
    """Point a sandbox's web hooks at the tenant's route, signed with the tenant's secret."""
    gw.controls[client_id].configure_webhooks(f"{GATEWAY}/webhooks/greenhouse/{tenant}", secret)


def requests_since(state: SandboxState, mark: int) -> list[LoggedRequest]:
    """The requests the sandbox received after the first `mark` ones."""
    return state.requests[mark:]


def describe(requests: list[LoggedRequest]) -> str:
    """`METHOD path` per request, one a line, for failure messages and printed counts."""
    return "\n".join(f"{r.method} {r.path}" for r in requests)


def add_open_job(state: SandboxState, name: str) -> int:
    """Add an open job with two stages and a live post to the sandbox (no web hook fired)."""
    stamp = state.clock.stamp()
    department = state.seed.department_ids[0]
    office = state.seed.office_ids[0]
    job = state.insert(
        "jobs",
        {
            "name": name,
            "requisition_id": f"REQ-{name}",
            "notes": None,
            "confidential": False,
            "status": "open",
            "opened_at": stamp,
            "closed_at": None,
            "is_template": False,
            "copied_from_id": None,
            "department_id": department,
            "office_ids": [office],
            "custom_fields": {},
        },
    )
    for order, stage in enumerate(("Application Review", "Offer")):
        state.insert(
            "job_interview_stages",
            {"job_id": job["id"], "name": stage, "sort_order": order, "active": True},
        )
    post_id = state.new_id()
    state.insert(
        "job_posts",
        {
            "id": post_id,
            "title": name,
            "job_id": job["id"],
            "job_board_id": 4_000_000_010,
            "internal": False,
            "internal_content": None,
            "content": f"<p>{name}</p>",
            "active": True,
            "live": True,
            "featured": False,
            "first_published_at": stamp,
            "language": "en",
            "demographic_question_set_id": None,
            "questions": [],
            "public_url": f"{state.BOARD_URL}/jobs/{post_id}?gh_jid={post_id}",
            "_location": state.tables["offices"][office]["location"],
        },
    )
    return int(job["id"])


async def sandbox_clock_caught_up(state: SandboxState) -> None:
    """Wait until the wall clock is in a later second than every record stamp of the sandbox.

    Stamps strictly increase, 1 ms apart when the wall clock has not moved, so seeding hundreds of
    records dates some slightly in the future; and the Harvest client asks for changes since a time
    cut to the second (a safe overlap). Either way a sync right after seeding would re-read records
    as changed."""
    stamps = [
        datetime.fromisoformat(str(record["updated_at"]))
        for table in state.tables.values()
        for record in table.values()
        if isinstance(record.get("updated_at"), str)
    ]
    latest = max(stamps, default=datetime.now(UTC)).replace(microsecond=0) + timedelta(seconds=1)
    while datetime.now(UTC) <= latest:
        await asyncio.sleep(0.02)


def open_job_ids(state: SandboxState) -> list[str]:
    """The sandbox's open, non-template jobs' ids, as the gateway writes them."""
    return sorted(
        str(job_id)
        for job_id, job in state.table("jobs").items()
        if job["status"] == "open" and not job["is_template"]
    )
