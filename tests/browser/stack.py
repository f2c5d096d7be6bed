"""The running gateway for the browser tests: the gateway (worker in-process) and the Greenhouse sandbox
on free loopback ports, and an Intrro receiver that can be killed and started again on its port, all
served by uvicorn on an event loop in a thread of their own (Playwright's sync API drives the browser
from the test's thread)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import httpx
from starlette.types import Receive, Scope, Send

from intrro_gateway.adapters.intrro.receiver import ReceivedEvent, create_receiver_app
from intrro_gateway.entrypoints.container import build_container
from intrro_gateway.entrypoints.http import create_app
from intrro_gateway.entrypoints.serving import Listener, bind, serve
from intrro_gateway.sandboxes.greenhouse import create_sandbox_app, seeded_state
from tests.e2e.live import API_TOKEN, LOOPBACK, live_settings

T = TypeVar("T")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
OPERATOR_TOKEN = API_TOKEN


class Receiver:
    """Intrro's receiving end: answers 503 until it knows the tenant's secret, then records each
    verified event (`adapters/intrro/receiver.py`)."""

    def __init__(self) -> None:
        self.app: Any = None

    def use_secret(self, secret: str) -> None:
        """Verify with this secret from now on (the one the console showed at the tenant's creation)."""
        self.app = create_receiver_app(secret)

    @property
    def received(self) -> list[ReceivedEvent]:
        """Every event accepted so far."""
        return list(self.app.state.received) if self.app is not None else []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request to the recording app, or answer 503 before it exists."""
        if self.app is not None:
            await self.app(scope, receive, send)
            return
        if scope["type"] == "http":
            await send({"type": "http.response.start", "status": 503, "headers": []})
            await send({"type": "http.response.body", "body": b""})


class Stack:
    """The three servers; `kill_receiver` and `start_receiver` stop and start Intrro's side."""

    def __init__(self, database_url: str) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        gateway_sock, sandbox_sock, receiver_sock = (bind(LOOPBACK, 0) for _ in range(3))
        self.receiver_port = receiver_sock.getsockname()[1]
        self.settings = live_settings(
            database_url,
            gateway_sock.getsockname()[1],
            sandbox_sock.getsockname()[1],
            # A push that keeps failing is parked dead within about two seconds.
            GATEWAY_RETRY_HORIZON="2s",
        )
        self.sandbox_state = seeded_state()
        self.receiver = Receiver()
        self.app = create_app(build_container(self.settings))
        gateway = Listener("gateway", self.app, gateway_sock)
        sandbox = Listener("sandbox", create_sandbox_app(self.sandbox_state), sandbox_sock)
        self.gateway_url = gateway.url
        self.sandbox_url = sandbox.url
        self.receiver_url = f"http://{LOOPBACK}:{self.receiver_port}"
        self._main = self._start([gateway, sandbox])
        self._receiver = self._start([Listener("receiver", self.receiver, receiver_sock)])
        self.http = httpx.Client(timeout=15.0)

    def _start(self, listeners: list[Listener]) -> tuple[asyncio.Event, Any]:
        stop = self.call(_event)
        ready = threading.Event()
        future = asyncio.run_coroutine_threadsafe(
            serve(listeners, stop, log_level="warning", on_ready=ready.set), self._loop
        )
        if not ready.wait(30):
            raise RuntimeError("the servers did not start within 30 s")
        return stop, future

    def _stop(self, serving: tuple[asyncio.Event, Any]) -> None:
        stop, future = serving
        self._loop.call_soon_threadsafe(stop.set)
        future.result(30)

    def call(self, factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
        """Run a coroutine on the servers' loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(factory(), self._loop).result(30)

    def kill_receiver(self) -> None:
        """Stop Intrro's receiver: its port refuses connections."""
        self._stop(self._receiver)

    def start_receiver(self) -> None:
        """Serve the receiver again on the same port, with what it recorded so far."""
        sock = bind(LOOPBACK, self.receiver_port)
        self._receiver = self._start([Listener("receiver", self.receiver, sock)])

    def sandbox(self, method: str, path: str, **kwargs: Any) -> Any:
        """Call the sandbox's control API (what a Greenhouse user does in its UI)."""
        response = self.http.request(method, f"{self.sandbox_url}{path}", **kwargs)
        response.raise_for_status()
        return response.json()

    def wait_until(self, what: str, check: Callable[[], bool], timeout: float = 20.0) -> None:
        """Poll until `check()` holds."""
        deadline = time.monotonic() + timeout
        while not check():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}")
            time.sleep(0.05)

    def close(self) -> None:
        """Stop every server and the loop."""
        self.http.close()
        self._stop(self._main)
        if not self._receiver[1].done():
            self._stop(self._receiver)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()


async def _event() -> asyncio.Event:
    return asyncio.Event()
