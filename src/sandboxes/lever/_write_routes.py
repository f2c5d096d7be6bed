"""The `/v1` write routes: create an opportunity, stage, archived state, tags/links/sources, notes,
and web hook management."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from intrro_gateway.sandboxes.lever import _bodies as b
from intrro_gateway.sandboxes.lever import _contacts as contacts
from intrro_gateway.sandboxes.lever import _opportunities as ops
from intrro_gateway.sandboxes.lever._http import (
    Caller,
    json_response,
    lever_endpoint,
    performer,
    read_body,
    readable,
    sandbox_state,
)
from intrro_gateway.sandboxes.lever._query import parse_bool, read_query
from intrro_gateway.sandboxes.lever._read_routes import note_of
from intrro_gateway.sandboxes.lever._views import opportunity_view, public
from intrro_gateway.sandboxes.lever.errors import InvalidFieldError, UnknownRecordError


def _opportunity_id(request: Request) -> str:
    """The `:id` opportunity's id, once the key may see it (unknown ids are left to the write: 404)."""
    opportunity_id = str(request.path_params["id"])
    record = sandbox_state(request).tables["opportunities"].get(opportunity_id)
    if record is not None:
        readable(request, record)
    return opportunity_id


def _write_query(request: Request, *extra: str) -> dict[str, list[str]]:
    return read_query(list(request.query_params.multi_items()), ("perform_as", *extra))


@lever_endpoint("POST /opportunities")
async def create_opportunity(request: Request, caller: Caller) -> Response:
    """`POST /opportunities?perform_as=<user>[&perform_as_posting_owner=true]`: 201 `{"deduped",
    "data"}`; Lever de-duplicates the person by e-mail onto an existing contact. With
    `perform_as_posting_owner` the posting's owner owns the opportunity."""
    query = _write_query(request, "perform_as_posting_owner", "parse")
    if "parse" in query:
        parse_bool("parse", query["parse"][0])
    fields = await read_body(request, b.OPPORTUNITY_SCHEMA)
    state = sandbox_state(request)
    user_id = performer(state, query, required=True)
    as_owner = "perform_as_posting_owner" in query and parse_bool(
        "perform_as_posting_owner", query["perform_as_posting_owner"][0]
    )
    if as_owner:
        if not fields.get("postings") or "owner" in fields:
            raise InvalidFieldError(
                "perform_as_posting_owner", "needs one posting in postings and no owner"
            )
        posting = state.tables["postings"].get(fields["postings"][0])
        if posting is None:
            raise InvalidFieldError("postings", f"posting {fields['postings'][0]} does not exist")
        if posting["owner"] is not None:
            fields["owner"] = str(posting["owner"])
    if fields.get("postings"):
        posting = state.tables["postings"].get(fields["postings"][0])
        if posting is not None:
            readable(request, posting)  # a confidential posting makes a confidential opportunity
    opportunity, deduped, _ = ops.create_opportunity(state, ops.CreateRequest(user_id, fields))
    return json_response({"deduped": deduped, "data": opportunity_view(state, opportunity)}, 201)


@lever_endpoint("PUT /opportunities/:id/stage")
async def update_stage(request: Request, caller: Caller) -> Response:
    """`PUT /opportunities/:id/stage {stage}`."""
    query = _write_query(request)
    fields = await read_body(request, {"stage": b.TEXT}, ("stage",))
    state = sandbox_state(request)
    user_id = performer(state, query, required=False)
    opportunity, _ = ops.change_stage(state, _opportunity_id(request), fields["stage"], user_id)
    return json_response({"data": opportunity_view(state, opportunity)})


@lever_endpoint("PUT /opportunities/:id/archived")
async def update_archived(request: Request, caller: Caller) -> Response:
    """`PUT /opportunities/:id/archived {reason, cleanInterviews?, requisitionId?}`; `reason: null`
    unarchives."""
    query = _write_query(request)
    fields = await read_body(request, b.ARCHIVED_SCHEMA, ("reason",))
    state = sandbox_state(request)
    user_id = performer(state, query, required=False)
    opportunity, _ = ops.set_archived(state, _opportunity_id(request), fields["reason"], user_id)
    return json_response({"data": opportunity_view(state, opportunity)})


def _values_endpoint(name: str, add: bool) -> Route:
    verb = "add" if add else "remove"
    path = f"{verb}{name.capitalize()}"

    @lever_endpoint(f"POST /opportunities/:id/{path}")
    async def endpoint(request: Request, caller: Caller) -> Response:
        query = _write_query(request)
        fields = await read_body(request, {name: b.STRINGS}, (name,))
        state = sandbox_state(request)
        performer(state, query, required=False)
        opportunity = ops.change_values(
            state, _opportunity_id(request), name, fields[name], add=add
        )
        return json_response({"data": opportunity_view(state, opportunity)})

    endpoint.__doc__ = f"`POST /opportunities/:id/{path} {{{name}: [...]}}`."
    return Route(f"/v1/opportunities/{{id}}/{path}", endpoint, methods=["POST"])


@lever_endpoint("POST /opportunities/:id/notes")
async def create_note(request: Request, caller: Caller) -> Response:
    """`POST /opportunities/:id/notes {value, secret?, score?, notifyFollowers?, createdAt?}`: 201;
    with `note_id=` a comment is added to that note. `perform_as` is optional (the note's user is
    then null)."""
    query = _write_query(request, "note_id")
    fields = await read_body(request, b.NOTE_SCHEMA, ("value",))
    state = sandbox_state(request)
    user_id = performer(state, query, required=False) if "perform_as" in query else None
    opportunity_id = _opportunity_id(request)
    if "note_id" in query:
        note = ops.add_comment(state, opportunity_id, query["note_id"][0], fields, user_id)
    else:
        note = ops.add_note(state, opportunity_id, fields, user_id)
    return json_response({"data": public(note)}, 201)


@lever_endpoint("GET /contacts/:id")
async def get_contact(request: Request, caller: Caller) -> Response:
    """`GET /contacts/:id`: the person's shared fields."""
    read_query(list(request.query_params.multi_items()), ())
    contact = sandbox_state(request).get("contacts", str(request.path_params["id"]))
    return json_response({"data": contacts.contact_view(contact)})


@lever_endpoint("PUT /contacts/:id")
async def update_contact(request: Request, caller: Caller) -> Response:
    """`PUT /contacts/:id {name?, headline?, location?, emails?, phones?}`: the fields sent replace
    the contact's, the others stay; fires `contactUpdated` when anything changed."""
    _write_query(request)
    fields = await read_body(request, b.CONTACT_SCHEMA)
    state = sandbox_state(request)
    contact, _ = contacts.update_contact(state, str(request.path_params["id"]), fields)
    return json_response({"data": contacts.contact_view(contact)})


@lever_endpoint("DELETE /opportunities/:id/notes/:noteId")
async def delete_note(request: Request, caller: Caller) -> Response:
    """`DELETE /opportunities/:id/notes/:noteId`: 204."""
    _write_query(request)
    note = note_of(request)
    del sandbox_state(request).tables["notes"][note["id"]]
    return Response(status_code=204)


@lever_endpoint("POST /webhooks")
async def create_webhook(request: Request, caller: Caller) -> Response:
    """`POST /webhooks {url, event, configuration?: {conditions?: {origins}}}`: 201, with the hook's
    `configuration.signatureToken` (shown only here)."""
    read_query(list(request.query_params.multi_items()), ())
    fields = await read_body(request, b.WEBHOOK_SCHEMA, ("url", "event"))
    if not fields["url"].startswith(("https://", "http://")):
        raise InvalidFieldError("url", "must be an http(s) URL")
    configuration = b.check_fields(fields.get("configuration", {}), b.WEBHOOK_CONFIGURATION_SCHEMA)
    origins: tuple[str, ...] | None = None
    if "conditions" in configuration:
        if fields["event"] not in b.CONFIGURABLE_EVENTS:
            raise InvalidFieldError("configuration", f"{fields['event']} takes no conditions")
        conditions = b.check_fields(configuration["conditions"], b.WEBHOOK_CONDITIONS_SCHEMA)
        if "origins" in conditions:
            origins = tuple(conditions["origins"])
    state = sandbox_state(request)
    hook = state.webhooks.register(
        state.new_id(), fields["event"], fields["url"], origins, state.clock.stamp()
    )
    return json_response({"data": hook.public(with_token=True)}, 201)


@lever_endpoint("DELETE /webhooks/:id")
async def delete_webhook(request: Request, caller: Caller) -> Response:
    """`DELETE /webhooks/:id`: 204."""
    read_query(list(request.query_params.multi_items()), ())
    hooks = sandbox_state(request).webhooks.hooks
    if request.path_params["id"] not in hooks:
        raise UnknownRecordError("webhooks", request.path_params["id"])
    del hooks[request.path_params["id"]]
    return Response(status_code=204)


def write_routes() -> list[Route]:
    """The write routes."""
    return [
        Route("/v1/opportunities", create_opportunity, methods=["POST"]),
        Route("/v1/opportunities/{id}/stage", update_stage, methods=["PUT"]),
        Route("/v1/opportunities/{id}/archived", update_archived, methods=["PUT"]),
        *(_values_endpoint(n, add) for n in ops.LIST_FIELDS for add in (True, False)),
        Route("/v1/opportunities/{id}/notes", create_note, methods=["POST"]),
        Route("/v1/opportunities/{id}/notes/{noteId}", delete_note, methods=["DELETE"]),
        Route("/v1/contacts/{id}", get_contact, methods=["GET"]),
        Route("/v1/contacts/{id}", update_contact, methods=["PUT"]),
        Route("/v1/webhooks", create_webhook, methods=["POST"]),
        Route("/v1/webhooks/{id}", delete_webhook, methods=["DELETE"]),
    ]
