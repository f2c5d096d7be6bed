"""A live stack for the end-to-end stories: the gateway (worker in-process), an ATS sandbox (Greenhouse's
or Lever's, `ats=`) and a recording Intrro receiver, each a uvicorn server on a free loopback port in the
test's own event loop.

The sandbox fires real, signed web hooks at the gateway's `/webhooks/<ats>/<tenant>`; the gateway pushes
real Standard-Webhooks-signed events to the receiver. Everything is set up through the gateway's API, as
an operator would: the tenant, the ATS connection, the job import. `live.ats` drives the sandbox in
ATS-neutral terms (tests/e2e/ats_drivers.py); `live.sandbox` and `live.control` are its own objects.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet
from starlette.applications import Starlette

from intrro_gateway.adapters.intrro.receiver import ReceivedEvent, create_receiver_app
from intrro_gateway.domain.introduction import Introduction
from intrro_gateway.entrypoints.container import build_container
from intrro_gateway.entrypoints.http import create_app
from intrro_gateway.entrypoints.serving import Listener, bind, serve
from intrro_gateway.entrypoints.settings import GatewaySettings, load_settings
from tests.e2e.ats_drivers import ADMIN_EMAIL, AtsDriver, GreenhouseDriver, LeverDriver, driver
from tests.e2e.live_events import (
    CANDIDATE_CHANGED,
    ERIN,
    EXPORTED,
    FAILED,
    JOBS_CHANGED,
    REMOVED,
    STATUS_CHANGED,
    accepted_data,
    candidate,
    intro_of,
    intrro_envelope,
    intrro_signed,
    new_intrro_secret,
    now_iso,
)
from tests.e2e.recruiter import GreenhouseRecruiter, LeverRecruiter, Recruiter

__all__ = [
    "ADMIN_EMAIL",
    "API_TOKEN",
    "CANDIDATE_CHANGED",
    "ERIN",
    "EXPORTED",
    "FAILED",
    "JOBS_CHANGED",
    "LOOPBACK",
    "REMOVED",
    "STATUS_CHANGED",
    "TENANT",
    "Live",
    "accepted_data",
    "candidate",
    "intro_of",
    "intrro_envelope",
    "intrro_signed",
    "live_settings",
    "live_stack",
    "new_intrro_secret",
    "now_iso",
    "side_by_side",
]

LOOPBACK = "127.0.0.1"
TENANT = "acme"
API_TOKEN = "live-e2e-token-0123456789abcdef"
WAIT_S = 20.0
_POLL_S = 0.02
_HTTP_TIMEOUT = httpx.Timeout(15.0, connect=5.0)


def live_settings(
    database_url: str,
    gateway_port: int,
    sandbox_port: int,
    ats: AtsDriver | None = None,
    **env: str,
) -> GatewaySettings:
    """Development settings with the short timings the stories need; nothing read from a `.env`."""
    sandbox = f"http://{LOOPBACK}:{sandbox_port}"
    environ = {
        "GATEWAY_ENV": "development",
        "GATEWAY_DATABASE_URL": database_url,
        "GATEWAY_SECRET_KEYS": Fernet.generate_key().decode("ascii"),
        "GATEWAY_API_TOKENS": API_TOKEN,
        "GATEWAY_PUBLIC_URL": f"http://{LOOPBACK}:{gateway_port}",
        **(ats or GreenhouseDriver()).env(sandbox),
        "GATEWAY_SANDBOX_PORT": str(sandbox_port),
        "GATEWAY_LOG_LEVEL": "warning",
        "GATEWAY_RUN_WORKER": "true",
        "GATEWAY_AUTO_MIGRATE": "true",
        "GATEWAY_REQUEST_DEADLINE": "5s",
        "GATEWAY_POLL_INTERVAL": "20ms",
        "GATEWAY_BACKOFF_BASE": "100ms",
        "GATEWAY_BACKOFF_CAP": "1s",
        "GATEWAY_DEFER_DELAY": "150ms",
        **env,
    }
    return load_settings(None, environ, generate=False)


@dataclass
class Live:
    """The running stack and the helpers the stories drive it with."""

    settings: GatewaySettings
    gateway_url: str
    sandbox_url: str
    receiver_url: str
    ats: AtsDriver
    sandbox: Any  # the driver's sandbox state (Greenhouse's or Lever's)
    control: Any  # the driver's sandbox control
    receiver: Starlette
    http: httpx.AsyncClient
    tenant: str
    intrro_secret: str
    webhook_secret: str
    jobs: list[dict[str, Any]]

    # -- what the receiver got -----------------------------------------------------------------

    @property
    def received(self) -> list[ReceivedEvent]:
        """Every event the receiver accepted, in arrival order."""
        events: list[ReceivedEvent] = self.receiver.state.received
        return events

    def events(self, introduction_id: str, type_: str | None = None) -> list[ReceivedEvent]:
        """The events received for one introduction (of one type, if given), in arrival order."""
        return [
            e
            for e in self.received
            if intro_of(e) == introduction_id and (type_ is None or e.type == type_)
        ]

    def statuses(self, introduction_id: str, job_id: str | None = None) -> list[str]:
        """The statuses pushed by `application.status_changed` for the introduction (one job)."""
        return [
            e.data["status"]
            for e in self.events(introduction_id, STATUS_CHANGED)
            if job_id is None or str(e.data["job_id"]) == job_id
        ]

    def timeline(self, introduction_id: str) -> list[str]:
        """One line per push of the introduction, as received: sequence, type, what it said."""
        lines = []
        for e in self.events(introduction_id):
            data = e.data
            if e.type == STATUS_CHANGED:
                stage = (data.get("stage") or {}).get("name")
                said = f"job {data['job_id']}: {data['previous_status']} -> {data['status']}"
                said += f" (stage {stage})" if stage else ""
            elif e.type == EXPORTED:
                apps = ", ".join(
                    f"job {a['job_id']} app {a['application_id']} {a['status']}"
                    for a in data["applications"]
                )
                said = f"candidate {data['ats_candidate_id']}, {data['referral_credit']}; {apps}"
            else:
                said = str({k: v for k, v in data.items() if k not in ("sequence", "applications")})
            lines.append(
                f"timeline #{data.get('sequence')} {e.type} {said} [webhook-id {e.webhook_id}]"
            )
        return lines

    async def wait_for(
        self, what: str, match: Callable[[ReceivedEvent], bool], timeout: float = WAIT_S
    ) -> ReceivedEvent:
        """The first received event that matches, waiting at most `timeout` seconds."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            found = next((e for e in self.received if match(e)), None)
            if found is not None:
                return found
            if asyncio.get_running_loop().time() > deadline:
                got = [(e.type, intro_of(e), _status(e)) for e in self.received]
                pytest.fail(f"the receiver never got {what} within {timeout:g} s; it got {got}")
            await asyncio.sleep(_POLL_S)

    async def wait_exported(self, introduction_id: str) -> ReceivedEvent:
        """The `introduction.exported` of the introduction."""
        return await self.wait_for(
            f"{EXPORTED} of {introduction_id}",
            lambda e: e.type == EXPORTED and intro_of(e) == introduction_id,
        )

    async def wait_status(self, introduction_id: str, job_id: str, status: str) -> ReceivedEvent:
        """The `application.status_changed` of the job's application to `status`."""
        return await self.wait_for(
            f"{STATUS_CHANGED} of {introduction_id} job {job_id} to {status}",
            lambda e: (
                e.type == STATUS_CHANGED
                and intro_of(e) == introduction_id
                and str(e.data.get("job_id")) == job_id
                and e.data.get("status") == status
            ),
        )

    async def delivered(self, event_ids: Sequence[str], timeout: float = WAIT_S) -> None:
        """Wait until the gateway has taken (200) each of these events (held ones stay held)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while not set(event_ids) <= {
            d.event_id for d in self.control.deliveries if d.status_code == 200
        }:
            if asyncio.get_running_loop().time() > deadline:
                pytest.fail(f"the sandbox did not deliver {event_ids} within {timeout:g} s")
            await asyncio.sleep(_POLL_S)

    async def settled(self, timeout: float = WAIT_S, *, release: bool = True) -> None:
        """Wait until every sandbox web hook is delivered (held ones too, unless `release` is
        false) and the gateway has nothing left to do: no inbound delivery waiting, no outbound push
        pending."""
        if release:
            await self.ats.flush()
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            # Inbound first: processing commits its pushes with it, so they show in the next read;
            # outbound in one read, so that an item going from pending to leased is not missed.
            waiting = await self._deliveries("in", "received")
            waiting += [
                d
                for d in await self._deliveries("out", None)
                if d["state"] in ("pending", "leased")
            ]
            if not waiting:
                return
            if asyncio.get_running_loop().time() > deadline:
                pytest.fail(f"the gateway did not settle within {timeout:g} s: {waiting}")
            await asyncio.sleep(_POLL_S * 2)

    async def _deliveries(self, direction: str, state: str | None) -> list[Any]:
        params = {"direction": direction, **({"state": state} if state else {})}
        page = await self.api("GET", f"/api/tenants/{self.tenant}/deliveries", params=params)
        items: list[Any] = page["deliveries"]
        return items

    # -- talking to the gateway ----------------------------------------------------------------

    async def api(self, method: str, path: str, expected: int = 200, **kwargs: Any) -> Any:
        """Call the gateway's API with the token; fail unless it answers `expected`."""
        response = await self.http.request(
            method,
            f"{self.gateway_url}{path}",
            headers={"Authorization": f"Bearer {API_TOKEN}"},
            **kwargs,
        )
        assert response.status_code == expected, (
            f"{method} {path} answered {response.status_code}: {response.text[:500]}"
        )
        return response.json() if response.content else None

    async def post_intrro(
        self,
        type_: str,
        data: Mapping[str, Any],
        *,
        message_id: str | None = None,
        tenant: str | None = None,
    ) -> httpx.Response:
        """Post a signed Intrro event to the gateway, as Intrro does."""
        body = intrro_envelope(type_, data)
        headers = intrro_signed(body, self.intrro_secret, message_id)
        return await self.post_raw(f"/events/intrro/{tenant or self.tenant}", body, headers)

    async def accept(self, data: Mapping[str, Any]) -> None:
        """Post an `introduction.accepted` and check it was taken (202)."""
        response = await self.post_intrro("introduction.accepted", data)
        assert response.status_code == 202, response.text

    async def post_raw(self, path: str, body: bytes, headers: Mapping[str, str]) -> httpx.Response:
        """POST a raw body to the gateway."""
        return await self.http.post(f"{self.gateway_url}{path}", content=body, headers=headers)

    # -- the sandbox ---------------------------------------------------------------------------

    def job(self, job_id: str) -> dict[str, Any]:
        """An imported job as the gateway lists it."""
        return next(j for j in self.jobs if j["id"] == job_id)

    def stage_id(self, job_id: str, name: str) -> int:
        """The id of the job's interview stage with that name (Greenhouse's numeric ids)."""
        return int(self.stage(job_id, name))

    def stage(self, job_id: str, name_or_role: str) -> str:
        """The id of the job's stage with that name, or of the seeded stage of that role."""
        name = self.ats.stage_names.get(name_or_role, name_or_role)
        return str(next(s["id"] for s in self.job(job_id)["stages"] if s["name"] == name))

    def open_job_ids(self) -> list[str]:
        """The seeded open jobs that have no seeded application, as strings."""
        return self.ats.open_job_ids()

    async def delivered_ats(self, event_ids: Sequence[str], timeout: float = WAIT_S) -> None:
        """Wait until the gateway has taken (200) each of these sandbox web hooks (any ATS)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while not set(event_ids) <= self.ats.delivered_ok():
            if asyncio.get_running_loop().time() > deadline:
                pytest.fail(f"the sandbox did not deliver {event_ids} within {timeout:g} s")
            await asyncio.sleep(_POLL_S)

    def application(self, application_id: str) -> dict[str, Any]:
        """The sandbox's record of an application."""
        return self.sandbox.tables["applications"][int(application_id)]

    def candidate_record(self, candidate_id: str) -> dict[str, Any]:
        """The sandbox's record of a candidate."""
        return self.sandbox.tables["candidates"][int(candidate_id)]

    def candidates_with_email(self, email: str) -> list[dict[str, Any]]:
        """Every sandbox candidate with that e-mail address."""
        return [
            c
            for c in self.sandbox.tables["candidates"].values()
            if any(e["value"].lower() == email.lower() for e in c.get("email_addresses") or [])
        ]

    @property
    def recruiter(self) -> Recruiter:
        """The ATS-neutral recruiter actions on this stack's sandbox (the stories' ATS parts)."""
        if self.ats.key == "lever":
            return LeverRecruiter(self)
        return GreenhouseRecruiter(self)

    async def stored_introduction(self, introduction_id: str) -> Introduction | None:
        """The introduction as the gateway's database holds it (for what no API shows)."""
        container = build_container(self.settings)
        try:
            async with container.deps().uow() as uow:
                return await uow.introductions.get(self.tenant, introduction_id)
        finally:
            await container.engine().dispose()

    def fired_actions(self) -> list[str]:
        """Every web hook action (Lever: event) the sandbox fired, in order."""
        return self.ats.fired()


def _status(event: ReceivedEvent) -> Any:
    return event.data.get("status") if isinstance(event.data, dict) else None


@asynccontextmanager
async def live_stack(
    database_url: str,
    *,
    tenant: str = TENANT,
    state: Any = None,
    ats: str = "greenhouse",
    log_level: str = "warning",
    **env: str,
) -> AsyncIterator[Live]:
    """Start the three servers, create and connect the tenant, import the jobs; stop on exit.

    `ats` picks the sandbox (`state`, when given, is a seeded state of that ATS's sandbox).
    """
    side: AtsDriver = driver(ats)
    if state is not None:
        side = GreenhouseDriver(state) if ats == "greenhouse" else LeverDriver(state)
    gateway_sock, sandbox_sock, receiver_sock = (bind(LOOPBACK, 0) for _ in range(3))
    settings = live_settings(
        database_url, gateway_sock.getsockname()[1], sandbox_sock.getsockname()[1], side, **env
    )
    intrro_secret = new_intrro_secret()
    receiver = create_receiver_app(intrro_secret)
    listeners = [
        Listener("gateway", create_app(build_container(settings)), gateway_sock),
        Listener("sandbox", side.app(), sandbox_sock),
        Listener("receiver", receiver, receiver_sock),
    ]
    stop = asyncio.Event()
    ready = asyncio.Event()
    serving = asyncio.create_task(serve(listeners, stop, log_level=log_level, on_ready=ready.set))
    try:
        await _started(serving, ready)
        async with httpx.AsyncClient(timeout=_HTTP_TIMEOUT) as http:
            live = Live(
                settings=settings,
                gateway_url=listeners[0].url,
                sandbox_url=listeners[1].url,
                receiver_url=listeners[2].url,
                ats=side,
                sandbox=side.state,
                control=side.control,
                receiver=receiver,
                http=http,
                tenant=tenant,
                intrro_secret=intrro_secret,
                webhook_secret=f"gh-{secrets.token_hex(16)}",
                jobs=[],
            )
            await _set_up(live)
            yield live
    finally:
        stop.set()
        await serving


@asynccontextmanager
async def side_by_side(database_url: str) -> AsyncIterator[tuple[Live, Live]]:
    """One gateway, two tenants: `gh-co` on the Greenhouse sandbox and `lever-co` on the Lever
    sandbox, each with its own Intrro receiver; both set up as an operator would."""
    drivers: list[AtsDriver] = [GreenhouseDriver(), LeverDriver()]
    socks = [bind(LOOPBACK, 0) for _ in range(5)]
    urls = [f"http://{LOOPBACK}:{sock.getsockname()[1]}" for sock in socks]
    settings = live_settings(
        database_url,
        socks[0].getsockname()[1],
        socks[1].getsockname()[1],
        drivers[0],
        **drivers[1].env(urls[2]),
    )
    secrets_ = [new_intrro_secret(), new_intrro_secret()]
    receivers = [create_receiver_app(secret) for secret in secrets_]
    listeners = [
        Listener("gateway", create_app(build_container(settings)), socks[0]),
        Listener("greenhouse", drivers[0].app(), socks[1]),
        Listener("lever", drivers[1].app(), socks[2]),
        Listener("receiver-gh", receivers[0], socks[3]),
        Listener("receiver-lever", receivers[1], socks[4]),
    ]
    stop, ready = asyncio.Event(), asyncio.Event()
    serving = asyncio.create_task(serve(listeners, stop, log_level="warning", on_ready=ready.set))
    try:
        await _started(serving, ready)
        async with httpx.AsyncClient(timeout=_HTTP_TIMEOUT) as http:
            lives = [
                Live(
                    settings=settings,
                    gateway_url=urls[0],
                    sandbox_url=urls[1 + i],
                    receiver_url=urls[3 + i],
                    ats=side,
                    sandbox=side.state,
                    control=side.control,
                    receiver=receivers[i],
                    http=http,
                    tenant=tenant,
                    intrro_secret=secrets_[i],
                    webhook_secret=f"wh-{secrets.token_hex(16)}",
                    jobs=[],
                )
                for i, (side, tenant) in enumerate(zip(drivers, ("gh-co", "lever-co"), strict=True))
            ]
            for live in lives:
                await _set_up(live)
            yield lives[0], lives[1]
    finally:
        stop.set()
        await serving


async def _set_up(live: Live) -> None:
    """What an operator does: the tenant, the connection, the ATS's web hooks, the job import."""
    await live.api(
        "PUT",
        f"/api/tenants/{live.tenant}",
        201,
        json={
            "intrro_callback_url": f"{live.receiver_url}/intrro/{live.tenant}",
            "intrro_secret": live.intrro_secret,
            **live.ats.tenant_body(live.webhook_secret),
        },
    )
    report = await live.api(
        "POST",
        f"/api/tenants/{live.tenant}/connections/{live.ats.key}",
        json=live.ats.connect_body(),
    )
    assert report["ok"], report["problems"]
    webhook = report["webhook"]
    assert webhook["url"] == f"{live.gateway_url}/webhooks/{live.ats.key}/{live.tenant}"
    live.ats.after_connect(report, live.webhook_secret)
    await live.api("POST", f"/api/tenants/{live.tenant}/sync/jobs", 202)
    await live.wait_for(JOBS_CHANGED, lambda e: e.type == JOBS_CHANGED)
    live.jobs = await _all_jobs(live)
    assert len(live.jobs) >= len(live.ats.open_job_ids()), live.jobs


async def _all_jobs(live: Live) -> list[dict[str, Any]]:
    jobs: list[dict[str, Any]] = []
    params = {"status": "all"}
    while True:
        page = await live.api("GET", f"/api/tenants/{live.tenant}/jobs", params=params)
        jobs.extend(page["jobs"])
        if not page.get("next_cursor"):
            return jobs
        params = {"status": "all", "cursor": page["next_cursor"]}


async def _started(serving: asyncio.Task[None], ready: asyncio.Event) -> None:
    waiter = asyncio.create_task(ready.wait())
    done, _ = await asyncio.wait([serving, waiter], timeout=30, return_when=asyncio.FIRST_COMPLETED)
    waiter.cancel()
    if waiter in done:
        return
    if serving in done:
        serving.result()
    pytest.fail("the live stack did not start within 30 s")
