"""What the OpenAPI document says of each route: summary, body, answers, problems, query."""

from __future__ import annotations

from typing import Final

from intrro_gateway.entrypoints.http import models
from intrro_gateway.entrypoints.http.openapi import Operation

_API: Final = (401, 404, 422, 503)
_LISTING = (400, 401, 404, 422, 503)

ATS_WEBHOOK = Operation(
    "Receive an ATS web hook, signed as the ATS signs (Greenhouse: `Signature`; Lever: in the body)",
    {200: models.Received},
    problems=(400, 401, 404, 408, 413, 503),
    body="ats",
    public=True,
    problem_notes={404: "unknown tenant, unknown ATS key, or not the tenant's ATS"},
)
INTRRO_EVENT = Operation(
    "Receive an Intrro event (Standard Webhooks signature); unknown types answer `{ignored: true}`",
    {202: models.Received},
    problems=(400, 401, 404, 408, 413, 422, 503),
    body="intrro",
    public=True,
    problem_notes={401: "bad signature, or a timestamp more than 5 minutes from now"},
)
GET_TENANT = Operation("A tenant, without secrets", {200: models.TenantView})
PUT_TENANT = Operation(
    "Create (201) or change (200) a tenant; generated secrets are shown in this answer only",
    {200: models.TenantSaved, 201: models.TenantSaved},
    body=models.TenantBody,
    problems=(400, 401, 404, 413, 422, 503),
    problem_notes={
        404: "unknown tenant, another tenant than a tenant token's, or (a tenant token cannot "
        "create tenants) a missing one named by a tenant token"
    },
)
DELETE_TENANT = Operation(
    "Remove the tenant and all its data (operator tokens only)",
    {204: "removed"},
    problems=(401, 403, 404, 503),
)
ROTATE_SECRET = Operation(
    "Rotate a secret; the previous one stays valid for inbound checks for 24 hours",
    {200: models.Rotated},
    body=models.RotateBody,
    problems=(400, 401, 404, 413, 422, 503),
)
CONNECT = Operation(
    "Check and store a credential of the tenant's ATS; answers the connection report "
    "(the one answer showing the ATS web hook secret)",
    {200: models.ConnectionReport},
    body="connect",
    problems=(400, 401, 404, 413, 422, 503),
    problem_notes={422: "invalid input, or a credential the ATS refuses (nothing stored)"},
)
CONNECTION_STATUS = Operation(
    "The last report, refreshed checks and health flags, without secrets",
    {200: models.ConnectionStatus},
)
DISCONNECT = Operation("Forget the credential", {204: "removed"})
SYNC_JOBS = Operation("Start a full job import now", {202: models.SyncStarted})
LIST_JOBS = Operation(
    "The job mirror, a page at a time",
    {200: models.JobsPage},
    problems=_LISTING,
    query=models.JobsQuery,
)
GET_INTRODUCTION = Operation(
    "An introduction: status, ATS ids, applications and their history",
    {200: models.IntroductionView},
)
PIPELINE = Operation(
    "Linked applications, by status",
    {200: models.PipelinePage},
    problems=_LISTING,
    query=models.PipelineQuery,
)
DELIVERIES = Operation(
    "Inbox and outbox items, newest first",
    {200: models.DeliveriesPage},
    problems=_LISTING,
    query=models.DeliveriesQuery,
)
REPLAY = Operation(
    "Try a dead item again under the same id; others are left unchanged",
    {200: models.Replayed},
)
HEALTHZ = Operation("The process is up", {200: models.Health}, (), public=True)
READYZ = Operation("The database answers", {200: models.Health}, (503,), public=True)
METRICS = Operation("Prometheus metrics", {200: "text/plain"}, (), public=True)
OPENAPI_JSON = Operation("This document", {200: "application/json"}, (), public=True)
DOCS_PAGE = Operation("This document, readable (Swagger UI)", {200: "text/html"}, (), public=True)
DOCS_ASSET = Operation(
    "The Swagger UI's files, served from the installed package", {200: "*/*"}, (404,), public=True
)
