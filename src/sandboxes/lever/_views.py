"""Records as Lever's API shows them: private keys dropped, contact fields composed, `expand` applied."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from intrro_gateway.sandboxes.lever.state import Record, SandboxState

OPPORTUNITY_EXPANDS: tuple[str, ...] = (
    "applications",
    "stage",
    "owner",
    "followers",
    "sourcedBy",
    "contact",
)
POSTING_EXPANDS: tuple[str, ...] = ("user", "owner", "hiringManager", "followers")


def public(record: Record) -> dict[str, Any]:
    """A record without the sandbox's private keys."""
    return {k: v for k, v in record.items() if not k.startswith("_")}


def _user(state: SandboxState, user_id: Any) -> Any:
    user = state.tables["users"].get(user_id) if isinstance(user_id, str) else None
    return public(user) if user is not None else user_id


def opportunity_view(
    state: SandboxState, opportunity: Record, expand: Collection[str] = ()
) -> dict[str, Any]:
    """An opportunity with its contact's shared fields (name, headline, emails, phones, location)."""
    contact = state.tables["contacts"][opportunity["contact"]]
    view = public(opportunity)
    view.update(
        name=contact["name"],
        headline=contact["headline"],
        emails=list(contact["emails"]),
        phones=[dict(p) for p in contact["phones"]],
        location=contact["location"]["name"] if contact["location"] else "",
    )
    if "applications" in expand:
        view["applications"] = [
            public(state.tables["applications"][a]) for a in opportunity["applications"]
        ]
    if "stage" in expand:
        stage = state.tables["stages"].get(opportunity["stage"])
        view["stage"] = public(stage) if stage is not None else opportunity["stage"]
    for name in ("owner", "sourcedBy"):
        if name in expand:
            view[name] = _user(state, opportunity[name])
    if "followers" in expand:
        view["followers"] = [_user(state, f) for f in opportunity["followers"]]
    if "contact" in expand:
        view["contact"] = public(contact)
    return view


def posting_view(
    state: SandboxState, posting: Record, expand: Collection[str] = ()
) -> dict[str, Any]:
    """A posting, with `user`, `owner`, `hiringManager` or `followers` expanded to users if asked."""
    view = public(posting)
    for name in ("user", "owner", "hiringManager"):
        if name in expand:
            view[name] = _user(state, posting[name])
    if "followers" in expand:
        view["followers"] = [_user(state, f) for f in posting["followers"]]
    return view
