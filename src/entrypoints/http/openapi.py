"""The OpenAPI 3.1 document, generated from the routes, the operation each route carries
(`operations.py`) and the message models: request bodies, answers, problems, the bearer scheme, and the events sent to Intrro
under `webhooks` with their Standard Webhooks headers. A route without an operation fails the build
of the document (and so its test)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema
from starlette.routing import Route

from intrro_gateway.adapters.intrro import inbound, outbound
from intrro_gateway.adapters.intrro.schemas import envelope_schema
from intrro_gateway.entrypoints.http import models

_REF: Final = "#/components/schemas/{model}"
_SLUG: Final = "^[a-z0-9][a-z0-9-]{0,62}$"
_PROBLEMS: Final = {
    400: "not JSON, or a cursor this listing did not give",
    401: "no valid bearer token",
    403: "a tenant token",
    404: "unknown tenant, or another tenant than a tenant token's",
    408: "the body did not arrive within the request deadline (counted from its first byte)",
    413: "body over the size limit",
    422: "invalid input: `errors` names each bad field",
    503: "the database cannot take the request now; `Retry-After` says when to try again",
}
_API: Final = (401, 404, 422, 503)


@dataclass(frozen=True)
class Operation:
    """What the document says of one route: answers by status (a model, a media type, or text)."""

    summary: str
    answers: Mapping[int, type[BaseModel] | str]
    problems: tuple[int, ...] = _API
    body: type[BaseModel] | str | None = None
    query: type[BaseModel] | None = None  # the query string's model (models.Query)
    public: bool = False
    problem_notes: Mapping[int, str] = field(default_factory=dict)


def openapi_document(
    routes: Iterable[Route], server_url: str, connect_fields: Mapping[str, tuple[str, ...]]
) -> dict[str, Any]:
    """The document for these routes; `connect_fields` are each ATS's credential fields."""
    routes = list(routes)
    operations = [getattr(route, "operation", None) for route in routes]
    ops = [op for op in operations if isinstance(op, Operation)]
    connect = {ats: models.connect_body(ats, f) for ats, f in sorted(connect_fields.items())}
    components = _schemas(
        [
            *(op.body for op in ops if isinstance(op.body, type)),
            *(a for op in ops for a in op.answers.values() if isinstance(a, type)),
            *connect.values(),
            *inbound.INBOUND_EVENTS.values(),
            *outbound.OUTBOUND_EVENTS.values(),
            models.Ignored,
            models.Problem,
        ]
    )
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        op = getattr(route, "operation", None)
        if not isinstance(op, Operation):
            raise LookupError(f"no operation documents {route.path}")
        for method in sorted((route.methods or set()) - {"HEAD"}):
            paths.setdefault(route.path, {})[method.lower()] = _operation(
                route, op, tuple(sorted(connect)), connect
            )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "intrro-gateway",
            "version": "0.1.0",
            "description": (
                "Integration gateway between Intrro and applicant tracking systems (Greenhouse "
                "Harvest v3, Lever). The API takes a bearer token (`Authorization: Bearer …`); "
                "errors are RFC 9457 problems. The events the gateway sends to Intrro are under "
                "`webhooks`."
            ),
        },
        "servers": [{"url": server_url}],
        "security": [{"bearer": []}],
        "tags": [{"name": tag} for tag in _TAG_ORDER],
        "paths": paths,
        "webhooks": _webhooks(),
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "an operator token, or a token limited to one tenant",
                }
            },
            "schemas": components,
            "responses": {
                "Problem": {
                    "description": "An RFC 9457 problem",
                    "content": {"application/problem+json": {"schema": _ref(models.Problem)}},
                }
            },
        },
    }


def _schemas(found: list[type[BaseModel]]) -> dict[str, Any]:
    unique = list(dict.fromkeys(found))
    _, top = models_json_schema([(m, "validation") for m in unique], ref_template=_REF)
    return dict(sorted(top.get("$defs", {}).items()))


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": _REF.format(model=model.__name__)}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _operation(
    route: Route, op: Operation, ats_keys: tuple[str, ...], connect: Mapping[str, type[BaseModel]]
) -> dict[str, Any]:
    path = route.path
    out: dict[str, Any] = {
        "summary": op.summary,
        "operationId": route.name,
        "tags": [_tag(path)],
        "parameters": [*_path_params(path, ats_keys), *_query_params(op.query)],
        "responses": {},
    }
    if op.body is not None:
        out["requestBody"] = {"required": True, "content": _json(_body(op.body, connect))}
    for status, answer in sorted(op.answers.items()):
        out["responses"][str(status)] = _answer(status, answer, path)
    for status in op.problems:
        out["responses"][str(status)] = {
            "description": op.problem_notes.get(status, _PROBLEMS[status]),
            "content": {"application/problem+json": {"schema": _ref(models.Problem)}},
        }
    if op.public:
        out["security"] = []
    return out


_TAG_ORDER: Final = (
    "Inbound",
    "Tenants",
    "Connections",
    "Jobs and pipeline",
    "Deliveries",
    "Operations",
)
_TAGS: Final = (
    ("/webhooks/", "Inbound"),
    ("/events/", "Inbound"),
    ("/connections/", "Connections"),
    ("/deliveries", "Deliveries"),
    ("/jobs", "Jobs and pipeline"),
    ("/introductions/", "Jobs and pipeline"),
    ("/pipeline", "Jobs and pipeline"),
    ("/api/tenants/", "Tenants"),
)


def _tag(path: str) -> str:
    """The group an operation is listed under."""
    return next((tag for part, tag in _TAGS if part in path), "Operations")


def _answer(status: int, answer: type[BaseModel] | str, path: str) -> dict[str, Any]:
    if isinstance(answer, type):
        if answer is models.Received:
            return {
                "description": 'stored, a duplicate, a ping, or ignored (`{"ignored": true}`)',
                "content": _json({"anyOf": [_ref(models.Received), _ref(models.Ignored)]}),
            }
        return {"description": answer.__doc__ or answer.__name__, "content": _json(_ref(answer))}
    if "/" in answer:
        return {"description": "see the summary", "content": {answer: {"schema": {}}}}
    return {"description": answer}


def _body(body: type[BaseModel] | str, connect: Mapping[str, type[BaseModel]]) -> dict[str, Any]:
    if isinstance(body, type):
        return _ref(body)
    if body == "connect":
        return {
            "description": "the credential fields of the tenant's ATS, and the acting user's e-mail",
            "oneOf": [_ref(model) for model in connect.values()],
        }
    if body == "intrro":
        return {
            "description": "an Intrro event; a type not listed here is answered `{ignored: true}`",
            "anyOf": [
                envelope_schema(kind, _ref(model)) for kind, model in inbound.INBOUND_EVENTS.items()
            ],
        }
    return {"type": "object", "description": "the ATS's own web hook body, as the ATS sends it"}


def _path_params(path: str, ats_keys: tuple[str, ...]) -> list[dict[str, Any]]:
    params = []
    for name in re.findall(r"{(\w+)}", path):
        schema: dict[str, Any] = {"type": "string"}
        if name == "tenant":
            schema["pattern"] = _SLUG
        elif name == "ats":
            schema = {"type": "string", "enum": list(ats_keys)}
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    return params


def _query_params(model: type[BaseModel] | None) -> list[dict[str, Any]]:
    """The parameters of a query string, from the model that reads it: each field's schema inline
    (an enum's definition included), `null` left out (an absent parameter is the null)."""
    if model is None:
        return []
    schema = model.model_json_schema(mode="validation")
    defs = schema.get("$defs", {})
    required = set(schema.get("required", ()))
    params = []
    for name, prop in schema["properties"].items():
        field = _inline(prop, defs)
        description = field.pop("description", None)
        field.pop("title", None)
        param: dict[str, Any] = {"name": name, "in": "query", "required": name in required}
        param["schema"] = field
        if description:
            param["description"] = description
        params.append(param)
    return params


def _inline(schema: dict[str, Any], defs: Mapping[str, Any]) -> dict[str, Any]:
    """A parameter's schema with its `$ref` resolved and a `null` alternative dropped."""
    out = dict(schema)
    ref = out.pop("$ref", None)
    if isinstance(ref, str):
        out = {**defs[ref.rsplit("/", 1)[-1]], **out}
    options = [o for o in out.pop("anyOf", []) if o.get("type") != "null"]
    if len(options) == 1:
        out = {**_inline(options[0], defs), **out}
    elif options:
        out["anyOf"] = [_inline(o, defs) for o in options]
    if out.get("default") is None:
        out.pop("default", None)
    return out


_SIGNATURE_HEADERS: Final = (
    ("webhook-id", "the outbox item's id: the same across retries and replays"),
    ("webhook-timestamp", "seconds since the Unix epoch when this attempt was signed"),
    (
        "webhook-signature",
        "`v1,<base64 HMAC-SHA256 of id.timestamp.body>` under the tenant's Intrro secret",
    ),
)


def _webhooks() -> dict[str, Any]:
    hooks: dict[str, Any] = {}
    for kind, model in outbound.OUTBOUND_EVENTS.items():
        hooks[kind] = {
            "post": {
                "summary": (model.__doc__ or kind).split("\n")[0],
                "operationId": f"event_{kind.replace('.', '_')}",
                "description": (
                    "Posted to the tenant's Intrro callback URL, at least once; retried with "
                    "capped exponential backoff and jitter over the retry horizon, then parked "
                    "dead (replayable)."
                ),
                "parameters": [
                    {
                        "name": name,
                        "in": "header",
                        "required": True,
                        "description": text,
                        "schema": {"type": "string"},
                    }
                    for name, text in _SIGNATURE_HEADERS
                ],
                "requestBody": {
                    "required": True,
                    "content": _json(envelope_schema(kind, _ref(model))),
                },
                "responses": {
                    "2XX": {"description": "taken"},
                    "400": {"description": "parked at once (also 404 and 410)"},
                    "default": {"description": "tried again later"},
                },
            }
        }
    return hooks
