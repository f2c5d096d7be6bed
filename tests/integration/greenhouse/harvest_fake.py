"""An in-memory Harvest v3 behind `httpx.MockTransport`, with hooks for the failures tests need."""

from __future__ import annotations

import base64
import itertools
import json
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

import httpx

from tests.fakes.clock import FakeClock

BASE = "https://harvest.test"
AUTH = "https://auth.test"
CLIENT_ID, CLIENT_SECRET = "client-1", "secret-1"

Hook = Callable[[httpx.Request], httpx.Response | None]
ALL_SCOPES = frozenset(
    f"harvest:{r}:{a}"
    for r in (
        "applications candidates notes candidate_tags applied_candidate_tags departments jobs "
        "job_posts job_interview_stages offices rejection_reasons sources users user_emails "
        "custom_fields custom_field_options close_reasons prospect_pools referrers "
        "application_stages rejection_details"
    ).split()
    for a in ("list", "create", "update")
)


HARVEST_NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)  # where the shared test clock starts here


class FakeHarvest:
    """Tables of v3 records, served as Greenhouse serves them (id-descending, cursor pages)."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.tables: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.requests: list[httpx.Request] = []
        self.before: list[Hook] = []  # consulted first; a response short-cuts the request
        self.tokens: dict[str, str] = {}  # token -> sub
        self.token_answer: Callable[[datetime], dict[str, Any]] = lambda now: {
            "expires_at": (now + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        }
        self.scopes: frozenset[str] = ALL_SCOPES
        self.introspection = True
        self.rate_headers: Callable[[], dict[str, str]] = dict
        self.timeout_after_apply: set[tuple[str, str]] = set()
        self._ids = itertools.count(1000)

    # -- wiring --------------------------------------------------------------------------------

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(self.handle))

    def new_id(self) -> int:
        return next(self._ids)

    def add(self, table: str, **row: Any) -> dict[str, Any]:
        row.setdefault("id", self.new_id())
        self.tables[table].append(row)
        return row

    def api_requests(
        self, method: str | None = None, path: str | None = None
    ) -> list[httpx.Request]:
        return [
            r
            for r in self.requests
            if r.url.host == "harvest.test"
            and (method is None or r.method == method)
            and (path is None or r.url.path == path)
        ]

    # -- handling ------------------------------------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        for hook in list(self.before):
            answer = hook(request)
            if answer is not None:
                return answer
        if request.url.host == "auth.test":
            return self._auth(request)
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        if token not in self.tokens:
            return _json(401, {"message": "Unauthorized"})
        resource = request.url.path.split("/")[2]
        action = {"GET": "list", "POST": "create", "PATCH": "update"}[request.method]
        if f"harvest:{resource}:{action}" not in self.scopes:
            return _json(403, {"message": "Missing scope"})
        if request.method == "GET":
            answer = self._list(request, resource)
        else:
            answer = self._write(request, resource)
        if (request.method, request.url.path) in self.timeout_after_apply:
            self.timeout_after_apply.discard((request.method, request.url.path))
            raise httpx.ReadTimeout("applied, then timed out", request=request)
        answer.headers.update(self.rate_headers())
        return answer

    def _auth(self, request: httpx.Request) -> httpx.Response:
        expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if request.headers.get("authorization") != expected:
            return _json(401, {"error": "invalid_client"})
        form = dict(parse_qsl(request.content.decode()))
        if request.url.path == "/introspect":
            if not self.introspection:
                return _json(404, {"message": "Not found"})
            return _json(200, {"active": True, "scope": " ".join(sorted(self.scopes))})
        if form.get("grant_type") != "client_credentials":
            return _json(400, {"error": "invalid_request"})
        token = f"token-{self.new_id()}"
        self.tokens[token] = form.get("sub", "")
        return _json(
            200,
            {"token_type": "Bearer", "access_token": token, **self.token_answer(self.clock.now())},
        )

    def _list(self, request: httpx.Request, resource: str) -> httpx.Response:
        params = dict(request.url.params)
        offset = 0
        if "cursor" in params:
            if len(params) > 1:
                return _json(
                    422, {"errors": ["When passing a cursor, do not include other query params."]}
                )
            state = json.loads(base64.urlsafe_b64decode(params["cursor"]))
            params, offset = state["query"], state["offset"]
        per_page = int(params.get("per_page", 100))
        if not 1 <= per_page <= 500:
            return _json(
                422,
                {
                    "message": "Validation error",
                    "errors": [{"field": "per_page", "message": "1 to 500"}],
                },
            )
        rows = sorted(
            (r for r in self.tables[resource] if _matches(r, params, resource)),
            key=lambda r: -int(r["id"]),
        )
        page = rows[offset : offset + per_page]
        headers = {}
        if offset + per_page < len(rows):
            cursor = base64.urlsafe_b64encode(
                json.dumps({"query": params, "offset": offset + per_page}).encode()
            ).decode()
            headers["Link"] = f'<{BASE}/v3/{resource}?cursor={cursor}>; rel="next"'
        else:
            headers["Link"] = ""
        return httpx.Response(200, json=page, headers=headers)

    def _write(self, request: httpx.Request, resource: str) -> httpx.Response:
        body = json.loads(request.content or b"{}")
        parts = request.url.path.split("/")
        now = self.clock.now().isoformat().replace("+00:00", "Z")
        if request.method == "PATCH":
            row = next((r for r in self.tables[resource] if str(r["id"]) == parts[3]), None)
            if row is None:
                return _json(404, {"message": "Resource not found"})
            for key, value in body.items():
                if key == "custom_fields":
                    fields = row.setdefault("custom_fields", {})
                    for item in value:
                        fields[item["name_key"]] = {
                            "name": item["name_key"],
                            "type": "short_text",
                            "value": item["value"],
                        }
                else:
                    row[key] = value
            row["updated_at"] = now
            return _json(200, row)
        if resource == "candidates":
            application = body.pop("application", None)
            candidate = self.add("candidates", **body, created_at=now, updated_at=now)
            app = self._application(candidate["id"], application, now) if application else None
            return _json(201, {"candidate": candidate, "application": app})
        if resource == "applications":
            candidate_id = body.pop("candidate_id")
            return _json(201, self._application(candidate_id, body, now))
        return _json(201, self.add(resource, **body, created_at=now, updated_at=now))

    def _application(self, candidate_id: int, body: dict[str, Any], now: str) -> dict[str, Any]:
        job_id = body.get("job_id")
        app = self.add(
            "applications",
            candidate_id=candidate_id,
            job_id=job_id,
            prospect=bool(body.get("prospect")),
            prospective_job_ids=body.get("job_ids", []),
            status="in_process",
            source_id=body.get("source_id"),
            referrer_id=body.get("referrer_id"),
            stage_id=None,
            last_activity_at=now,
            created_at=now,
            updated_at=now,
        )
        stages = sorted(
            (s for s in self.tables["job_interview_stages"] if s["job_id"] == job_id),
            key=lambda s: s["sort_order"],
        )
        if stages and not app["prospect"]:
            row = self.add(
                "application_stages",
                application_id=app["id"],
                job_interview_stage_id=stages[0]["id"],
                current=True,
            )
            app["stage_id"] = row["id"]
        return app


def _matches(row: dict[str, Any], params: dict[str, Any], resource: str) -> bool:
    for key, value in params.items():
        if key in ("per_page", "include_defaults"):
            continue
        if key == "ids":
            if str(row["id"]) not in value.split(","):
                return False
        elif key.endswith("_ids"):
            field = key[:-4] + "_id"
            if str(row.get(field)) not in value.split(","):
                return False
        elif key == "email":
            emails = [e["value"].casefold() for e in row.get("email_addresses", [])]
            if resource == "user_emails":
                emails = [str(row.get("email", "")).casefold()]
            if value.casefold() not in emails:
                return False
        elif key == "status" and resource == "applications":
            if (row.get("status") == "in_process") != (value == "active") and row.get(
                "status"
            ) != value:
                return False
        elif key == "current":
            if bool(row.get("current")) != (value == "true"):
                return False
        elif "|" in str(value):
            op, stamp = str(value).split("|", 1)
            have = row.get(key)
            if have is None or not (have >= stamp if op == "gte" else have <= stamp):
                return False
        elif "[" in key:
            return False  # the bracket form is not this fake's reading
        elif key in row and str(row[key]) != value:
            return False
    return True


def _json(status: int, body: Any) -> httpx.Response:
    return httpx.Response(status, json=body)
