"""The introduction repository: introductions, their links and history, and the ATS id index."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import String, Table, and_, bindparam, delete, func, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import BindParameter

from intrro_gateway.adapters.sql._cursor import decode_cursor, encode_cursor
from intrro_gateway.adapters.sql._db import translated
from intrro_gateway.adapters.sql._intro_mapping import (
    history_values,
    index_values,
    introduction_of,
    introduction_values,
    link_values,
    stage_of,
)
from intrro_gateway.adapters.sql.tables import (
    AtsIndexRow,
    IntroductionRow,
    LinkRow,
    StatusHistoryRow,
    table,
)
from intrro_gateway.domain.introduction import ExportState, Introduction
from intrro_gateway.domain.status import ReferralStatus
from intrro_gateway.ports.unit_of_work import (
    ConcurrencyError,
    IntroductionRepository,
    Page,
    PipelineEntry,
)

__all__ = ["SqlIntroductionRepository"]

_INTROS = table(IntroductionRow)
_LINKS = table(LinkRow)
_HISTORY = table(StatusHistoryRow)
_INDEX = table(AtsIndexRow)
_CHILDREN = (_LINKS, _HISTORY, _INDEX)
_ROWS_OF = ((_LINKS, link_values), (_HISTORY, history_values), (_INDEX, index_values))
_PKS = {child: tuple(c.name for c in child.primary_key.columns) for child in _CHILDREN}
# One prepared DELETE per child table, by primary key, run once for all the rows that go.
_DELETE_BY_PK = {
    child: delete(child).where(and_(*(child.c[k] == bindparam(f"pk_{k}") for k in _PKS[child])))
    for child in _CHILDREN
}

# Built once: a statement built per call costs more CPU than the database spends running it.
_TENANT = bindparam("tenant_id", type_=String())
_INTRO = bindparam("introduction_id", type_=String())
_GET = select(_INTROS).where(_INTROS.c.tenant_id == _TENANT, _INTROS.c.introduction_id == _INTRO)
_GET_LINKS = (
    select(_LINKS)
    .where(_LINKS.c.tenant_id == _TENANT, _LINKS.c.introduction_id == _INTRO)
    .order_by(_LINKS.c.position)
)
_GET_HISTORY = (
    select(_HISTORY)
    .where(_HISTORY.c.tenant_id == _TENANT, _HISTORY.c.introduction_id == _INTRO)
    .order_by(_HISTORY.c.job_id, _HISTORY.c.position)
)
_INDEXED = (
    select(_INDEX.c.introduction_id)
    .where(
        _INDEX.c.tenant_id == _TENANT,
        _INDEX.c.kind == bindparam("kind"),
        _INDEX.c.ats_id == bindparam("ats_id"),
    )
    .order_by(_INDEX.c.introduction_id)
)
_IDS: BindParameter[Any] = bindparam("introduction_ids", expanding=True)
# Several introductions at once, by the applications they link: the introduction rows (with the
# application each was found by), then their links and their history, three statements in all.
_BY_APPLICATIONS = (
    select(_INDEX.c.ats_id.label("found_by_application"), _INTROS)
    .join(
        _INTROS,
        and_(
            _INTROS.c.tenant_id == _INDEX.c.tenant_id,
            _INTROS.c.introduction_id == _INDEX.c.introduction_id,
        ),
    )
    .where(
        _INDEX.c.tenant_id == _TENANT,
        _INDEX.c.kind == "application",
        _INDEX.c.ats_id.in_(bindparam("application_ids", expanding=True)),
    )
    .order_by(_INDEX.c.introduction_id)
)
_LINKS_OF = (
    select(_LINKS)
    .where(_LINKS.c.tenant_id == _TENANT, _LINKS.c.introduction_id.in_(_IDS))
    .order_by(_LINKS.c.introduction_id, _LINKS.c.position)
)
_HISTORY_OF = (
    select(_HISTORY)
    .where(_HISTORY.c.tenant_id == _TENANT, _HISTORY.c.introduction_id.in_(_IDS))
    .order_by(_HISTORY.c.introduction_id, _HISTORY.c.job_id, _HISTORY.c.position)
)
_SAVE = update(_INTROS).where(
    _INTROS.c.tenant_id == bindparam("key_tenant_id"),
    _INTROS.c.introduction_id == bindparam("key_introduction_id"),
    _INTROS.c.version == bindparam("read_version"),
)  # SET: every column the parameters name

_Key = tuple[str, str]
_Rows = dict[tuple[Any, ...], dict[str, Any]]


def _child_rows(intro: Introduction) -> dict[Table, _Rows]:
    """The child rows of an introduction, per table, by primary key."""
    return {
        child: {tuple(row[k] for k in _PKS[child]): row for row in rows_of(intro)}
        for child, rows_of in _ROWS_OF
    }


class SqlIntroductionRepository(IntroductionRepository):
    """Introductions in SQL, with optimistic locking on `version`."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn
        # The child rows as read (or last saved) in this unit of work, so that a save writes only
        # the rows that changed; the version check guarantees the table still holds them.
        self._read: dict[_Key, tuple[int, dict[Table, _Rows]]] = {}

    async def get(self, tenant_id: str, introduction_id: str) -> Introduction | None:
        """One introduction."""
        key = {"tenant_id": tenant_id, "introduction_id": introduction_id}
        async with translated():
            row = (await self._conn.execute(_GET, key)).mappings().first()
            if row is None:
                return None
            links = (await self._conn.execute(_GET_LINKS, key)).mappings()
            history = (await self._conn.execute(_GET_HISTORY, key)).mappings()
            intro = introduction_of(row, list(links), list(history))
        self._read[(tenant_id, introduction_id)] = (intro.version, _child_rows(intro))
        return intro

    async def add(self, introduction: Introduction) -> None:
        """Store a new introduction."""
        async with translated():
            await self._conn.execute(
                _INTROS.insert().values(
                    {**introduction_values(introduction), "version": introduction.version}
                )
            )
            await self._insert_children(introduction)
        key = (introduction.tenant_id, introduction.introduction_id)
        self._read[key] = (introduction.version, _child_rows(introduction))

    async def save(self, introduction: Introduction) -> None:
        """Store changes; raises ConcurrencyError when it changed since it was read."""
        await self.save_many([introduction])

    async def save_many(self, introductions: Sequence[Introduction]) -> None:
        """Store the changes of several introductions: one UPDATE (checking every version) and one
        statement per child table for the rows that changed; raises ConcurrencyError when any of
        them changed since it was read (nothing is then marked saved; roll the unit back)."""
        if not introductions:
            return
        params = [
            {
                **introduction_values(intro),
                "version": intro.version + 1,
                "key_tenant_id": intro.tenant_id,
                "key_introduction_id": intro.introduction_id,
                "read_version": intro.version,
            }
            for intro in introductions
        ]
        afters = [_child_rows(intro) for intro in introductions]
        async with translated():
            result = await self._conn.execute(_SAVE, params if len(params) > 1 else params[0])
            if result.rowcount != len(params):
                first = introductions[0]
                raise ConcurrencyError(
                    f"introduction {first.introduction_id} of {first.tenant_id} (or another of the "
                    f"{len(params)} saved with it) changed since it was read"
                )
            await self._write_children(introductions, afters)
        for intro, after in zip(introductions, afters, strict=True):
            intro.version += 1
            self._read[(intro.tenant_id, intro.introduction_id)] = (intro.version, after)

    async def _write_children(
        self, introductions: Sequence[Introduction], afters: Sequence[dict[Table, _Rows]]
    ) -> None:
        """Write the child rows that differ from those read, one statement per table and kind for
        all the introductions; all of an introduction's rows when none were read."""
        deletes: dict[Table, list[dict[str, Any]]] = {child: [] for child in _CHILDREN}
        inserts: dict[Table, list[dict[str, Any]]] = {child: [] for child in _CHILDREN}
        for intro, after in zip(introductions, afters, strict=True):
            tenant_id, intro_id = intro.tenant_id, intro.introduction_id
            read = self._read.get((tenant_id, intro_id))
            if read is None or read[0] != intro.version:
                for child in _CHILDREN:
                    await self._conn.execute(
                        delete(child).where(
                            child.c.tenant_id == tenant_id, child.c.introduction_id == intro_id
                        )
                    )
                    inserts[child].extend(after[child].values())
                continue
            before = read[1]
            for child in _CHILDREN:
                old, new = before[child], after[child]
                keys = _PKS[child]
                deletes[child].extend(
                    {f"pk_{k}": v for k, v in zip(keys, pk, strict=True)}
                    for pk, row in old.items()
                    if new.get(pk) != row
                )
                inserts[child].extend(row for pk, row in new.items() if old.get(pk) != row)
        for child in _CHILDREN:
            if deletes[child]:
                await self._conn.execute(_DELETE_BY_PK[child], deletes[child])
        for child in _CHILDREN:  # after every delete: a moved key never meets itself
            if inserts[child]:
                await self._conn.execute(child.insert(), inserts[child])

    async def by_application(self, tenant_id: str, application_id: str) -> Introduction | None:
        """The introduction linked to an ATS application."""
        found = await self._indexed(tenant_id, "application", application_id)
        return found[0] if found else None

    async def by_applications(
        self, tenant_id: str, application_ids: Sequence[str]
    ) -> Mapping[str, Introduction]:
        """The introductions linked to these ATS applications, by application id, in three
        statements (the first by introduction id where several link one application, as
        `by_application`)."""
        if not application_ids:
            return {}
        async with translated():
            rows = (
                await self._conn.execute(
                    _BY_APPLICATIONS,
                    {"tenant_id": tenant_id, "application_ids": sorted(set(application_ids))},
                )
            ).mappings()
            found: dict[str, str] = {}
            intro_rows: dict[str, Any] = {}
            for row in rows:
                found.setdefault(row["found_by_application"], row["introduction_id"])
                intro_rows.setdefault(row["introduction_id"], row)
            if not intro_rows:
                return {}
            key = {"tenant_id": tenant_id, "introduction_ids": sorted(intro_rows)}
            links: dict[str, list[Any]] = {intro_id: [] for intro_id in intro_rows}
            for row in (await self._conn.execute(_LINKS_OF, key)).mappings():
                links[row["introduction_id"]].append(row)
            history: dict[str, list[Any]] = {intro_id: [] for intro_id in intro_rows}
            for row in (await self._conn.execute(_HISTORY_OF, key)).mappings():
                history[row["introduction_id"]].append(row)
        intros: dict[str, Introduction] = {}
        for intro_id, row in intro_rows.items():
            intro = introduction_of(row, links[intro_id], history[intro_id])
            self._read[(tenant_id, intro_id)] = (intro.version, _child_rows(intro))
            intros[intro_id] = intro
        return {app_id: intros[intro_id] for app_id, intro_id in found.items()}

    async def by_candidate(self, tenant_id: str, candidate_id: str) -> Sequence[Introduction]:
        """The introductions linked to an ATS candidate."""
        return await self._indexed(tenant_id, "candidate", candidate_id)

    async def pending_exports(self, tenant_id: str) -> int:
        """How many introductions of the tenant are not exported yet."""
        async with translated():
            count = await self._conn.scalar(
                select(func.count())
                .select_from(_INTROS)
                .where(
                    _INTROS.c.tenant_id == tenant_id,
                    _INTROS.c.export_state == str(ExportState.PENDING),
                )
            )
        return int(count or 0)

    async def linked_application_ids(self, tenant_id: str) -> Sequence[str]:
        """Every open linked ATS application id of the tenant."""
        async with translated():
            result = await self._conn.execute(
                select(_LINKS.c.application_id)
                .where(
                    _LINKS.c.tenant_id == tenant_id,
                    _LINKS.c.application_id.is_not(None),
                    _LINKS.c.closed.is_(None),
                )
                .distinct()
                .order_by(_LINKS.c.application_id)
            )
        return [str(v) for v in result.scalars()]

    async def linked_applications(self, tenant_id: str) -> Sequence[tuple[str, str]]:
        """Every open linked ATS application id of the tenant with its ATS candidate id, by id."""
        join = _LINKS.join(
            _INTROS,
            (_LINKS.c.tenant_id == _INTROS.c.tenant_id)
            & (_LINKS.c.introduction_id == _INTROS.c.introduction_id),
        )
        async with translated():
            result = await self._conn.execute(
                select(_LINKS.c.application_id, _INTROS.c.ats_candidate_id)
                .select_from(join)
                .where(
                    _LINKS.c.tenant_id == tenant_id,
                    _LINKS.c.application_id.is_not(None),
                    _LINKS.c.closed.is_(None),
                    _INTROS.c.ats_candidate_id.is_not(None),
                )
                .distinct()
                .order_by(_LINKS.c.application_id)
            )
        return [(str(app), str(cand)) for app, cand in result.all()]

    async def pipeline(
        self,
        tenant_id: str,
        *,
        status: ReferralStatus | None = None,
        cursor: str | None = None,
        limit: int = 100,
    ) -> Page[PipelineEntry]:
        """The tenant's linked applications, by status."""
        query = select(_LINKS).where(
            _LINKS.c.tenant_id == tenant_id, _LINKS.c.application_id.is_not(None)
        )
        if status is not None:
            query = query.where(_LINKS.c.status == str(status))
        if cursor is not None:
            intro_id, job_id = decode_cursor(cursor, 2)
            query = query.where(
                tuple_(_LINKS.c.introduction_id, _LINKS.c.job_id) > (str(intro_id), str(job_id))
            )
        query = query.order_by(_LINKS.c.introduction_id, _LINKS.c.job_id).limit(limit + 1)
        async with translated():
            rows = list((await self._conn.execute(query)).mappings())
        entries = []
        for row in rows[:limit]:
            stage = stage_of(row["stage"])
            entries.append(
                PipelineEntry(
                    introduction_id=row["introduction_id"],
                    job_id=row["job_id"],
                    application_id=row["application_id"],
                    status=ReferralStatus(row["status"]),
                    stage_id=stage.id if stage else None,
                    stage_name=stage.name if stage else None,
                    updated_at=row["updated_at"] or row["last_change_at"],
                )
            )
        next_cursor = None
        if len(rows) > limit:
            last = entries[-1]
            next_cursor = encode_cursor(last.introduction_id, last.job_id)
        return Page(items=entries, next_cursor=next_cursor)

    async def _indexed(self, tenant_id: str, kind: str, ats_id: str) -> list[Introduction]:
        async with translated():
            result = await self._conn.execute(
                _INDEXED, {"tenant_id": tenant_id, "kind": kind, "ats_id": ats_id}
            )
            ids = [str(v) for v in result.scalars()]
        found = [await self.get(tenant_id, intro_id) for intro_id in ids]
        return [intro for intro in found if intro is not None]

    async def _insert_children(self, introduction: Introduction) -> None:
        for child, rows in (
            (_LINKS, link_values(introduction)),
            (_HISTORY, history_values(introduction)),
            (_INDEX, index_values(introduction)),
        ):
            if rows:
                await self._conn.execute(child.insert(), rows)
