"""Notes, tags and the referral field: what the gateway adds to a candidate besides applications."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, TypeVar

from intrro_gateway.adapters.greenhouse.harvest import _fields as f
from intrro_gateway.adapters.greenhouse.harvest._http import HarvestHttp
from intrro_gateway.adapters.greenhouse.harvest._readings import NOTE_TYPE, unwrap_record
from intrro_gateway.adapters.greenhouse.harvest._settings import HarvestSettings
from intrro_gateway.adapters.greenhouse.harvest._writes import HarvestWrites, _id_value
from intrro_gateway.domain.candidates import Referrer
from intrro_gateway.ports.ats import AtsContext, AtsOutcomeUnknownError, AtsRejectedError

T = TypeVar("T")


class HarvestAnnotations:
    """Notes, tags and the gateway's referral custom field."""

    def __init__(self, http: HarvestHttp, writes: HarvestWrites, settings: HarvestSettings) -> None:
        self._http = http
        self._writes = writes
        self._settings = settings
        self._fields: dict[str, tuple[str, str]] = {}  # tenant -> (name_key, id) of the field

    async def note_bodies(self, ctx: AtsContext, candidate_id: str) -> list[str]:
        """The bodies of the candidate's notes."""
        rows = await self._http.list_all(ctx, "/v3/notes", {"candidate_ids": candidate_id})
        return [b for b in (f.text(r.get("body")) for r in rows) if b]

    async def add_note(
        self, ctx: AtsContext, candidate_id: str, application_id: str | None, body: str
    ) -> None:
        """`POST /v3/notes` as the acting user; a timed-out note is looked for before a resend."""
        payload: dict[str, Any] = {
            "candidate_id": _id_value(candidate_id),
            "body": body,
            "visibility": self._settings.note_visibility,
            "note_type": NOTE_TYPE,
        }
        if application_id:
            payload["application_id"] = _id_value(application_id)
        if ctx.credentials.user_id:
            payload["user_id"] = _id_value(ctx.credentials.user_id)

        async def send() -> bool:
            await self._http.write(ctx, "POST", "/v3/notes", payload)
            return True

        async def reread() -> bool | None:
            return True if body.strip() in await self.note_bodies(ctx, candidate_id) else None

        await self._writes.once("add note", send, reread)

    async def tag(self, ctx: AtsContext, candidate_id: str, name: str) -> None:
        """Apply the tag (found or created), skipping it when the candidate already has it."""
        tag_id = await self._tag_id(ctx, name)
        if await self._has_tag(ctx, candidate_id, tag_id):
            return
        body = {"candidate_id": _id_value(candidate_id), "candidate_tag_id": _id_value(tag_id)}

        async def send() -> bool:
            try:
                await self._http.write(ctx, "POST", "/v3/applied_candidate_tags", body)
            except AtsRejectedError:
                if not await self._has_tag(ctx, candidate_id, tag_id):
                    raise
            return True

        async def reread() -> bool | None:
            return True if await self._has_tag(ctx, candidate_id, tag_id) else None

        await self._writes.once("tag candidate", send, reread)

    async def _has_tag(self, ctx: AtsContext, candidate_id: str, tag_id: str) -> bool:
        rows = await self._http.list_all(
            ctx, "/v3/applied_candidate_tags", {"candidate_ids": candidate_id}
        )
        return any(
            f.ident(r.get("candidate_tag_id")) == tag_id
            and f.ident(r.get("candidate_id")) in (candidate_id, None)
            for r in rows
        )

    async def _tag_id(self, ctx: AtsContext, name: str) -> str:
        async def find() -> str | None:
            rows = await self._http.list_all(ctx, "/v3/candidate_tags")
            exact = [r for r in rows if f.text(r.get("name")) == name.strip()]
            folded = [
                r
                for r in rows
                if (f.text(r.get("name")) or "").casefold() == name.strip().casefold()
            ]
            chosen = exact or folded
            return f.ident(chosen[0].get("id")) if chosen else None

        found = await find()
        if found is not None:
            return found

        async def send() -> str:
            try:
                answer = await self._http.write(ctx, "POST", "/v3/candidate_tags", {"name": name})
            except AtsRejectedError:
                again = await find()  # created meanwhile, or a duplicate by another casing
                if again is None:
                    raise
                return again
            new_id = f.ident(f.record(unwrap_record(answer, "candidate_tag")).get("id"))
            if new_id is not None:
                return new_id
            listed: str = await _must(find(), "candidate tag")
            return listed

        created: str = await self._writes.once("create tag", send, find)
        return created

    async def record_referrer(self, ctx: AtsContext, candidate_id: str, referrer: Referrer) -> None:
        """Write "name <e-mail>" into the gateway's candidate field, creating the field once."""
        key, ident = await self._referral_field(ctx)
        value = f"{referrer.name} <{referrer.email}>" if referrer.email else referrer.name
        keys = [("name_key", key)] + ([("custom_field_id", ident)] if ident else [])
        await self._writes.write_field(ctx, candidate_id, keys, value)

    async def _referral_field(self, ctx: AtsContext) -> tuple[str, str]:
        cached = self._fields.get(ctx.tenant_id)
        if cached is not None:
            return cached
        name, key = self._settings.referral_field_name, self._settings.referral_field_key

        async def find() -> tuple[str, str] | None:
            rows = await self._http.list_all(ctx, "/v3/custom_fields", {"field_type": "candidate"})
            for row in rows:
                if f.text(row.get("name_key")) == key or f.text(row.get("name")) == name:
                    return f.text(row.get("name_key")) or key, f.ident(row.get("id")) or ""
            return None

        async def send() -> tuple[str, str]:
            body = {"name": name, "field_type": "candidate", "value_type": "short_text"}
            answer = f.record(
                unwrap_record(
                    await self._http.write(ctx, "POST", "/v3/custom_fields", body), "custom_field"
                )
            )
            if answer.get("id") is not None:
                return f.text(answer.get("name_key")) or key, f.ident(answer.get("id")) or ""
            return await _must(find(), "custom field")

        field = await find()
        if field is None:
            made: tuple[str, str] = await self._writes.once("create referral field", send, find)
            field = made
        self._fields[ctx.tenant_id] = field
        return field


async def _must(pending: Awaitable[T | None], what: str) -> T:
    found = await pending
    if found is None:
        raise AtsOutcomeUnknownError(f"the created {what} cannot be found yet")
    return found
