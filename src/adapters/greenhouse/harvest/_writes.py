"""Writes that are never blindly sent twice: a write of unknown outcome is re-read first."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

from intrro_gateway.adapters.greenhouse.harvest import _applications as apps
from intrro_gateway.adapters.greenhouse.harvest import _fields as f
from intrro_gateway.adapters.greenhouse.harvest._candidates import (
    application_body,
    candidate_body,
    merge_patch,
)
from intrro_gateway.adapters.greenhouse.harvest._http import HarvestHttp
from intrro_gateway.adapters.greenhouse.harvest._readings import created_application, unwrap_record
from intrro_gateway.adapters.greenhouse.harvest._settings import HarvestSettings
from intrro_gateway.adapters.http_retry import write_once
from intrro_gateway.domain.candidates import CandidateChanges, CandidateProfile
from intrro_gateway.ports.ats import (
    AtsContext,
    AtsError,
    AtsIncompleteWriteError,
    AtsNotFoundError,
    AtsOutcomeUnknownError,
    AtsRejectedError,
    CreatedApplication,
    NewApplication,
)

T = TypeVar("T")
Record = Mapping[str, Any]


class HarvestWrites:
    """Candidate and application writes with their re-reads."""

    def __init__(self, http: HarvestHttp, settings: HarvestSettings) -> None:
        self._http = http
        self._settings = settings

    async def once(
        self, what: str, send: Callable[[], Awaitable[T]], reread: Callable[[], Awaitable[T | None]]
    ) -> T:
        """Send a write; when its outcome is unknown, re-read, and send again only if it is absent."""
        return await write_once(
            what,
            send,
            reread,
            attempts=self._settings.write_attempts,
            delay=self._settings.reread_delay,
        )

    # -- candidates and applications -----------------------------------------------------------

    async def create_candidate(
        self, ctx: AtsContext, profile: CandidateProfile, application: NewApplication
    ) -> CreatedApplication:
        """`POST /v3/candidates` with one nested application; re-read by e-mail on a timeout."""
        body = candidate_body(profile, application)

        async def send() -> CreatedApplication:
            answer = await self._http.write(ctx, "POST", "/v3/candidates", body)
            candidate_id = f.ident(f.record(unwrap_record(answer, "candidate")).get("id"))
            if candidate_id is None:
                found = await reread()
                if found is None:
                    raise AtsOutcomeUnknownError("POST /v3/candidates: no candidate in the answer")
                return found
            raw_app = created_application(answer)
            return await _followed(
                "POST /v3/candidates",
                candidate_id,
                raw_app,
                application,
                rest(candidate_id, raw_app),
            )

        async def rest(candidate_id: str, raw_app: Record | None) -> CreatedApplication:
            if raw_app is None or f.ident(raw_app.get("id")) is None:
                # The nested application did not come back: find it, or add it separately.
                listed = await self._http.list_all(
                    ctx, "/v3/applications", {"candidate_ids": candidate_id}
                )
                raw_app = apps.for_job(listed, application.job_id, prospect=application.prospect)
                if raw_app is None:
                    return await self.add_application(ctx, candidate_id, application)
            return await self._finish(ctx, candidate_id, raw_app, application)

        async def reread() -> CreatedApplication | None:
            ids: list[str] = []
            for email in dict.fromkeys(e.strip().casefold() for e in profile.emails):
                for row in await self._http.list_all(ctx, "/v3/candidates", {"email": email}):
                    ident = f.ident(row.get("id"))
                    if ident and ident not in ids:
                        ids.append(ident)
            if not ids:
                return None
            raw_apps = await self._http.list_by_ids(ctx, "/v3/applications", "candidate_ids", ids)
            match = apps.for_job(raw_apps, application.job_id, prospect=application.prospect)
            if match is not None:
                owner = f.ident(match.get("candidate_id")) or ids[0]
                finish = self._finish(ctx, owner, match, application)
                return await _followed("POST /v3/candidates", owner, match, application, finish)
            return await _followed(
                "POST /v3/candidates",
                ids[0],
                None,
                application,
                self.add_application(ctx, ids[0], application),
            )

        return await self.once("create candidate", send, reread)

    async def add_application(
        self, ctx: AtsContext, candidate_id: str, application: NewApplication
    ) -> CreatedApplication:
        """`POST /v3/applications`; on a timeout, list the candidate's applications for the job."""
        body = application_body(application, candidate_id)

        async def send() -> CreatedApplication:
            answer = await self._http.write(ctx, "POST", "/v3/applications", body)
            raw = unwrap_record(answer, "application")
            finish = self._finish(ctx, candidate_id, raw, application)
            return await _followed("POST /v3/applications", candidate_id, raw, application, finish)

        async def reread() -> CreatedApplication | None:
            raw_apps = await self._http.list_all(
                ctx, "/v3/applications", {"candidate_ids": candidate_id}
            )
            match = apps.for_job(raw_apps, application.job_id, prospect=application.prospect)
            if match is None:
                return None
            finish = self._finish(ctx, candidate_id, match, application)
            return await _followed(
                "POST /v3/applications", candidate_id, match, application, finish
            )

        return await self.once("add application", send, reread)

    async def _finish(
        self,
        ctx: AtsContext,
        candidate_id: str,
        raw: Record | None,
        application: NewApplication,
    ) -> CreatedApplication:
        """Make sure source and referrer are set, then read the application's current stage."""
        if raw is None or f.ident(raw.get("id")) is None:
            listed = await self._http.list_all(
                ctx, "/v3/applications", {"candidate_ids": candidate_id}
            )
            raw = apps.for_job(listed, application.job_id, prospect=application.prospect)
            if raw is None:
                raise AtsOutcomeUnknownError("the created application cannot be found yet")
        application_id = f.ident(raw.get("id")) or ""
        await self._attribute(ctx, application_id, raw, application)
        stages = await apps.current_stages(self._http, ctx, [raw])
        return CreatedApplication(
            application_id=application_id,
            candidate_id=f.ident(raw.get("candidate_id")) or candidate_id,
            job_id=application.job_id,
            stage=stages.get(application_id),
        )

    async def _attribute(
        self, ctx: AtsContext, application_id: str, raw: Record, application: NewApplication
    ) -> None:
        """Patch source and referrer when the created application does not show them set.

        Whether the create bodies accept `source_id`/`referrer_id` is undocumented, so both are
        sent there and then checked on the answer.
        """
        patch: dict[str, Any] = {}
        if application.source_id and f.ident(raw.get("source_id")) != application.source_id:
            patch["source_id"] = _id_value(application.source_id)
        referrer = application.referral.referrer_id
        if application.referral.kind == "referrer" and referrer:
            if f.ident(raw.get("referrer_id")) != referrer:
                patch["referrer_id"] = _id_value(referrer)
        if not patch:
            return
        path = f"/v3/applications/{application_id}"

        async def send() -> bool:
            await self._http.write(ctx, "PATCH", path, patch)
            return True

        async def reread() -> bool | None:
            rows = await self._http.list_all(ctx, "/v3/applications", {"ids": application_id})
            row = rows[0] if rows else {}
            done = all(f.ident(row.get(k)) == str(v) for k, v in patch.items())
            return True if done else None

        await self.once("attribute application", send, reread)

    # -- candidate updates ---------------------------------------------------------------------

    async def update_candidate(
        self, ctx: AtsContext, candidate_id: str, changes: CandidateChanges
    ) -> None:
        """Read the candidate, merge, `PATCH` what changed; a re-read decides any second send."""
        if changes.is_empty():
            return
        path = f"/v3/candidates/{candidate_id}"

        async def patch_now() -> dict[str, Any]:
            rows = await self._http.list_all(ctx, "/v3/candidates", {"ids": candidate_id})
            current = next((r for r in rows if f.ident(r.get("id")) == candidate_id), None)
            if current is None:
                raise AtsNotFoundError(f"candidate {candidate_id} not found", status=404)
            return merge_patch(current, changes)

        patch = await patch_now()
        if not patch:
            return

        async def send() -> bool:
            await self._http.write(ctx, "PATCH", path, patch)
            return True

        async def reread() -> bool | None:
            return True if not await patch_now() else None

        await self.once("update candidate", send, reread)

    async def write_field(
        self, ctx: AtsContext, candidate_id: str, keys: Sequence[tuple[str, str]], value: str
    ) -> None:
        """Set a candidate custom field, keyed by `name_key` or else by `custom_field_id`."""
        path = f"/v3/candidates/{candidate_id}"

        async def send() -> bool:
            failure: AtsError | None = None
            for key, ident in keys:
                try:
                    body = {"custom_fields": [{key: _id_value(ident), "value": value}]}
                    await self._http.write(ctx, "PATCH", path, body)
                    return True
                except AtsOutcomeUnknownError:
                    raise
                except AtsError as exc:
                    failure = exc
            raise failure or AtsRejectedError(f"PATCH {path}: no custom field key")

        async def reread() -> bool | None:
            rows = await self._http.list_all(ctx, "/v3/candidates", {"ids": candidate_id})
            fields = f.record(rows[0].get("custom_fields")) if rows else {}
            name_keys = [ident for key, ident in keys if key == "name_key"]
            held = [f.text(f.record(fields.get(k)).get("value")) for k in name_keys]
            return True if value in held else None

        await self.once("record referrer", send, reread)


async def _followed(
    what: str,
    candidate_id: str,
    raw_app: Record | None,
    application: NewApplication,
    rest: Awaitable[CreatedApplication],
) -> CreatedApplication:
    """Run what follows an applied write; a failure there carries the ids the write produced."""
    try:
        return await rest
    except AtsIncompleteWriteError:
        raise
    except AtsError as exc:
        app_id = f.ident(raw_app.get("id")) if raw_app is not None else None
        made = CreatedApplication(app_id, candidate_id, application.job_id) if app_id else None
        raise AtsIncompleteWriteError(
            f"{what} was applied, then: {exc.message}",
            candidate_id=candidate_id,
            application=made,
            status=exc.status,
        ) from exc


def _id_value(ident: str) -> int | str:
    return int(ident) if ident.isascii() and ident.isdigit() else ident
