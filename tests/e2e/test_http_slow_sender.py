"""A slow sender through a real server: the request deadline counts from the request's first byte, so
a sender trickling its body gets 408 (or a closed connection) within the deadline, and nothing is
stored; a sender within the deadline is served as usual."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx

from intrro_gateway.entrypoints.http import create_app
from intrro_gateway.entrypoints.serving import Listener, bind, serve
from tests.e2e.http_support import (
    AUTH,
    INTRRO_SECRET,
    WEBHOOK_SECRET,
    gateway,
    gateway_settings,
    greenhouse_body,
    greenhouse_headers,
    inbox_rows,
)

DEADLINE_S = 1.0
TENANT_BODY = {"intrro_secret": INTRRO_SECRET, "greenhouse_webhook_secret": WEBHOOK_SECRET}


async def _raw_post(
    port: int, path: str, headers: dict[str, str], body: bytes, gap: float
) -> tuple[bytes, float]:
    """POST the body one byte every `gap` seconds; what came back, and after how long."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    started = time.monotonic()
    head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {len(body)}\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in headers.items()) + "\r\n"
    writer.write(head.encode())
    await writer.drain()
    answer = b""
    try:
        for byte in body:
            writer.write(bytes([byte]))
            await writer.drain()
            try:
                answer = await asyncio.wait_for(reader.read(65536), timeout=gap)
            except TimeoutError:
                continue
            break  # an answer, or the connection closed (b"")
    except (ConnectionError, OSError):
        pass
    elapsed = time.monotonic() - started
    writer.close()
    return answer, elapsed


async def test_a_sender_too_slow_for_the_deadline_gets_408_within_it_and_nothing_is_stored(
    tmp_path: Path,
) -> None:
    settings = gateway_settings(
        tmp_path,
        f"sqlite+aiosqlite:///{tmp_path / 'gw.db'}",
        GATEWAY_REQUEST_DEADLINE=f"{DEADLINE_S:g}s",
    )
    gw = gateway(settings)
    sock = bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    stop, ready = asyncio.Event(), asyncio.Event()
    serving = asyncio.create_task(
        serve([Listener("gateway", create_app(gw.container), sock)], stop, on_ready=ready.set)
    )
    try:
        await asyncio.wait_for(ready.wait(), 30)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            created = await http.put("/api/tenants/acme", json=TENANT_BODY, headers=AUTH)
            assert created.status_code == 201, created.text
            body = greenhouse_body("hire_candidate")
            headers = greenhouse_headers(body, event_id="slow-1")

            answer, elapsed = await _raw_post(port, "/webhooks/greenhouse/acme", headers, body, 0.2)

            assert answer == b"" or answer.startswith(b"HTTP/1.1 408"), answer[:200]
            assert elapsed < DEADLINE_S + 1.5  # cut at the deadline, not after the whole body
            prompt = await http.post(
                "/webhooks/greenhouse/acme",
                content=body,
                headers=greenhouse_headers(body, event_id="fast-1"),
            )
            assert prompt.status_code == 200
    finally:
        stop.set()
        await serving
    assert [row[2] for row in inbox_rows(settings)] == ["hire_candidate"]  # the prompt one only
