"""The console's pages: each reads its input, calls the same use case the API calls, and renders.

No policy here: who may reach a tenant is `Principal.may_reach` (the API's rule), the inputs are
parsed by the API's own parsers (`entrypoints/http/parsing.py`), and every action is a service call.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import structlog
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates

from intrro_gateway.domain.access import Principal
from intrro_gateway.domain.commands import ImportJobs
from intrro_gateway.domain.status import ReferralStatus
from intrro_gateway.domain.tenant import SECRET_KINDS, Tenant
from intrro_gateway.entrypoints import compat
from intrro_gateway.entrypoints.http.api import tenant_view
from intrro_gateway.entrypoints.http.body import BodyTooLargeError, read_limited
from intrro_gateway.entrypoints.http.console.session import (
    Session,
    SessionCodec,
    csrf_matches,
    new_session,
)
from intrro_gateway.entrypoints.http.middleware import principal_of
from intrro_gateway.entrypoints.http.parsing import connection_input, tenant_input
from intrro_gateway.entrypoints.http.runtime import Runtime, runtime_of
from intrro_gateway.ports.ats import AtsError
from intrro_gateway.services import connection, inspection, tenants
from intrro_gateway.services.errors import (
    CredentialRefusedError,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
    ServiceError,
)
from intrro_gateway.services.handlers.jobs import import_jobs

log = structlog.get_logger(__name__)

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
_FORM_LIMIT = 64 * 1024
STATUSES = tuple(str(s) for s in ReferralStatus)


@dataclass
class Page:
    """One request to a signed-in page: who asks, about which tenant, with what form."""

    request: Request
    runtime: Runtime
    principal: Principal
    session: Session
    tenant_id: str | None
    form: Mapping[str, str] = field(default_factory=dict)

    def render(self, template: str, status: int = 200, **context: Any) -> Response:
        """The template with what every page shows (who is signed in, the CSRF token, the tenant)."""
        return render(
            self.request,
            template,
            status,
            principal=self.principal,
            csrf=self.session.csrf,
            tenant_id=self.tenant_id,
            **context,
        )


Handler = Callable[[Page], Awaitable[Response]]


def render(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    """A page, never cached (it may show a secret once)."""
    response = TEMPLATES.TemplateResponse(request, template, context, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _codec(request: Request) -> SessionCodec:
    codec: SessionCodec = request.app.state.console_sessions
    return codec


def _see_other(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


async def _form(request: Request) -> dict[str, str]:
    """The posted fields of a plain form (`application/x-www-form-urlencoded`, the only kind the
    console's pages send; parsed here, so no multipart library is needed); 64 KiB at most."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        raise InvalidInputError(["the form must be sent as application/x-www-form-urlencoded"])
    try:
        body = await read_limited(request, _FORM_LIMIT)
    except BodyTooLargeError:
        raise InvalidInputError(["the form is too large"]) from None
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=100)
    except (UnicodeDecodeError, ValueError):
        raise InvalidInputError(["the form is not readable"]) from None
    return dict(pairs)


def page(
    handler: Handler, *, operator_only: bool = False
) -> Callable[[Request], Awaitable[Response]]:
    """Wrap a page: the session's token checked by the one token check, the tenant reachable by the
    caller (else 404, as the API answers), the CSRF token of every form, service errors shown."""

    async def endpoint(request: Request) -> Response:
        rt = runtime_of(request)
        session = _codec(request).read(request)
        bootstrap = [token.reveal() for token in rt.settings.api_tokens]
        principal = await principal_of(request.app, session.token if session else None, bootstrap)
        if session is None or principal is None:
            return _see_other("/console/sign-in")
        tenant_id: str | None = request.path_params.get("tenant")
        ctx = Page(request, rt, principal, session, tenant_id)
        if (tenant_id is not None and not principal.may_reach(tenant_id)) or (
            operator_only and not principal.is_operator
        ):
            return ctx.render("error.html", 404, title="Not found", problems=["no such page"])
        try:
            if request.method == "POST":
                ctx.form = await _form(request)
                if not csrf_matches(session, ctx.form.get("csrf")):
                    return ctx.render(
                        "error.html", 403, title="Form expired", problems=_CSRF_PROBLEM
                    )
            return await handler(ctx)
        except NotFoundError as exc:
            return ctx.render("error.html", 404, title="Not found", problems=[str(exc)])
        except ForbiddenError as exc:
            return ctx.render("error.html", 403, title="Not allowed", problems=[str(exc)])
        except InvalidInputError as exc:
            return ctx.render("error.html", 422, title="Check the input", problems=exc.errors)
        except ServiceError as exc:
            return ctx.render("error.html", 422, title="Refused", problems=[str(exc)])
        except AtsError as exc:
            log.warning("console.ats_error", error=type(exc).__name__)
            problems = ["the ATS did not answer as expected; try again in a moment"]
            return ctx.render("error.html", 503, title="The ATS is unavailable", problems=problems)

    return endpoint


_CSRF_PROBLEM = ["the form was not sent from this console session: reload the page and try again"]


# -- signing in --------------------------------------------------------------------------------


async def sign_in_form(request: Request) -> Response:
    """`GET /console/sign-in`: the token form; starts an anonymous session for its CSRF token."""
    session = _codec(request).read(request) or new_session()
    target = _next(request.query_params.get("next"))
    response = render(
        request, "sign_in.html", csrf=session.csrf, principal=None, problems=[], next=target
    )
    _codec(request).write(response, session)
    return response


async def sign_in(request: Request) -> Response:
    """`POST /console/sign-in`: a valid API token starts a signed-in session (a fresh CSRF token)."""
    codec = _codec(request)
    session = codec.read(request)
    try:
        form = await _form(request)
    except InvalidInputError as exc:
        return render(request, "sign_in.html", 413, csrf="", principal=None, problems=exc.errors)
    if not csrf_matches(session, form.get("csrf")):
        fresh = new_session()
        response = render(
            request, "sign_in.html", 403, csrf=fresh.csrf, principal=None, problems=_CSRF_PROBLEM
        )
        codec.write(response, fresh)
        return response
    rt = runtime_of(request)
    token = form.get("token", "").strip() or None
    bootstrap = [t.reveal() for t in rt.settings.api_tokens]
    principal = await principal_of(request.app, token, bootstrap)
    if principal is None:
        csrf = session.csrf if session else ""
        problems = ["this token is not valid (unknown, revoked or mistyped)"]
        return render(request, "sign_in.html", 401, csrf=csrf, principal=None, problems=problems)
    log.info("console.signed_in", scope=principal.tenant_id or "operator")
    response = _see_other(_next(form.get("next")) or "/console/")
    codec.write(response, new_session(token))
    return response


def _next(target: str | None) -> str | None:
    """Where to go after signing in: a console path only (never another site)."""
    if target and target.startswith("/console/") and "//" not in target and "\\" not in target:
        return target
    return None


async def _sign_out(ctx: Page) -> Response:
    """`POST /console/sign-out`: the session forgets the token."""
    response = _see_other("/console/sign-in")
    _codec(ctx.request).write(response, new_session())
    return response


async def _home(ctx: Page) -> Response:
    """`GET /console`: the operator's tenants, or a tenant admin's own tenant."""
    if ctx.principal.tenant_id is not None:
        return _see_other(f"/console/tenants/{ctx.principal.tenant_id}/integration")
    return _see_other("/console/tenants")


# -- tenants -----------------------------------------------------------------------------------


async def _tenants(ctx: Page) -> Response:
    """`GET /console/tenants` (operator): every tenant, and the form to create one."""
    return await _tenants_page(ctx)


async def _tenants_page(ctx: Page, status: int = 200, **extra: Any) -> Response:
    deps = ctx.runtime.deps
    found = await tenants.list_tenants(deps, ctx.principal)
    views = [_tenant_view(ctx, t) for t in found]
    return ctx.render("tenants.html", status, tenants=views, ats_keys=deps.registry.keys(), **extra)


async def _create_tenant(ctx: Page) -> Response:
    """`POST /console/tenants` (operator): a new tenant; its generated secrets are shown this once."""
    rt = ctx.runtime
    tenant_id = ctx.form.get("id", "").strip()
    doc: dict[str, Any] = {"ats": ctx.form.get("ats") or None}
    if ctx.form.get("intrro_callback_url"):
        doc["intrro_callback_url"] = ctx.form["intrro_callback_url"].strip()
    try:
        if await _exists(ctx, tenant_id):
            raise InvalidInputError([f"tenant {tenant_id!r} exists already"])
        given = tenant_input(
            tenant_id,
            {k: v for k, v in doc.items() if v is not None},
            rt.deps.registry.keys(),
            rt.settings.service.callback_policy,
        )
        result = await tenants.upsert_tenant(
            rt.deps,
            tenant_id,
            given.data,
            ctx.principal,
            webhook_secret_field=given.webhook_secret_field,
        )
    except InvalidInputError as exc:
        return await _tenants_page(ctx, 422, problems=exc.errors, given=ctx.form)
    return await _tenants_page(
        ctx,
        201,
        created=result.tenant.id,
        generated=compat.shown_secret_names(result.tenant.ats, result.generated),
    )


async def _exists(ctx: Page, tenant_id: str) -> bool:
    try:
        await tenants.get_tenant(ctx.runtime.deps, tenant_id)
    except NotFoundError:
        return False
    return True


async def _tenant(ctx: Page) -> Response:
    """`GET /console/tenants/{tenant}`: its settings, the callback URL, secret rotation."""
    return await _tenant_page(ctx)


async def _tenant_page(ctx: Page, status: int = 200, **extra: Any) -> Response:
    tenant = await tenants.get_tenant(ctx.runtime.deps, _tid(ctx))
    return ctx.render(
        "tenant.html",
        status,
        tenant=_tenant_view(ctx, tenant),
        secret_kinds=SECRET_KINDS,
        **extra,
    )


async def _change_callback(ctx: Page) -> Response:
    """`POST /console/tenants/{tenant}/callback`: a new Intrro callback URL (judged as the API does)."""
    rt = ctx.runtime
    tenant_id = _tid(ctx)
    doc = {"intrro_callback_url": ctx.form.get("intrro_callback_url", "").strip()}
    try:
        given = tenant_input(
            tenant_id, doc, rt.deps.registry.keys(), rt.settings.service.callback_policy
        )
        await tenants.upsert_tenant(rt.deps, tenant_id, given.data, ctx.principal)
    except InvalidInputError as exc:
        return await _tenant_page(ctx, 422, problems=exc.errors)
    return await _tenant_page(ctx, notice="The callback URL is saved.")


async def _rotate(ctx: Page) -> Response:
    """`POST /console/tenants/{tenant}/rotate`: a new secret, shown on this answer only."""
    which = ctx.form.get("which", "")
    if which not in SECRET_KINDS:
        raise InvalidInputError([f"which must be one of {', '.join(SECRET_KINDS)}"])
    secret = await tenants.rotate_secret(ctx.runtime.deps, _tid(ctx), which)
    grace = ctx.runtime.settings.service.secret_grace
    return await _tenant_page(ctx, rotated={"which": which, "secret": secret, "grace": grace})


# -- integrations ------------------------------------------------------------------------------


async def _integration(ctx: Page) -> Response:
    """`GET /console/tenants/{tenant}/integration`: the ATS, the connect form, the last report."""
    return await _integration_page(ctx)


async def _integration_page(ctx: Page, status: int = 200, **extra: Any) -> Response:
    deps = ctx.runtime.deps
    tenant = await tenants.get_tenant(deps, _tid(ctx))
    parts = deps.registry.for_tenant(tenant)
    state = await connection.connection_status(deps, tenant.id)
    fields = [
        {"name": name, "secret": "secret" in name or "key" in name}
        for name in parts.connector.credential_fields
    ]
    choices = [(key, deps.registry.get(key).display_name) for key in deps.registry.keys()]
    return ctx.render(
        "integration.html",
        status,
        tenant=_tenant_view(ctx, tenant),
        ats_name=parts.display_name,
        ats_choices=choices,
        fields=fields,
        state=state,
        **extra,
    )


async def _choose_ats(ctx: Page) -> Response:
    """`POST /console/tenants/{tenant}/integration/ats`: the tenant's ATS (before connecting)."""
    rt = ctx.runtime
    tenant_id = _tid(ctx)
    try:
        given = tenant_input(
            tenant_id,
            {"ats": ctx.form.get("ats", "")},
            rt.deps.registry.keys(),
            rt.settings.service.callback_policy,
        )
        await tenants.upsert_tenant(rt.deps, tenant_id, given.data, ctx.principal)
    except InvalidInputError as exc:
        return await _integration_page(ctx, 422, problems=exc.errors)
    return _see_other(f"/console/tenants/{tenant_id}/integration")


async def _connect(ctx: Page) -> Response:
    """`POST /console/tenants/{tenant}/integration/connect`: check and store the credential; the
    report (with the web hook secret to paste, its one showing) is this answer."""
    rt = ctx.runtime
    tenant = await tenants.get_tenant(rt.deps, _tid(ctx))
    parts = rt.deps.registry.for_tenant(tenant)
    doc = {
        k: ctx.form.get(k, "").strip() for k in (*parts.connector.credential_fields, "user_email")
    }
    try:
        given = connection_input(parts.key, doc, parts.connector.credential_fields)
        report = await connection.connect(
            rt.deps, rt.bus, tenant.id, fields=given.fields, user_email=given.user_email
        )
    except (InvalidInputError, CredentialRefusedError) as exc:
        problems = exc.errors if isinstance(exc, InvalidInputError) else [str(exc)]
        return await _integration_page(ctx, 422, problems=problems)
    return await _integration_page(ctx, fresh_report=report.to_dict())


async def _check_again(ctx: Page) -> Response:
    """`POST /console/tenants/{tenant}/integration/check`: the stored credential checked again."""
    await connection.recheck_connection(ctx.runtime.deps, _tid(ctx))
    return _see_other(f"/console/tenants/{_tid(ctx)}/integration")


# -- jobs --------------------------------------------------------------------------------------


@dataclass
class ImportProgress:
    """A job import the console started in this process: how far it got, how it ended."""

    done: int = 0
    total: int | None = None
    finished: bool = False
    error: str | None = None


def _imports(ctx: Page) -> dict[str, ImportProgress]:
    imports: dict[str, ImportProgress] = ctx.request.app.state.console_imports
    return imports


async def _jobs(ctx: Page) -> Response:
    """`GET /console/tenants/{tenant}/jobs`: the open jobs; an import's progress while it runs."""
    deps = ctx.runtime.deps
    tenant = await tenants.get_tenant(deps, _tid(ctx))
    view = await inspection.jobs_view(
        deps, tenant.id, "open", None, ctx.request.query_params.get("cursor") or None
    )
    progress = _imports(ctx).get(tenant.id)
    return ctx.render(
        "jobs.html",
        tenant=_tenant_view(ctx, tenant),
        jobs=view["jobs"],
        next_cursor=view["next_cursor"],
        progress=progress,
        refresh=progress is not None and not progress.finished,
    )


async def _import_now(ctx: Page) -> Response:
    """`POST /console/tenants/{tenant}/jobs/import`: a full import in the background, with progress."""
    rt = ctx.runtime
    tenant = await tenants.get_tenant(rt.deps, _tid(ctx))
    imports = _imports(ctx)
    running = imports.get(tenant.id)
    if running is None or running.finished:
        progress = imports[tenant.id] = ImportProgress()

        def advance(done: int, total: int) -> None:
            progress.done, progress.total = done, total

        async def go() -> None:
            try:
                await import_jobs(ImportJobs(tenant_id=tenant.id, full=True), rt.deps, advance)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                progress.error = f"the import failed: {type(exc).__name__}"
                raise
            finally:
                progress.finished = True

        rt.spawn(f"console_import_jobs:{tenant.id}", go())
    return _see_other(f"/console/tenants/{tenant.id}/jobs")


# -- pipeline ----------------------------------------------------------------------------------


async def _pipeline(ctx: Page) -> Response:
    """`GET /console/tenants/{tenant}/pipeline?status=&job=`: applications with counts by status."""
    deps = ctx.runtime.deps
    params = ctx.request.query_params
    status = params.get("status") or None
    job = params.get("job") or None
    tenant = await tenants.get_tenant(deps, _tid(ctx))
    view = await inspection.pipeline(deps, tenant.id, status, params.get("cursor") or None, job)
    counts = await inspection.pipeline_counts(deps, tenant.id)
    jobs = await inspection.jobs_view(deps, tenant.id, "all", None, None)
    return ctx.render(
        "pipeline.html",
        tenant=_tenant_view(ctx, tenant),
        applications=view["applications"],
        next_cursor=view["next_cursor"],
        counts=counts,
        statuses=STATUSES,
        chosen=status,
        job=job,
        jobs=jobs["jobs"],
        titles={j["id"]: j["title"] for j in jobs["jobs"]},
    )


async def _introduction(ctx: Page) -> Response:
    """`GET /console/tenants/{tenant}/introductions/{id}`: the introduction and its timeline."""
    deps = ctx.runtime.deps
    tenant = await tenants.get_tenant(deps, _tid(ctx))
    view = await inspection.introduction_timeline(
        deps, tenant.id, ctx.request.path_params["introduction_id"]
    )
    return ctx.render("introduction.html", tenant=_tenant_view(ctx, tenant), intro=view)


# -- deliveries --------------------------------------------------------------------------------


async def _deliveries(ctx: Page) -> Response:
    """`GET /console/tenants/{tenant}/deliveries`: dead items in and out with their last error."""
    return await _deliveries_page(ctx)


async def _deliveries_page(ctx: Page, status: int = 200, **extra: Any) -> Response:
    deps = ctx.runtime.deps
    tenant = await tenants.get_tenant(deps, _tid(ctx))
    state = ctx.request.query_params.get("state") or "dead"
    view = await inspection.deliveries(
        deps, tenant.id, None, state, ctx.request.query_params.get("cursor") or None
    )
    return ctx.render(
        "deliveries.html",
        status,
        tenant=_tenant_view(ctx, tenant),
        deliveries=view["deliveries"],
        next_cursor=view["next_cursor"],
        state=state,
        states=inspection.DELIVERY_STATES,
        **extra,
    )


async def _replay(ctx: Page) -> Response:
    """`POST /console/tenants/{tenant}/deliveries/{id}/replay`: one dead item tried again."""
    item = ctx.request.path_params["id"]
    replayed = await inspection.replay(ctx.runtime.deps, _tid(ctx), item)
    notice = f"Item {item} is queued again." if replayed else f"Item {item} is not dead: unchanged."
    return await _deliveries_page(ctx, notice=notice)


async def _replay_since(ctx: Page) -> Response:
    """`POST /console/tenants/{tenant}/deliveries/replay`: every dead item since a time (UTC)."""
    text = ctx.form.get("since", "").strip()
    try:
        since = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInputError(
            ["since must be a date and time, such as 2026-12-07T09:30"]
        ) from None
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)  # the form's datetime-local is read as UTC, as labelled
    count = await inspection.replay_since(ctx.runtime.deps, _tid(ctx), since)
    return await _deliveries_page(
        ctx,
        notice=f"{count} dead item{'s' if count != 1 else ''} since {since.isoformat()} queued again.",
    )


# -- helpers -----------------------------------------------------------------------------------


def _tid(ctx: Page) -> str:
    """The tenant of a tenant page (every such path names it)."""
    return ctx.tenant_id or ""


def _tenant_view(ctx: Page, tenant: Tenant) -> dict[str, Any]:
    return tenant_view(tenant, ctx.runtime.settings.public_url)


sign_out = page(_sign_out)
home = page(_home)
tenants_list = page(_tenants, operator_only=True)
create_tenant = page(_create_tenant, operator_only=True)
tenant_settings = page(_tenant)
change_callback = page(_change_callback)
rotate_secret = page(_rotate)
integration = page(_integration)
choose_ats = page(_choose_ats)
connect = page(_connect)
check_again = page(_check_again)
jobs = page(_jobs)
import_now = page(_import_now)
pipeline = page(_pipeline)
introduction = page(_introduction)
deliveries = page(_deliveries)
replay = page(_replay)
replay_since = page(_replay_since)
