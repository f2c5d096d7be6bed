"""The HTTP API's messages as pydantic models: each request body and query string it reads and each
answer it gives.

Request bodies are read by their model (`read_body`), and a bad body is the contract's `422` naming
each field as a JSON pointer; query strings likewise (`read_query`), naming each parameter. Answers are built by the services as JSON; their models are the schema
`/openapi.json` publishes, and schemathesis checks the served answers against it in CI.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    create_model,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from intrro_gateway.adapters.intrro.fields import Email, NonBlank, message_of
from intrro_gateway.adapters.intrro.outbound import Job, RejectionReason, Stage
from intrro_gateway.domain.status import ReferralStatus
from intrro_gateway.services.errors import InvalidInputError

StageTarget = Literal["applied", "interviewing", "offer"]
RejectionTarget = Literal["rejected", "withdrawn"]
SecretKind = Literal["intrro", "ats_webhook", "greenhouse_webhook"]
Time = Annotated[str, Field(json_schema_extra={"format": "date-time"})]
Model = TypeVar("Model", bound=BaseModel)


class Body(BaseModel):
    """A request body: strict (no coercion), unknown fields refused."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Answer(BaseModel):
    """An answer's schema: every field listed is sent."""

    model_config = ConfigDict(extra="forbid")


# -- requests ------------------------------------------------------------------------------------


class StageMappingBody(Body):
    """Which ATS stage means which status: by stage id first, then by stage name."""

    model_config = ConfigDict(title="StageMapping")

    by_stage_id: dict[str, StageTarget] = {}
    by_stage_name: dict[str, StageTarget] = {}


class RejectionMappingBody(Body):
    """Which ATS rejection (archive) reason id means rejected and which withdrawn; a reason not
    listed is judged by its name (the candidate said no: withdrawn)."""

    model_config = ConfigDict(title="RejectionMapping")

    by_reason_id: dict[str, RejectionTarget] = {}


class TenantBody(Body):
    """`PUT /api/tenants/{tenant}`: every field optional on change (absent or null = unchanged)."""

    ats: NonBlank | None = Field(None, description="a registered ATS key; default greenhouse")
    intrro_callback_url: NonBlank | None = Field(None, description="where events to Intrro go")
    intrro_secret: NonBlank | None = Field(
        None, description="whsec_<base64>; generated if left out"
    )
    ats_webhook_secret: NonBlank | None = Field(None, description="the ATS web hook secret")
    greenhouse_webhook_secret: NonBlank | None = Field(
        None, description="alias of ats_webhook_secret"
    )
    stage_mapping: StageMappingBody | None = None
    rejection_mapping: RejectionMappingBody | None = None
    closed_job_policy: Literal["fail", "prospect"] | None = None


class RotateBody(Body):
    """`POST /api/tenants/{tenant}/secrets/rotate`."""

    which: SecretKind = Field(description="greenhouse_webhook is an alias of ats_webhook")


@cache
def connect_body(ats: str, credential_fields: tuple[str, ...]) -> type[Body]:
    """The connect body of an ATS: its credential fields and the acting user's e-mail."""
    fields: dict[str, Any] = {name: (NonBlank, ...) for name in credential_fields}
    fields["user_email"] = (Email, ...)
    return create_model(f"Connect{ats.title()}", __base__=Body, **fields)


# -- query strings -------------------------------------------------------------------------------


def _iso_datetime(value: Any) -> Any:
    """An ISO-8601 text as an aware datetime (UTC when it names no offset; `Z` allowed)."""
    if not isinstance(value, str):
        return value
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise PydanticCustomError("iso_datetime", "must be an ISO-8601 date-time") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


QueryTime = Annotated[datetime, BeforeValidator(_iso_datetime)]
Cursor = Annotated[str | None, Field(description="the `next_cursor` of the previous page")]
# The states of the inbox (received, processed, ignored, dead) and the outbox (pending, leased, done,
# dead), as `ports.unit_of_work` names them (a test keeps the two lists equal).
DeliveryState = Literal["received", "processed", "ignored", "dead", "pending", "leased", "done"]


class Query(BaseModel):
    """A query string read by its model: an empty value is absent, a parameter not listed ignored.
    `/openapi.json` describes each operation's parameters from the same model."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _empty_is_absent(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {key: value for key, value in data.items() if value != ""}
        return data


class JobsQuery(Query):
    """`GET /api/tenants/{tenant}/jobs`."""

    status: Literal["open", "closed", "all"] = Field("open", description="default open")
    updated_after: QueryTime | None = Field(
        None, description="only jobs changed after; deleted ones then listed too"
    )
    cursor: Cursor = None


class PipelineQuery(Query):
    """`GET /api/tenants/{tenant}/pipeline`."""

    status: ReferralStatus | None = Field(None, description="a referral status")
    cursor: Cursor = None


class DeliveriesQuery(Query):
    """`GET /api/tenants/{tenant}/deliveries`."""

    direction: Literal["in", "out"] | None = Field(None, description="in (inbox) or out (outbox)")
    state: DeliveryState | None = Field(None, description="an item state")
    cursor: Cursor = None


def read_query(model: type[Model], params: Mapping[str, str]) -> Model:
    """The query parameters read by `model` (the last of a repeated one); InvalidInputError naming
    each bad parameter (`status: must be …`)."""
    try:
        return model.model_validate(dict(params))
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False)
        raise InvalidInputError(
            [f"{'.'.join(map(str, e['loc']))}: {message_of(e)}" for e in errors]
        ) from None


def read_body(model: type[Model], doc: dict[str, Any]) -> Model:
    """`doc` read by `model`; InvalidInputError naming each bad field as a JSON pointer."""
    try:
        return model.model_validate(doc)
    except ValidationError as exc:
        raise InvalidInputError(pointer_errors(exc)) from None


def pointer_errors(exc: ValidationError) -> list[str]:
    """Each bad field as `/a/b: what is wrong`."""
    return [_pointer(e) for e in exc.errors(include_url=False, include_input=False)]


def _pointer(error: ErrorDetails) -> str:
    path = "/" + "/".join(str(part) for part in error["loc"])
    return f"{path}: {'required' if error['type'] == 'missing' else message_of(error)}"


# -- answers ------------------------------------------------------------------------------------


class StageMappingView(Answer):
    """A tenant's stage mapping."""

    by_stage_id: dict[str, StageTarget]
    by_stage_name: dict[str, StageTarget]


class RejectionMappingView(Answer):
    """A tenant's rejection mapping."""

    by_reason_id: dict[str, RejectionTarget]


class TenantView(Answer):
    """A tenant as the API shows it: never a secret."""

    id: str
    ats: str
    intrro_callback_url: str | None
    stage_mapping: StageMappingView
    rejection_mapping: RejectionMappingView
    closed_job_policy: Literal["fail", "prospect"]
    connected: bool
    webhook_url: str
    created_at: Time | None


class TenantSaved(TenantView):
    """A tenant just created or changed, with the secrets generated for it (shown this once)."""

    generated: dict[str, str]


class Rotated(Answer):
    """A new secret, shown once; the previous one stays valid for inbound checks a while."""

    which: SecretKind
    secret: str
    previous_valid_for_seconds: float


class ReportUser(Answer):
    """The acting user as the ATS knows them."""

    model_config = ConfigDict(title="User")

    id: str
    name: str | None
    email: str | None
    site_admin: bool


class PermissionView(Answer):
    """One scope the integration uses, and whether the credential has it."""

    model_config = ConfigDict(title="Permission")

    scope: str
    covers: list[str]
    required: bool
    status: Literal["granted", "missing", "unverified"]
    steps: list[str] = Field([], description="how to grant it, when it is not granted")


class SourceView(Answer):
    """Whether the ATS has the `Intrro` candidate source, and how to add it if not."""

    model_config = ConfigDict(title="Source")

    found: bool
    id: str | None
    steps: list[str]


class WebhookEvent(Answer):
    """A web hook event the gateway needs, by the ATS's name and label."""

    action: str
    label: str


class WebhookView(Answer):
    """The web hook the admin sets up in the ATS; the secret only in the connect answer."""

    model_config = ConfigDict(title="Webhook")

    url: str
    secret: str | None = None
    events: list[WebhookEvent]
    created: bool = Field(False, description="the gateway made the web hooks in the ATS itself")
    steps: list[str] = Field([], description="what the admin does for them instead")


class ConnectionReport(Answer):
    """What checking a credential found."""

    ok: bool
    user: ReportUser | None
    permissions: list[PermissionView]
    source: SourceView
    webhook: WebhookView
    problems: list[str]


class ConnectionStatus(Answer):
    """The last report, refreshed by each re-check, and the health flags; no secret."""

    model_config = ConfigDict(extra="allow")

    connected: bool
    ok: bool
    ats: str | None = None
    client_id: str | None = None
    user_id: str | None = None
    connected_at: Time | None = None
    checked_at: Time | None = None
    report: ConnectionReport | None
    webhooks_silent: bool
    credential_failing: bool
    last_webhook_at: Time | None
    last_ping_at: Time | None
    reconciled_at: Time | None
    reconcile_repairs: int
    jobs_synced_at: Time | None


class SyncStarted(Answer):
    """A job import started."""

    started: bool
    tenant: str


class JobsPage(Answer):
    """A page of the job mirror."""

    jobs: list[Job]
    next_cursor: str | None


class StatusChangeView(Answer):
    """One step of an application's status history."""

    model_config = ConfigDict(title="StatusChange")

    previous_status: ReferralStatus
    status: ReferralStatus
    sequence: int
    at: Time | None
    stage: Stage | None


class ApplicationView(Answer):
    """An application of an introduction, with its history."""

    model_config = ConfigDict(title="IntroductionApplication")

    job_id: str
    application_id: str | None
    status: ReferralStatus
    stage: Stage | None
    rejection_reason: RejectionReason | None
    problem: str | None
    closed: str | None
    last_change_at: Time | None
    history: list[StatusChangeView]


class IntroductionView(Answer):
    """An introduction: export status, ATS ids, applications and their history."""

    model_config = ConfigDict(title="Introduction")

    introduction_id: str
    status: str
    accepted_at: Time | None
    withdrawn_at: Time | None
    job_ids: list[str]
    ats: str
    ats_candidate_id: str | None
    candidate_url: str | None
    referral_credit: str | None
    sequence: int
    applications: list[ApplicationView]


class PipelineEntry(Answer):
    """A linked application in the pipeline."""

    introduction_id: str
    job_id: str
    application_id: str | None
    status: ReferralStatus
    stage: Stage | None
    updated_at: Time | None


class PipelinePage(Answer):
    """A page of the pipeline."""

    applications: list[PipelineEntry]
    next_cursor: str | None


class Delivery(Answer):
    """An inbox (in) or outbox (out) item."""

    id: str
    direction: Literal["in", "out"]
    kind: str
    state: str
    attempts: int
    last_error: str | None
    created_at: Time | None
    not_before: Time | None


class DeliveriesPage(Answer):
    """A page of deliveries, newest first."""

    deliveries: list[Delivery]
    next_cursor: str | None


class Replayed(Answer):
    """Whether a dead item was put back in line."""

    replayed: bool


class Health(Answer):
    """The process is up, or the database answers."""

    status: Literal["ok", "ready"]


class Received(Answer):
    """An inbound delivery taken (stored, a duplicate, or a ping)."""

    model_config = ConfigDict(extra="allow")


class Ignored(Answer):
    """An inbound delivery of a kind the gateway does not use."""

    ignored: Literal[True]


class Problem(Answer):
    """An RFC 9457 problem."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[str] | None = Field(None, description="each bad field, as `/pointer: message`")
