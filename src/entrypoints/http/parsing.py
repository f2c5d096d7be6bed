"""Reading API input: JSON bodies and query parameters, every problem reported as InvalidInputError."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request

from intrro_gateway.adapters.json_limits import loads_bounded
from intrro_gateway.domain.destinations import DestinationPolicy
from intrro_gateway.domain.status import STAGE_TARGETS, ReferralStatus, StageMapping
from intrro_gateway.domain.tenant import ClosedJobPolicy
from intrro_gateway.entrypoints import compat
from intrro_gateway.entrypoints.http.body import read_limited
from intrro_gateway.entrypoints.http.problems import ProblemError
from intrro_gateway.services import tenants
from intrro_gateway.services.errors import InvalidInputError
from intrro_gateway.services.tenants import TenantInput

_TENANT_FIELDS = (
    "ats",
    "intrro_callback_url",
    "intrro_secret",
    compat.WEBHOOK_SECRET_FIELD,
    compat.LEGACY_WEBHOOK_SECRET_FIELD,
    "stage_mapping",
    "closed_job_policy",
)


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


def _unknown(doc: Mapping[str, Any], allowed: tuple[str, ...]) -> list[str]:
    return [f"/{key}: unknown field" for key in doc if key not in allowed]


def _optional_str(doc: Mapping[str, Any], key: str, errors: list[str]) -> str | None:
    value = doc.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        errors.append(f"/{key}: must be a non-empty string")
        return None
    return value


def _stage_mapping(value: Any, errors: list[str]) -> StageMapping | None:
    if not isinstance(value, dict):
        errors.append("/stage_mapping: must be an object with by_stage_id and by_stage_name")
        return None
    parts: dict[str, dict[str, ReferralStatus]] = {"by_stage_id": {}, "by_stage_name": {}}
    for key, entries in value.items():
        if key not in parts:
            errors.append(f"/stage_mapping/{key}: unknown field")
            continue
        if not isinstance(entries, dict):
            errors.append(f"/stage_mapping/{key}: must be an object of stage to status")
            continue
        for stage, status in entries.items():
            target = _status(status)
            if target in STAGE_TARGETS:
                parts[key][str(stage)] = target
            else:
                errors.append(
                    f"/stage_mapping/{key}/{stage}: {status!r} is not applied, interviewing or offer"
                )
    return StageMapping(by_stage_id=parts["by_stage_id"], by_stage_name=parts["by_stage_name"])


def _status(value: Any) -> ReferralStatus | None:
    try:
        return ReferralStatus(value)
    except ValueError:
        return None


def tenant_input(
    tenant_id: str,
    doc: Mapping[str, Any],
    known_ats: tuple[str, ...],
    destinations: DestinationPolicy | None = None,
) -> TenantBody:
    """A tenant's fields from a PUT body (absent or null: unchanged), checked by the service's rules
    too, so that one answer names every problem. `greenhouse_webhook_secret` is an alias of
    `ats_webhook_secret` (both given: they must agree)."""
    errors = _unknown(doc, _TENANT_FIELDS)
    ats = _optional_str(doc, "ats", errors)
    url = _optional_str(doc, "intrro_callback_url", errors)
    intrro_secret = _optional_str(doc, "intrro_secret", errors)
    field = compat.WEBHOOK_SECRET_FIELD
    webhook_secret = _optional_str(doc, field, errors)
    legacy = _optional_str(doc, compat.LEGACY_WEBHOOK_SECRET_FIELD, errors)
    if legacy is not None:
        if webhook_secret is not None and webhook_secret != legacy:
            errors.append(
                f"/{compat.LEGACY_WEBHOOK_SECRET_FIELD}: an alias of {field}; they differ"
            )
        field, webhook_secret = compat.LEGACY_WEBHOOK_SECRET_FIELD, legacy
    mapping = None
    if doc.get("stage_mapping") is not None:
        mapping = _stage_mapping(doc["stage_mapping"], errors)
    policy = None
    if doc.get("closed_job_policy") is not None:
        try:
            policy = ClosedJobPolicy(doc["closed_job_policy"])
        except ValueError:
            errors.append("/closed_job_policy: must be fail or prospect")
    data = TenantInput(
        intrro_callback_url=url,
        intrro_secret=intrro_secret,
        ats_webhook_secret=webhook_secret,
        ats=ats,
        stage_mapping=mapping,
        closed_job_policy=policy,
    )
    errors += tenants.validate(
        tenant_id, data, known_ats=known_ats, webhook_secret_field=field, policy=destinations
    )
    if errors:
        raise InvalidInputError(errors)
    return TenantBody(data=data, webhook_secret_field=field)


def connection_input(doc: Mapping[str, Any], credential_fields: tuple[str, ...]) -> ConnectionInput:
    """The credential of a connect body, as the ATS names its fields; every field required."""
    fields = (*credential_fields, "user_email")
    errors = _unknown(doc, fields)
    errors += [f"/{key}: required" for key in fields if doc.get(key) is None]
    values = {key: _optional_str(doc, key, errors) for key in fields}
    email = values["user_email"]
    if email is not None and "@" not in email:
        errors.append("/user_email: must be an e-mail address")
    if errors:
        raise InvalidInputError(errors)
    return ConnectionInput(
        fields={key: str(values[key]) for key in credential_fields},
        user_email=str(email),
    )


def secret_kind(doc: Mapping[str, Any]) -> str:
    """Which secret a rotate body names, as the caller named it (an alias included)."""
    which = doc.get("which")
    errors = _unknown(doc, ("which",))
    if which not in compat.ACCEPTED_SECRET_KINDS:
        kinds = compat.ACCEPTED_SECRET_KINDS
        errors.append(f"/which: must be {', '.join(kinds[:-1])} or {kinds[-1]}")
    if errors:
        raise InvalidInputError(errors)
    return str(which)


def choice(
    params: Mapping[str, str], name: str, allowed: tuple[str, ...], default: str | None
) -> str | None:
    """A query parameter that must be one of `allowed`."""
    value = params.get(name)
    if value is None or value == "":
        return default
    if value not in allowed:
        raise InvalidInputError([f"{name}: must be one of {', '.join(allowed)}"])
    return value


def timestamp(params: Mapping[str, str], name: str) -> datetime | None:
    """An ISO-8601 query parameter, as an aware datetime (UTC when no offset is given)."""
    value = params.get(name)
    if value is None or value == "":
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInputError([f"{name}: must be an ISO-8601 date-time"]) from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
