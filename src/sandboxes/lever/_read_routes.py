"""The `/v1` read routes: users, postings, stages, archive reasons, sources, tags, opportunities (and
their applications and notes)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from intrro_gateway.sandboxes.lever._http import (
    Caller,
    json_response,
    lever_endpoint,
    readable,
    sandbox_state,
)
from intrro_gateway.sandboxes.lever._listing import (
    PAGING,
    Predicate,
    confidentiality,
    expands,
    flag,
    list_page,
    selected,
    time_range,
    values_in,
)
from intrro_gateway.sandboxes.lever._query import QueryError, parse_text, read_query
from intrro_gateway.sandboxes.lever._views import (
    OPPORTUNITY_EXPANDS,
    POSTING_EXPANDS,
    opportunity_view,
    posting_view,
    public,
)
from intrro_gateway.sandboxes.lever.errors import UnknownRecordError
from intrro_gateway.sandboxes.lever.state import Record

_POSTING_STATES = ("published", "internal", "closed", "draft", "pending", "rejected")


def _query(
    request: Request, single: tuple[str, ...], many: tuple[str, ...] = ()
) -> dict[str, list[str]]:
    return read_query(list(request.query_params.multi_items()), (*PAGING, *single), many)


def _one(resource: str, request: Request) -> Record:
    record = sandbox_state(request).tables[resource].get(request.path_params["id"])
    if record is None:
        raise UnknownRecordError(resource, request.path_params["id"])
    return readable(request, record)


@lever_endpoint("GET /users")
async def list_users(request: Request, caller: Caller) -> Response:
    """`GET /users?email=&includeDeactivated=&accessRole=&external_directory_id=`."""
    query = _query(
        request,
        ("email", "includeDeactivated", "external_directory_id"),
        ("accessRole", "accessRole[]"),
    )
    predicates: list[Predicate] = []
    roles = query.get("accessRole", []) + query.get("accessRole[]", [])
    if roles:
        predicates.append(values_in("accessRole", roles))
    if "external_directory_id" in query:
        predicates.append(values_in("externalDirectoryId", query["external_directory_id"]))
    if "email" in query:
        predicates.append(
            values_in("email", [parse_text("email", query["email"][0])], casefold=True)
        )
    if not flag(query, "includeDeactivated"):
        predicates.append(lambda r: r["deactivatedAt"] is None)
    users = sandbox_state(request).tables["users"].values()
    return json_response(list_page("users", users, query, predicates, public))


@lever_endpoint("GET /users/:id")
async def get_user(request: Request, caller: Caller) -> Response:
    """`GET /users/:id`."""
    _query(request, ())
    return json_response({"data": public(_one("users", request))})


def _category(name: str, wanted: set[str]) -> Predicate:
    return lambda record: record["categories"].get(name) in wanted


def _published_channels(query: dict[str, list[str]]) -> Predicate:
    """Published postings show only when on a wanted job site: the public one unless
    `distributionChannel` names others (Lever: "to retrieve all published postings, you must specify
    both public and internal")."""
    channels = query.get("distributionChannel", [])
    for channel in channels:
        if channel not in ("public", "internal"):
            raise QueryError(f"Invalid distributionChannel: {channel!r} (public or internal)")
    wanted = set(channels) if channels else {"public"}
    asked_published = "published" in query.get("state", []) or bool(channels)
    return lambda record: (
        not asked_published
        or record["state"] != "published"
        or bool(wanted & set(record["distributionChannels"] or ()))
    )


_UPDATED_COMPANIONS = {"updated_at_start", "updated_at_end", "confidentiality", "include", "expand"}


@lever_endpoint("GET /postings")
async def list_postings(request: Request, caller: Caller) -> Response:
    """`GET /postings` with `state`, `distributionChannel`, `team`, `department`, `location`,
    `commitment`, `level`, `tag` (each repeatable), `confidentiality`, `updated_at_start/_end` (only with
    `confidentiality`, as Lever documents), `include`, `expand`."""
    categories = ("team", "department", "location", "commitment", "level")
    single = ("confidentiality", "updated_at_start", "updated_at_end")
    many = ("state", "distributionChannel", "tag", "expand", "include", *categories)
    query = _query(request, single, many)
    if {"updated_at_start", "updated_at_end"} & set(query):
        others = sorted(set(query) - _UPDATED_COMPANIONS - set(PAGING))
        if others:
            raise QueryError(
                "updated_at_start/updated_at_end can only be used with confidentiality, not with "
                + ", ".join(others)
            )
    predicates: list[Predicate] = [
        confidentiality(query, caller.api_key.confidential),
        _published_channels(query),
    ]
    for value in query.get("state", []):
        if value not in _POSTING_STATES:
            raise QueryError(f"Invalid state: {value!r} (one of {', '.join(_POSTING_STATES)})")
    if "state" in query:
        predicates.append(values_in("state", query["state"]))
    for name in categories:
        if name in query:
            predicates.append(_category(name, set(query[name])))
    if "tag" in query:
        predicates.append(values_in("tags", query["tag"]))
    predicates += time_range("updatedAt", query, "updated_at")
    expand = expands(query, POSTING_EXPANDS)
    state = sandbox_state(request)
    body = list_page(
        "postings",
        state.tables["postings"].values(),
        query,
        predicates,
        lambda r: selected(posting_view(state, r, expand), query, expand),
    )
    return json_response(body)


@lever_endpoint("GET /postings/:id")
async def get_posting(request: Request, caller: Caller) -> Response:
    """`GET /postings/:id` (`distribution=internal|external` picks application questions, which the
    sandbox does not serve: it is checked and otherwise ignored)."""
    query = _query(request, ("distribution",), ("expand", "include"))
    if query.get("distribution", ["internal"])[0] not in ("internal", "external"):
        raise QueryError("distribution must be internal or external")
    expand = expands(query, POSTING_EXPANDS)
    view = posting_view(sandbox_state(request), _one("postings", request), expand)
    return json_response({"data": selected(view, query, expand)})


@lever_endpoint("GET /stages")
async def list_stages(request: Request, caller: Caller) -> Response:
    """`GET /stages`: the account's pipeline, in order."""
    query = _query(request, ())
    stages = sandbox_state(request).tables["stages"].values()
    return json_response(list_page("stages", stages, query, [], public))


@lever_endpoint("GET /stages/:id")
async def get_stage(request: Request, caller: Caller) -> Response:
    """`GET /stages/:id`."""
    _query(request, ())
    return json_response({"data": public(_one("stages", request))})


@lever_endpoint("GET /archive_reasons")
async def list_archive_reasons(request: Request, caller: Caller) -> Response:
    """`GET /archive_reasons?type=hired|non-hired`."""
    query = _query(request, ("type",))
    predicates: list[Predicate] = []
    if "type" in query:
        if query["type"][0] not in ("hired", "non-hired"):
            raise QueryError(f"Invalid type: {query['type'][0]!r} (hired or non-hired)")
        predicates.append(values_in("type", query["type"]))
    reasons = sandbox_state(request).tables["archive_reasons"].values()
    return json_response(list_page("archive_reasons", reasons, query, predicates, public))


@lever_endpoint("GET /archive_reasons/:id")
async def get_archive_reason(request: Request, caller: Caller) -> Response:
    """`GET /archive_reasons/:id`."""
    _query(request, ())
    return json_response({"data": public(_one("archive_reasons", request))})


def _counted(request: Request, field: str) -> Response:
    query = _query(request, ())
    counts: Counter[str] = Counter()
    for opportunity in sandbox_state(request).tables["opportunities"].values():
        counts.update(opportunity[field])
    rows = [
        {"text": t, "count": c, "_seq": i + 1} for i, (t, c) in enumerate(sorted(counts.items()))
    ]
    return json_response(list_page(field, rows, query, [], public))


@lever_endpoint("GET /sources")
async def list_sources(request: Request, caller: Caller) -> Response:
    """`GET /sources`: every source in use, with counts."""
    return _counted(request, "sources")


@lever_endpoint("GET /tags")
async def list_tags(request: Request, caller: Caller) -> Response:
    """`GET /tags`: every tag in use, with counts."""
    return _counted(request, "tags")


def _opportunity_predicates(
    query: dict[str, list[str]], state: Any, allowed: bool
) -> list[Predicate]:
    predicates: list[Predicate] = []
    if "email" in query:
        wanted = parse_text("email", query["email"][0]).strip().casefold()
        contacts = state.tables["contacts"]
        predicates.append(
            lambda r: any(e.casefold() == wanted for e in contacts[r["contact"]]["emails"])
        )
    if "contact_id" in query:
        predicates.append(values_in("contact", query["contact_id"]))
    applications = state.tables["applications"]
    if "posting_id" in query:
        wanted_postings = set(query["posting_id"])
        predicates.append(
            lambda r: any(applications[a]["posting"] in wanted_postings for a in r["applications"])
        )
    for param, field in (("tag", "tags"), ("source", "sources"), ("origin", "origin")):
        if param in query:
            predicates.append(values_in(field, query[param]))
    if "stage_id" in query:
        predicates.append(values_in("stage", query["stage_id"]))
    archived = flag(query, "archived")
    if archived is not None:
        predicates.append(lambda r: (r["archived"] is not None) is archived)
    if "archived_posting_id" in query:
        archived_postings = set(query["archived_posting_id"])
        predicates.append(
            lambda r: any(
                applications[a]["posting"] in archived_postings
                and applications[a]["archived"] is not None
                for a in r["applications"]
            )
        )
    if "location" in query:
        predicates.append(values_in("opportunityLocation", query["location"]))
    snoozed = flag(query, "snoozed")
    if snoozed is not None:
        now = state.clock.now_ms()
        predicates.append(
            lambda r: (r["snoozedUntil"] is not None and r["snoozedUntil"] > now) is snoozed
        )
    predicates.append(confidentiality(query, allowed))
    if "archive_reason_id" in query:
        reasons = set(query["archive_reason_id"])
        predicates.append(
            lambda r: r["archived"] is not None and r["archived"]["reason"] in reasons
        )
    predicates += time_range("createdAt", query, "created_at")
    predicates += time_range("updatedAt", query, "updated_at")
    predicates += time_range("lastAdvancedAt", query, "advanced_at")
    if "archived_at_start" in query or "archived_at_end" in query:
        ranges = time_range("archivedAt", query, "archived_at")
        predicates.append(
            lambda r: r["archived"] is not None and all(p(r["archived"]) for p in ranges)
        )
    return predicates


@lever_endpoint("GET /opportunities")
async def list_opportunities(request: Request, caller: Caller) -> Response:
    """`GET /opportunities` with Lever's filters; archived opportunities are included by default."""
    single = (
        "email",
        "archived",
        "created_at_start",
        "created_at_end",
        "updated_at_start",
        "updated_at_end",
        "advanced_at_start",
        "advanced_at_end",
        "archived_at_start",
        "archived_at_end",
        "snoozed",
        "confidentiality",
    )
    many = (
        "expand",
        "include",
        "archived_posting_id",
        "location",
        "contact_id",
        "posting_id",
        "tag",
        "source",
        "origin",
        "stage_id",
        "archive_reason_id",
    )
    query = _query(request, single, many)
    state = sandbox_state(request)
    predicates = _opportunity_predicates(query, state, caller.api_key.confidential)
    expand = expands(query, OPPORTUNITY_EXPANDS)
    body = list_page(
        "opportunities",
        state.tables["opportunities"].values(),
        query,
        predicates,
        lambda r: selected(opportunity_view(state, r, expand), query, expand),
    )
    return json_response(body)


@lever_endpoint("GET /opportunities/deleted")
async def list_deleted_opportunities(request: Request, caller: Caller) -> Response:
    """`GET /opportunities/deleted?deleted_at_start=&deleted_at_end=`."""
    query = _query(request, ("deleted_at_start", "deleted_at_end"))
    state = sandbox_state(request)
    rows = [{**row, "_seq": i + 1} for i, row in enumerate(state.deleted_opportunities)]
    predicates = time_range("deletedAt", query, "deleted_at")
    return json_response(list_page("opportunities/deleted", rows, query, predicates, public))


@lever_endpoint("GET /opportunities/:id")
async def get_opportunity(request: Request, caller: Caller) -> Response:
    """`GET /opportunities/:id` (`expand` repeatable)."""
    query = _query(request, (), ("expand", "include"))
    expand = expands(query, OPPORTUNITY_EXPANDS)
    view = opportunity_view(sandbox_state(request), _one("opportunities", request), expand)
    return json_response({"data": selected(view, query, expand)})


@lever_endpoint("GET /opportunities/:id/applications")
async def list_applications(request: Request, caller: Caller) -> Response:
    """`GET /opportunities/:id/applications`."""
    query = _query(request, ())
    opportunity = _one("opportunities", request)
    state = sandbox_state(request)
    rows = [state.tables["applications"][a] for a in opportunity["applications"]]
    return json_response(list_page(f"applications:{opportunity['id']}", rows, query, [], public))


@lever_endpoint("GET /opportunities/:id/applications/:applicationId")
async def get_application(request: Request, caller: Caller) -> Response:
    """`GET /opportunities/:id/applications/:applicationId`."""
    _query(request, ())
    opportunity = _one("opportunities", request)
    application_id = request.path_params["applicationId"]
    if application_id not in opportunity["applications"]:
        raise UnknownRecordError("applications", application_id)
    return json_response(
        {"data": public(sandbox_state(request).tables["applications"][application_id])}
    )


@lever_endpoint("GET /opportunities/:id/notes")
async def list_notes(request: Request, caller: Caller) -> Response:
    """`GET /opportunities/:id/notes`."""
    query = _query(request, ())
    opportunity = _one("opportunities", request)
    notes = [
        n
        for n in sandbox_state(request).tables["notes"].values()
        if n["_opportunity"] == opportunity["id"]
    ]
    return json_response(list_page(f"notes:{opportunity['id']}", notes, query, [], public))


def note_of(request: Request) -> Record:
    """The `:noteId` note of the `:id` opportunity (404 otherwise)."""
    opportunity = _one("opportunities", request)
    note = sandbox_state(request).tables["notes"].get(request.path_params["noteId"])
    if note is None or note["_opportunity"] != opportunity["id"]:
        raise UnknownRecordError("notes", request.path_params["noteId"])
    return note


@lever_endpoint("GET /opportunities/:id/notes/:noteId")
async def get_note(request: Request, caller: Caller) -> Response:
    """`GET /opportunities/:id/notes/:noteId`."""
    _query(request, ())
    return json_response({"data": public(note_of(request))})


@lever_endpoint("GET /webhooks")
async def list_webhooks(request: Request, caller: Caller) -> Response:
    """`GET /webhooks`: every hook, without its signature token."""
    _query(request, ())
    hooks = sandbox_state(request).webhooks.hooks.values()
    return json_response({"data": [h.public() for h in hooks]})


def read_routes() -> list[Route]:
    """The read routes (the `deleted` route before `/:id`)."""
    return [
        Route("/v1/users", list_users, methods=["GET"]),
        Route("/v1/users/{id}", get_user, methods=["GET"]),
        Route("/v1/postings", list_postings, methods=["GET"]),
        Route("/v1/postings/{id}", get_posting, methods=["GET"]),
        Route("/v1/stages", list_stages, methods=["GET"]),
        Route("/v1/stages/{id}", get_stage, methods=["GET"]),
        Route("/v1/archive_reasons", list_archive_reasons, methods=["GET"]),
        Route("/v1/archive_reasons/{id}", get_archive_reason, methods=["GET"]),
        Route("/v1/sources", list_sources, methods=["GET"]),
        Route("/v1/tags", list_tags, methods=["GET"]),
        Route("/v1/opportunities", list_opportunities, methods=["GET"]),
        Route("/v1/opportunities/deleted", list_deleted_opportunities, methods=["GET"]),
        Route("/v1/opportunities/{id}", get_opportunity, methods=["GET"]),
        Route("/v1/opportunities/{id}/applications", list_applications, methods=["GET"]),
        Route(
            "/v1/opportunities/{id}/applications/{applicationId}",
            get_application,
            methods=["GET"],
        ),
        Route("/v1/opportunities/{id}/notes", list_notes, methods=["GET"]),
        Route("/v1/opportunities/{id}/notes/{noteId}", get_note, methods=["GET"]),
        Route("/v1/webhooks", list_webhooks, methods=["GET"]),
    ]
