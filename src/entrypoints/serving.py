"""Serving ASGI apps with uvicorn inside one event loop, on sockets bound beforehand, stopped by
SIGTERM/SIGINT (or an event) through handlers of our own.

Shared by the CLI's `serve`, `sandbox` and `worker` commands and by the demo; it knows none of them.
The fastest stack uvicorn offers is used where installed (both are dependencies): the libuv event
loop (`uvloop`, see `event_loop_factory`) and the C HTTP/1.1 parser (`httptools`, else `h11`).
bench/ingress.py measured each (docs/benchmarks.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import signal
import socket
import threading
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass

import uvicorn
from starlette.types import ASGIApp

_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
# uvicorn's HTTP/1.1 protocol: the C parser when installed, else the pure-Python one.
HTTP_PROTOCOL = "httptools" if importlib.util.find_spec("httptools") is not None else "h11"


def event_loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """The event loop every command runs on: uvloop's when installed, else None (asyncio's own)."""
    try:
        import uvloop  # optional: absent on platforms it does not support
    except ImportError:
        return None
    factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    return factory


class ServingError(Exception):
    """An address could not be listened on, or an app did not start: one line for the operator."""


class _Server(uvicorn.Server):
    """A uvicorn server that leaves signals to its caller (several servers share one loop)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


@dataclass(frozen=True, slots=True)
class Listener:
    """An app and the socket it is served on."""

    name: str
    app: ASGIApp
    sock: socket.socket

    @property
    def port(self) -> int:
        """The port the socket is bound to."""
        port: int = self.sock.getsockname()[1]
        return port

    @property
    def url(self) -> str:
        """The base URL of the app, on loopback when it listens on every address."""
        host: str = self.sock.getsockname()[0]
        if host in ("0.0.0.0", ""):  # noqa: S104 - a comparison only
            host = "127.0.0.1"
        elif host == "::":
            host = "::1"
        return f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket (port 0: a free one); ServingError naming the address when it is taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets that say they are TCP; without it a
    # kept-alive connection waits ~40 ms (Nagle and delayed ACKs) on every response body.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise ServingError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    return sock


@contextlib.contextmanager
def stop_on_signals(stop: asyncio.Event) -> Iterator[None]:
    """Set `stop` on SIGTERM or SIGINT while the block runs (main thread only; elsewhere a no-op)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    loop = asyncio.get_running_loop()
    for sig in _STOP_SIGNALS:
        loop.add_signal_handler(sig, stop.set)
    try:
        yield
    finally:
        for sig in _STOP_SIGNALS:
            loop.remove_signal_handler(sig)


async def serve(
    listeners: Sequence[Listener],
    stop: asyncio.Event,
    *,
    log_level: str = "info",
    on_ready: Callable[[], object] | None = None,
) -> None:
    """Serve every listener until `stop` is set, then shut each down gracefully (lifespans end).

    Raises ServingError when an app fails to start (its lifespan raised); the others are stopped first.
    """
    servers = [
        _Server(
            uvicorn.Config(
                listener.app,
                lifespan="on",
                http=HTTP_PROTOCOL,
                log_config=None,
                log_level=log_level.lower(),
                timeout_graceful_shutdown=10,
            )
        )
        for listener in listeners
    ]
    tasks = [
        asyncio.create_task(_serve_one(server, listener), name=listener.name)
        for server, listener in zip(servers, listeners, strict=True)
    ]
    stopper = asyncio.create_task(stop.wait(), name="stop")
    try:
        ready = ended = False
        while not (ready or ended):
            done, _ = await asyncio.wait([*tasks, stopper], timeout=0.02)
            ready, ended = all(server.started for server in servers), bool(done)
        if ready and on_ready is not None:
            on_ready()
        if not ended:
            await asyncio.wait([*tasks, stopper], return_when=asyncio.FIRST_COMPLETED)
    finally:
        # In the order given: the gateway first, so its worker finishes the item in hand while the
        # servers it talks to (the sandbox, in development) still answer.
        results: list[BaseException | None] = []
        for server, task in zip(servers, tasks, strict=True):
            server.should_exit = True
            results.append((await asyncio.gather(task, return_exceptions=True))[0])
        stopper.cancel()
        for listener in listeners:
            listener.sock.close()
    failed = [
        f"{listener.name}: {result if isinstance(result, BaseException) else 'did not start'}"
        for listener, server, result in zip(listeners, servers, results, strict=True)
        if isinstance(result, BaseException) or not (server.started or stop.is_set())
    ]
    if failed:
        raise ServingError(f"could not serve ({'; '.join(failed)}); see the log above")


async def _serve_one(server: _Server, listener: Listener) -> None:
    try:
        await server.serve(sockets=[listener.sock])
    except SystemExit:
        # uvicorn exits when the app's lifespan fails at start-up: report it as this app's failure.
        raise RuntimeError("the app did not start") from None
