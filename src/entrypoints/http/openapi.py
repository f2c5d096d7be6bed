"""The OpenAPI 3.1 document of the gateway, written by hand; a test keeps it true to the routes."""

from __future__ import annotations

from typing import Any

_PROBLEM = {"$ref": "#/components/responses/Problem"}
_TENANT = {
    "name": "tenant",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,62}$"},
}


def _query(name: str, description: str, enum: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    if enum:
        schema["enum"] = enum
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


def _path(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


def _op(
    summary: str,
    responses: dict[str, str],
    *,
    params: list[dict[str, Any]] | None = None,
    body: dict[str, Any] | None = None,
    public: bool = False,
) -> dict[str, Any]:
    op: dict[str, Any] = {
        "summary": summary,
        "parameters": params if params is not None else [_TENANT],
        "responses": {
            code: (_PROBLEM if code[0] in "45" else {"description": text})
            for code, text in responses.items()
        },
    }
    if body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    if public:
        op["security"] = []
    return op


_ATS = {
    "name": "ats",
    "in": "path",
    "required": True,
    "schema": {"enum": ["greenhouse", "lever"]},
    "description": "the ATS key; a tenant whose ATS is another answers 404",
}


def _object(**props: Any) -> dict[str, Any]:
    return {"type": "object", "properties": props, "additionalProperties": False}


_STR = {"type": "string"}
_NULLABLE_STR = {"type": ["string", "null"]}
_TENANT_BODY = _object(
    intrro_callback_url=_NULLABLE_STR,
    intrro_secret={"type": ["string", "null"], "pattern": "^whsec_"},
    ats={"enum": ["greenhouse", "lever", None]},
    ats_webhook_secret=_NULLABLE_STR,
    greenhouse_webhook_secret={**_NULLABLE_STR, "description": "alias of ats_webhook_secret"},
    stage_mapping={
        "type": ["object", "null"],
        "properties": {
            "by_stage_id": {
                "type": "object",
                "additionalProperties": {"enum": ["applied", "interviewing", "offer"]},
            },
            "by_stage_name": {
                "type": "object",
                "additionalProperties": {"enum": ["applied", "interviewing", "offer"]},
            },
        },
    },
    closed_job_policy={"enum": ["fail", "prospect", None]},
)
_AUTH = {"401": "no valid bearer token"}
_ERRORS = {
    **_AUTH,
    "404": "unknown tenant, or another tenant than a tenant token's",
    "422": "invalid input",
    "503": "database unavailable",
}
_LISTING = {**_ERRORS, "400": "a cursor this listing did not give"}


def _paths() -> dict[str, dict[str, Any]]:
    t = "/api/tenants/{tenant}"
    statuses = ["introduced", "applied", "interviewing", "offer", "hired", "rejected", "withdrawn"]
    return {
        "/webhooks/{ats}/{tenant}": {
            "post": _op(
                "Receive an ATS web hook (e.g. Greenhouse's, signed with the tenant's web hook "
                "secret)",
                {
                    "200": 'stored, duplicate, ping, or ignored (`{"ignored": true}`)',
                    "400": "not JSON or no action",
                    "401": "bad signature",
                    "404": "unknown tenant, unknown ATS, or not the tenant's ATS",
                    "413": "body over 1 MiB",
                    "503": "database unavailable",
                },
                params=[_ATS, _TENANT],
                body={"type": "object"},
                public=True,
            )
        },
        "/events/intrro/{tenant}": {
            "post": _op(
                "Receive an Intrro event (Standard Webhooks signature)",
                {
                    "202": 'stored, duplicate, or ignored (`{"ignored": true}`)',
                    "400": "not JSON",
                    "401": "bad signature or stale timestamp",
                    "404": "unknown tenant",
                    "413": "body over 1 MiB",
                    "422": "breaks the event schema",
                    "503": "database unavailable",
                },
                body={"type": "object", "required": ["type", "timestamp", "data"]},
                public=True,
            )
        },
        t: {
            "get": _op("A tenant, without secrets", {"200": "the tenant", **_ERRORS}),
            "put": _op(
                "Create (201) or change (200) a tenant; generated secrets shown once",
                {"200": "changed", "201": "created", **_ERRORS},
                body=_TENANT_BODY,
            ),
            "delete": _op(
                "Remove the tenant and all its data (operator tokens only)",
                {"204": "removed", "403": "a tenant token", **_ERRORS},
            ),
        },
        f"{t}/secrets/rotate": {
            "post": _op(
                "Rotate a secret; the previous one stays valid 24 hours",
                {"200": "the new secret", **_ERRORS},
                body=_object(
                    which={
                        "enum": ["intrro", "ats_webhook", "greenhouse_webhook"],
                        "description": "greenhouse_webhook is an alias of ats_webhook",
                    }
                ),
            ),
        },
        f"{t}/connections/{{ats}}": {
            "post": _op(
                "Check and store a credential of the tenant's ATS (Greenhouse: a Harvest v3 "
                "client id and secret); the connection report",
                {"200": "the report", **_ERRORS},
                params=[_TENANT, _ATS],
                body={
                    "type": "object",
                    "properties": {"client_id": _STR, "client_secret": _STR, "user_email": _STR},
                    "required": ["user_email"],
                },
            ),
            "get": _op(
                "The last report, refreshed checks and health flags",
                {"200": "the status", **_ERRORS},
                params=[_TENANT, _ATS],
            ),
            "delete": _op(
                "Forget the credential", {"204": "removed", **_ERRORS}, params=[_TENANT, _ATS]
            ),
        },
        f"{t}/sync/jobs": {"post": _op("Start a full job import", {"202": "started", **_ERRORS})},
        f"{t}/jobs": {
            "get": _op(
                "The job mirror",
                {"200": "`{jobs, next_cursor}`", **_LISTING},
                params=[
                    _TENANT,
                    _query("status", "default open", ["open", "closed", "all"]),
                    _query("updated_after", "ISO-8601; deleted jobs included"),
                    _query("cursor", "from next_cursor"),
                ],
            ),
        },
        f"{t}/introductions/{{introduction_id}}": {
            "get": _op(
                "An introduction: status, ATS ids, applications, history",
                {"200": "the introduction", **_ERRORS},
                params=[_TENANT, _path("introduction_id")],
            ),
        },
        f"{t}/pipeline": {
            "get": _op(
                "Linked applications by status",
                {"200": "`{applications, next_cursor}`", **_LISTING},
                params=[
                    _TENANT,
                    _query("status", "a referral status", statuses),
                    _query("cursor", "from next_cursor"),
                ],
            ),
        },
        f"{t}/deliveries": {
            "get": _op(
                "Inbox and outbox items, newest first",
                {"200": "`{deliveries, next_cursor}`", **_LISTING},
                params=[
                    _TENANT,
                    _query("direction", "in or out", ["in", "out"]),
                    _query("state", "an item state"),
                    _query("cursor", "from next_cursor"),
                ],
            ),
        },
        f"{t}/deliveries/{{id}}/replay": {
            "post": _op(
                "Try a dead item again; others are left unchanged",
                {"200": "`{replayed: bool}`", **_ERRORS},
                params=[_TENANT, _path("id")],
            ),
        },
        "/healthz": {"get": _op("The process is up", {"200": "up"}, params=[], public=True)},
        "/readyz": {
            "get": _op(
                "The database is reachable",
                {"200": "ready", "503": "not ready"},
                params=[],
                public=True,
            )
        },
        "/metrics": {
            "get": _op("Prometheus metrics", {"200": "text format"}, params=[], public=True)
        },
        "/openapi.json": {
            "get": _op("This document", {"200": "OpenAPI 3.1"}, params=[], public=True)
        },
    }


def openapi_document(server_url: str) -> dict[str, Any]:
    """The OpenAPI document, with `server_url` as the server."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "intrro-gateway",
            "version": "0.1.0",
            "description": "Integration gateway between Intrro and applicant tracking systems (Greenhouse Harvest v3).",
        },
        "servers": [{"url": server_url}],
        "security": [{"bearer": []}],
        "paths": _paths(),
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "responses": {
                "Problem": {
                    "description": "An RFC 9457 problem",
                    "content": {
                        "application/problem+json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "type": _STR,
                                    "title": _STR,
                                    "status": {"type": "integer"},
                                    "detail": _STR,
                                    "instance": _STR,
                                    "errors": {"type": "array", "items": _STR},
                                },
                            }
                        }
                    },
                }
            },
        },
    }
