"""Lever's web hooks, made through its API: create the ones the gateway needs, adopt its own, remove.

Lever shows a web hook's signature token only in the answer that creates it, so a web hook the
gateway finds pointing at its URL but holds no token for is made anew (deleted, then created).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from intrro_gateway.adapters.lever.api import _mappers as m
from intrro_gateway.adapters.lever.api._http import LeverHttp
from intrro_gateway.ports.ats import AtsContext, AtsNotFoundError

# Every origin: the gateway follows opportunities it made (origin referred) but Lever's users may
# change the origin later; filtering to `referred` would silence those.
ORIGINS = ("applied", "sourced", "referred", "university", "internal", "agency")
# Created without conditions (shared/lever.md §3.11); a contact has no origin to filter by.
NO_CONDITIONS = frozenset({"candidateDeleted", "contactUpdated"})


@dataclass(frozen=True, slots=True)
class LeverHook:
    """A web hook in Lever pointing at the gateway, with its signature token."""

    id: str
    event: str
    url: str
    token: str


def _hook_body(event: str, url: str) -> dict[str, Any]:
    body: dict[str, Any] = {"event": event, "url": url}
    if event not in NO_CONDITIONS:
        body["configuration"] = {"conditions": {"origins": list(ORIGINS)}}
    return body


async def ensure_hooks(
    http: LeverHttp,
    ctx: AtsContext,
    url: str,
    events: Sequence[str],
    known: Mapping[str, str],
) -> list[LeverHook]:
    """One web hook per event at `url`: kept when the gateway holds its token (`known`: id to
    token), else made. Web hooks at `url` for events no longer wanted are removed."""
    existing = [r for r in await http.list_all(ctx, "/webhooks") if m.text(r.get("url")) == url]
    hooks: list[LeverHook] = []
    kept: set[str] = set()
    for event in dict.fromkeys(events):
        mine = [r for r in existing if m.text(r.get("event")) == event]
        adopted = next((r for r in mine if m.ident(r.get("id")) in known), None)
        if adopted is not None:
            hook_id = str(adopted["id"])
            hooks.append(LeverHook(hook_id, event, url, known[hook_id]))
            kept.add(hook_id)
            continue
        answer = await http.write(ctx, "POST", "/webhooks", _hook_body(event, url))
        made = m.record(m.record(answer).get("data"))
        made_id = m.ident(made.get("id"))
        token = m.text(m.record(made.get("configuration")).get("signatureToken"))
        if made_id is None or token is None:
            raise AtsNotFoundError("POST /webhooks: Lever answered no id or signature token")
        hooks.append(LeverHook(made_id, event, url, token))
        kept.add(made_id)
    for row in existing:
        stale = m.ident(row.get("id"))
        if stale is not None and stale not in kept:
            await remove_hook(http, ctx, stale)
    return hooks


async def remove_hook(http: LeverHttp, ctx: AtsContext, hook_id: str) -> None:
    """Delete one web hook; one already gone is fine."""
    try:
        await http.write(ctx, "DELETE", f"/webhooks/{hook_id}")
    except AtsNotFoundError:
        return
