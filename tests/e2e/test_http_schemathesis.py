"""Schemathesis against the served gateway: every operation of `/openapi.json`, with and without a
token. No 5xx, answers (status, media type, body, headers) as the document says, and 401 without a
token wherever one is needed (`needs_token` in schemathesis_hooks.py). Its summaries are printed.

The cost is bounded: a fixed seed, at most 10 examples per operation and phase, loopback only."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from intrro_gateway.entrypoints.http import create_app
from intrro_gateway.entrypoints.serving import bind
from tests.e2e.http_support import TOKEN, gateway, gateway_settings
from tests.e2e.schemathesis_hooks import SEEDED_TENANT

ROOT = Path(__file__).resolve().parents[2]
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "response_headers_conformance",
        "needs_token",
    ]
)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("schemathesis")
    gw = gateway(gateway_settings(tmp, f"sqlite+aiosqlite:///{tmp / 'gw.db'}"))
    sock = bind("127.0.0.1", 0)
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(create_app(gw.container), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()


def _seed(url: str) -> None:
    """The tenant that half of the cases aim at (schemathesis may delete it: then it is re-made)."""
    answer = httpx.put(
        f"{url}/api/tenants/{SEEDED_TENANT}",
        json={"intrro_callback_url": "https://intrro.test/hooks"},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert answer.status_code in (200, 201)


def _run(url: str, tmp_path: Path, *headers: str) -> subprocess.CompletedProcess[str]:
    command = [
        str(Path(sys.executable).with_name("st")),
        "run",
        f"{url}/openapi.json",
        f"--checks={CHECKS}",
        "--max-examples=10",
        "--seed=1405",
        "--request-timeout=10",
        "--no-color",
        f"--report-dir={tmp_path}",
        *(f"--header={h}" for h in headers),
    ]
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "tests.e2e.schemathesis_hooks",
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900, check=False
    )


def _summary(output: str) -> str:
    return output[output.rfind("SUMMARY") - 33 :] if "SUMMARY" in output else output[-3000:]


@pytest.mark.parametrize("with_token", [True, False], ids=["with-token", "without-token"])
def test_every_operation_holds_to_the_document(
    served: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], with_token: bool
) -> None:
    _seed(served)
    headers = [f"Authorization: Bearer {TOKEN}"] if with_token else []

    result = _run(served, tmp_path, *headers)

    with capsys.disabled():
        print(f"\n-- schemathesis, {'with' if with_token else 'without'} a token --")
        print(_summary(result.stdout))
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-5000:]
    counts = re.search(r"(\d+) generated, (\d+) passed\n", result.stdout)
    assert counts is not None, _summary(result.stdout)
    assert counts[1] == counts[2] and int(counts[1]) > 0
