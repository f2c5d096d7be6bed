"""The demo's three servers in this process, on free loopback ports: the gateway on a temporary
SQLite file, the ATS's sandbox (Greenhouse's or Lever's), and a recording Intrro receiver."""

from __future__ import annotations

import asyncio
import base64
import secrets
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from starlette.applications import Starlette

from intrro_gateway.adapters.intrro.receiver import ReceivedEvent, create_receiver_app
from intrro_gateway.entrypoints.container import build_container
from intrro_gateway.entrypoints.demo._ats import DemoAts
from intrro_gateway.entrypoints.demo._options import DemoFailedError
from intrro_gateway.entrypoints.demo._tap import Recorder
from intrro_gateway.entrypoints.http import create_app
from intrro_gateway.entrypoints.serving import Listener, bind, serve
from intrro_gateway.entrypoints.settings import GatewaySettings, load_settings

_LOOPBACK = "127.0.0.1"
_START_TIMEOUT_S = 30.0


@dataclass(frozen=True, slots=True)
class Stack:
    """The running servers: their URLs, the gateway's token, the Intrro secret, what was received."""

    settings: GatewaySettings
    gateway_url: str
    sandbox_url: str
    receiver_url: str
    api_token: str
    intrro_secret: str
    receiver: Starlette
    ats: DemoAts
    sandbox: Any  # the sandbox's state

    @property
    def received(self) -> list[ReceivedEvent]:
        """Every event the receiver accepted, in arrival order."""
        events: list[ReceivedEvent] = self.receiver.state.received
        return events


def demo_settings(
    database: Path, gateway_port: int, sandbox_port: int, ats: DemoAts
) -> GatewaySettings:
    """Embedded development settings: nothing read from the environment or a `.env` file."""
    sandbox = f"http://{_LOOPBACK}:{sandbox_port}"
    environ = {
        "GATEWAY_ENV": "development",
        "GATEWAY_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "GATEWAY_SECRET_KEYS": Fernet.generate_key().decode("ascii"),
        "GATEWAY_API_TOKENS": secrets.token_urlsafe(24),
        "GATEWAY_PUBLIC_URL": f"http://{_LOOPBACK}:{gateway_port}",
        **ats.env(sandbox, sandbox_port),
        "GATEWAY_LOG_LEVEL": "error",
        # A demo runs in seconds: poll often, retry soon.
        "GATEWAY_POLL_INTERVAL": "50ms",
        "GATEWAY_BACKOFF_BASE": "200ms",
        "GATEWAY_BACKOFF_CAP": "1s",
        "GATEWAY_DEFER_DELAY": "200ms",
    }
    return load_settings(None, environ, generate=False)


def new_intrro_secret() -> str:
    """A Standard Webhooks secret, as Intrro would issue one."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


@asynccontextmanager
async def running(
    recorder: Recorder, ats: DemoAts, *, receiver_fail_next: int = 0
) -> AsyncIterator[Stack]:
    """Start the three servers (the gateway migrating its fresh database), stop them on exit."""
    with tempfile.TemporaryDirectory(prefix="intrro-demo-") as folder:
        gateway_sock, sandbox_sock, receiver_sock = (bind(_LOOPBACK, 0) for _ in range(3))
        settings = demo_settings(
            Path(folder) / "gateway.db",
            gateway_sock.getsockname()[1],
            sandbox_sock.getsockname()[1],
            ats,
        )
        intrro_secret = new_intrro_secret()
        sandbox_app, sandbox_state = ats.sandbox()
        receiver = create_receiver_app(intrro_secret, fail_next=receiver_fail_next)
        listeners = [
            Listener(
                "gateway",
                recorder.tap(create_app(build_container(settings)), "gateway"),
                gateway_sock,
            ),
            Listener("sandbox", recorder.tap(sandbox_app, "sandbox"), sandbox_sock),
            Listener("receiver", recorder.tap(receiver, "receiver"), receiver_sock),
        ]
        stop = asyncio.Event()
        ready = asyncio.Event()
        serving = asyncio.create_task(serve(listeners, stop, log_level="error", on_ready=ready.set))
        try:
            await _started(serving, ready)
            yield Stack(
                settings=settings,
                gateway_url=listeners[0].url,
                sandbox_url=listeners[1].url,
                receiver_url=listeners[2].url,
                api_token=settings.api_tokens[0].reveal(),
                intrro_secret=intrro_secret,
                receiver=receiver,
                ats=ats,
                sandbox=sandbox_state,
            )
        finally:
            stop.set()
            await serving


async def _started(serving: asyncio.Task[Any], ready: asyncio.Event) -> None:
    waiter = asyncio.create_task(ready.wait())
    done, _ = await asyncio.wait(
        [serving, waiter], timeout=_START_TIMEOUT_S, return_when=asyncio.FIRST_COMPLETED
    )
    waiter.cancel()
    if waiter in done:
        return
    if serving in done:
        serving.result()  # raises the start-up failure
    raise DemoFailedError(f"the demo's servers did not start within {_START_TIMEOUT_S:.0f} s")
