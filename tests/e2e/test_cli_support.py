"""Shared by the CLI tests (no tests here): the environment of a fresh machine, a real Greenhouse
sandbox and a recording Intrro receiver on loopback sockets, and stopping a command by a signal."""

from __future__ import annotations

import base64
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import structlog
import uvicorn
from cryptography.fernet import Fernet
from starlette.types import ASGIApp

from intrro_gateway.adapters.intrro.receiver import ReceivedEvent, create_receiver_app
from intrro_gateway.sandboxes.greenhouse import (
    ALL_SCOPES,
    SandboxState,
    create_sandbox_app,
    seeded_state,
)

INTRRO_SECRET = "whsec_" + base64.b64encode(b"cli-tests-intrro-secret-0001").decode()
SANDBOX_ID = SandboxState.DEFAULT_CLIENT_ID
SANDBOX_SECRET = SandboxState.DEFAULT_CLIENT_SECRET
ADMIN = "admin@sandbox.example"
LIMITED_SECRET = "limited-secret"
MISSING_SCOPE = "harvest:candidates:list"
WAIT_S = 20.0


@pytest.fixture(autouse=True)
def _reset_logging() -> Iterator[None]:
    """Every command configures logging: leave structlog and the root logger as they were."""
    yield
    structlog.reset_defaults()
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.setLevel(logging.WARNING)


@dataclass
class Env:
    """The process environment of one test: a fresh working folder and SQLite database."""

    folder: Path
    monkeypatch: pytest.MonkeyPatch
    keys: list[str] = field(default_factory=list)

    @property
    def database_url(self) -> str:
        return f"sqlite+aiosqlite:///{self.folder / 'gateway.db'}"

    def set(self, **values: str) -> None:
        for name, value in values.items():
            self.monkeypatch.setenv(f"GATEWAY_{name}", value)

    def unset(self, *names: str) -> None:
        for name in names:
            self.monkeypatch.delenv(f"GATEWAY_{name}", raising=False)


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Env:
    """GATEWAY_* for a fresh machine in development: no `.env`, a new key and token, quiet logs."""
    for name in list(os.environ):
        if name.startswith("GATEWAY_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    environment = Env(tmp_path, monkeypatch, [Fernet.generate_key().decode()])
    environment.set(
        DATABASE_URL=environment.database_url,
        SECRET_KEYS=environment.keys[0],
        API_TOKENS="cli-test-token-0123456789",
        LOG_LEVEL="warning",
        PUBLIC_URL="https://gateway.test",
        # `serve` runs the Lever sandbox beside the gateway in development: never on a fixed port.
        LEVER_SANDBOX_PORT=str(free_port()),
    )
    return environment


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Served:
    """An ASGI app served by uvicorn on a loopback port, in a thread of its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.server = uvicorn.Server(
            uvicorn.Config(app, log_config=None, lifespan="on", log_level="warning")
        )
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    def __enter__(self) -> Served:
        self.thread.start()
        deadline = time.monotonic() + WAIT_S
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(WAIT_S)
        self.sock.close()


@dataclass
class Sandbox:
    """A Greenhouse sandbox on a real port, its state at hand."""

    state: SandboxState
    url: str


@pytest.fixture
def sandbox_state() -> SandboxState:
    """The seeded sandbox data, plus a credential without the scopes to create candidates."""
    state = seeded_state()
    state.add_credential("limited", LIMITED_SECRET, sorted(ALL_SCOPES - {MISSING_SCOPE}))
    return state


@pytest.fixture
def sandbox(env: Env, sandbox_state: SandboxState) -> Iterator[Sandbox]:
    """The sandbox served, and the gateway's Greenhouse URLs pointed at it."""
    with Served(create_sandbox_app(sandbox_state)) as served:
        env.set(GREENHOUSE_BASE_URL=served.url, GREENHOUSE_AUTH_URL=served.url)
        yield Sandbox(sandbox_state, served.url)


@dataclass
class Receiver:
    """A recording Intrro on a real port."""

    url: str
    received: list[ReceivedEvent]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    app = create_receiver_app(INTRRO_SECRET)
    with Served(app) as served:
        yield Receiver(f"{served.url}/intrro", app.state.received)


def signal_when(condition: Callable[[], bool], sig: int = signal.SIGTERM) -> threading.Thread:
    """A thread sending `sig` to this process once `condition` holds (or after WAIT_S anyway, so a
    broken command cannot hang the run; the test's own assertions then fail)."""

    def watch() -> None:
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            try:
                if condition():
                    break
            except (httpx.HTTPError, OSError):
                pass
            time.sleep(0.05)
        os.kill(os.getpid(), sig)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def answers(url: str) -> bool:
    """Whether a GET of the URL answers 200."""
    return httpx.get(url, timeout=2.0).status_code == 200
