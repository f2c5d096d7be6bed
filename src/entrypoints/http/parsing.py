"""Reading API input: JSON bodies by their models, every problem reported as InvalidInputError
(query strings are read by their models too: `models.read_query`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from starlette.requests import Request

from intrro_gateway.adapters.json_limits import loads_bounded
from intrro_gateway.domain.destinations import DestinationPolicy
from intrro_gateway.domain.status import ReferralStatus, RejectionMapping, StageMapping
from intrro_gateway.domain.tenant import ClosedJobPolicy
from intrro_gateway.entrypoints import compat
from intrro_gateway.entrypoints.http import models
from intrro_gateway.entrypoints.http.body import read_limited
from intrro_gateway.entrypoints.http.problems import ProblemError
from intrro_gateway.services import tenants
from intrro_gateway.services.errors import InvalidInputError
from intrro_gateway.services.tenants import TenantInput


@dataclass(frozen=True, slots=True)
class ConnectionInput:
    """The credential an admin gives for an ATS: its fields by name, and the acting user's e-mail."""

    fields: dict[str, str]
    user_email: str

    def __repr__(self) -> str:
        return f"ConnectionInput(fields={sorted(self.fields)!r})"


@dataclass(frozen=True, slots=True)
class TenantBody:
    """A PUT body read: the service's input and the name the caller gave the web hook secret."""

    data: TenantInput
    webhook_secret_field: str


async def json_object(request: Request, limit: int, *, empty_ok: bool = False) -> dict[str, Any]:
    """The request body as a JSON object; 400 when it is not one."""
    body = await read_limited(request, limit)
    if empty_ok and not body.strip():
        return {}
    try:
        doc = loads_bounded(body)
    except ValueError:
        raise ProblemError(400, "Bad Request", "the body is not JSON") from None
    if not isinstance(doc, dict):
        raise ProblemError(400, "Bad Request", "the body is not a JSON object")
    return doc


def tenant_input(
    tenant_id: str,
    doc: Mapping[str, Any],
    known_ats: tuple[str, ...],
    destinations: DestinationPolicy | None = None,
) -> TenantBody:
    """A tenant's fields from a PUT body (absent or null: unchanged), checked by the service's rules
    too, so that one answer names every problem. `greenhouse_webhook_secret` is an alias of
    `ats_webhook_secret` (both given: they must agree)."""
    errors: list[str] = []
    try:
        body = models.TenantBody.model_validate(doc)
    except ValidationError as exc:
        errors = models.pointer_errors(exc)
        bad = {error["loc"][0] for error in exc.errors() if error["loc"]}
        body = models.TenantBody.model_validate({k: v for k, v in doc.items() if k not in bad})
    field = compat.WEBHOOK_SECRET_FIELD
    webhook_secret = body.ats_webhook_secret
    legacy = body.greenhouse_webhook_secret
    if legacy is not None:
        if webhook_secret is not None and webhook_secret != legacy:
            errors.append(
                f"/{compat.LEGACY_WEBHOOK_SECRET_FIELD}: an alias of {field}; they differ"
            )
        field, webhook_secret = compat.LEGACY_WEBHOOK_SECRET_FIELD, legacy
    mapping = body.stage_mapping
    data = TenantInput(
        intrro_callback_url=body.intrro_callback_url,
        intrro_secret=body.intrro_secret,
        ats_webhook_secret=webhook_secret,
        ats=body.ats,
        stage_mapping=None
        if mapping is None
        else StageMapping(
            by_stage_id={k: ReferralStatus(v) for k, v in mapping.by_stage_id.items()},
            by_stage_name={k: ReferralStatus(v) for k, v in mapping.by_stage_name.items()},
        ),
        rejection_mapping=None
        if body.rejection_mapping is None
        else RejectionMapping(
            by_reason_id={
                k: ReferralStatus(v) for k, v in body.rejection_mapping.by_reason_id.items()
            }
        ),
        closed_job_policy=None
        if body.closed_job_policy is None
        else ClosedJobPolicy(body.closed_job_policy),
    )
    errors += tenants.validate(
        tenant_id, data, known_ats=known_ats, webhook_secret_field=field, policy=destinations
    )
    if errors:
        raise InvalidInputError(errors)
    return TenantBody(data=data, webhook_secret_field=field)


def connection_input(
    ats: str, doc: Mapping[str, Any], credential_fields: tuple[str, ...]
) -> ConnectionInput:
    """The credential of a connect body, as the ATS names its fields; every field required."""
    body = models.read_body(models.connect_body(ats, credential_fields), dict(doc))
    values = body.model_dump()
    return ConnectionInput(
        fields={key: values[key] for key in credential_fields},
        user_email=values["user_email"],
    )


def secret_kind(doc: Mapping[str, Any]) -> str:
    """Which secret a rotate body names, as the caller named it (an alias included)."""
    return models.read_body(models.RotateBody, dict(doc)).which
