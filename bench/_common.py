"""What the benchmarks share: the import path, the machine line, throw-away databases, figures, tables.

Every benchmark is a script (`.venv/bin/python bench/<name>.py`) that imports this module first: it puts
the repository root on `sys.path` for the test fakes (`tests.fakes.*`) and takes `bench/` off it.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import hmac
import importlib.util
import json
import math
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
from cryptography.fernet import Fernet

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
# `bench/domain.py` would hide the `domain` package: the scripts' own folder leaves the path (this
# module is imported by then), and the repository root joins it for `tests.*`.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

POSTGRES_URL = os.environ.get(
    "GATEWAY_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
DATABASES = ("sqlite", "postgres")
FIXTURES = ROOT / "tests" / "fixtures" / "greenhouse_webhooks"

API_TOKEN = "bench-token-0123456789abcdef"
WEBHOOK_SECRET = "bench-greenhouse-webhook-secret"
INTRRO_SECRET = "whsec_" + base64.b64encode(b"bench-intrro-secret-0123456789ab").decode()


def bench_module(name: str) -> Any:
    """Another benchmark script as a module (`bench/` is off the import path: see above)."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    if spec is None or spec.loader is None:
        raise ImportError(f"no benchmark named {name!r}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def exit_on_sigterm() -> None:
    """SIGTERM (a `timeout` running out, say) ends the script as SystemExit, so that every `finally`
    runs and the child processes it started are stopped, not orphaned."""

    def _exit(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, _exit)


def machine_line() -> str:
    """One line naming the machine, the interpreter and the time the figures were taken."""
    cpu = _cpu_model()
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"machine: {os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}; {now}; load average {load} (1, 5, 15 min)"
    )


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def databases(choice: str) -> tuple[str, ...]:
    """The databases a `--database` argument names (`all` for both)."""
    return DATABASES if choice == "all" else (choice,)


def fernet_key() -> str:
    """A fresh Fernet key for `GATEWAY_SECRET_KEYS`."""
    return Fernet.generate_key().decode("ascii")


def _pg_dsn(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


@contextlib.contextmanager
def throwaway_database(kind: str) -> Iterator[str]:
    """An empty database of this kind: a SQLite file in a temporary folder, or a fresh PostgreSQL
    schema (dropped afterwards); yields its SQLAlchemy URL."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="intrro-bench-") as folder:
            yield f"sqlite+aiosqlite:///{Path(folder) / 'gateway.db'}"
        return
    if kind != "postgres":
        raise ValueError(f"unknown database {kind!r}")
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(_pg_dsn(POSTGRES_URL), autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        raise SystemExit(f"PostgreSQL at {POSTGRES_URL} is unreachable: {exc}") from None
    with admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with psycopg.connect(_pg_dsn(POSTGRES_URL), autocommit=True, connect_timeout=5) as admin:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


@contextlib.contextmanager
def child_process(
    command: list[str], env: dict[str, str], log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """A child process, stopped with SIGTERM (then SIGKILL) at the end."""
    out = log.open("wb")
    proc = subprocess.Popen(command, env=env, cwd=log.parent, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield proc
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        out.close()
        if proc.returncode not in (0, -signal.SIGTERM):
            print(log.read_text()[-3000:], file=sys.stderr)


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile of values already sorted (fraction 0.95 for p95)."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain-text table, columns right-aligned except the first, as Markdown pipes."""
    cells = [[str(h) for h in headers], *[[_cell(v) for v in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        parts = [
            row[i].ljust(widths[i]) if i == 0 else row[i].rjust(widths[i]) for i in range(len(row))
        ]
        return "| " + " | ".join(parts) + " |"

    rule = "|" + "|".join(
        "-" * (w + 1) + ":" if i else ":" + "-" * (w + 1) for i, w in enumerate(widths)
    )
    rule += "|"
    return "\n".join([line(cells[0]), rule, *(line(row) for row in cells[1:])])


def _cell(value: object) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return "-"
        return f"{value:,.1f}" if abs(value) >= 100 else f"{value:.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def fixture(name: str) -> bytes:
    """A documented Greenhouse web hook body from the test fixtures."""
    return (FIXTURES / f"{name}.json").read_bytes()


def greenhouse_headers(body: bytes, event_id: str, secret: str = WEBHOOK_SECRET) -> dict[str, str]:
    """The headers Greenhouse sends: `Signature: sha256 <hex>` and the event id."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {
        "Signature": f"sha256 {digest}",
        "Greenhouse-Event-ID": event_id,
        "Content-Type": "application/json",
    }


def intrro_body(type_: str, data: Mapping[str, Any]) -> bytes:
    """An Intrro event envelope."""
    envelope = {"type": type_, "timestamp": "2026-11-24T09:00:00Z", "data": dict(data)}
    return json.dumps(envelope).encode()


def intrro_headers(body: bytes, message_id: str, secret: str = INTRRO_SECRET) -> dict[str, str]:
    """Standard Webhooks headers for the body, signed now."""
    timestamp = str(int(dt.datetime.now(dt.UTC).timestamp()))
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{message_id}.{timestamp}.".encode() + body
    signature = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return {
        "webhook-id": message_id,
        "webhook-timestamp": timestamp,
        "webhook-signature": f"v1,{signature}",
        "Content-Type": "application/json",
    }


def accepted_data(introduction_id: str, job_id: str = "4001") -> dict[str, Any]:
    """The `data` of a valid `introduction.accepted` event."""
    return {
        "introduction_id": introduction_id,
        "candidate": {
            "first_name": "Ada",
            "last_name": "Lovelace",
            "emails": [f"{introduction_id}@example.com"],
            "phones": [],
            "linkedin_url": None,
            "social_profiles": [],
            "websites": [],
            "current_company": None,
            "current_title": None,
            "location": None,
        },
        "referrer": {"name": "Grace Hopper", "email": "grace@example.com", "employee_id": None},
        "job_ids": [job_id],
        "message": None,
        "accepted_at": "2026-11-24T08:59:00Z",
    }
