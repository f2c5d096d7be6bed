"""Request bodies for candidates and applications, and the merge that never clears a field."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from intrro_gateway.adapters.greenhouse.harvest import _fields as f
from intrro_gateway.domain.candidates import CandidateChanges, CandidateProfile
from intrro_gateway.ports.ats import NewApplication

Record = Mapping[str, Any]
_NOT_DIGITS = re.compile(r"[^0-9+]")


def application_body(
    application: NewApplication, candidate_id: str | None = None
) -> dict[str, Any]:
    """The body of `POST /v3/applications`, or the nested `application` of a new candidate."""
    body: dict[str, Any] = {}
    if candidate_id is not None:
        body["candidate_id"] = _id_value(candidate_id)
    if application.prospect:
        body["prospect"] = True
        body["job_ids"] = [_id_value(application.job_id)]
    else:
        body["job_id"] = _id_value(application.job_id)
    if application.source_id:
        body["source_id"] = _id_value(application.source_id)
    referrer = application.referral
    if referrer.kind == "referrer" and referrer.referrer_id:
        body["referrer_id"] = _id_value(referrer.referrer_id)
    return body


def candidate_body(profile: CandidateProfile, application: NewApplication) -> dict[str, Any]:
    """The body of `POST /v3/candidates` with its one nested application."""
    body: dict[str, Any] = {
        "first_name": profile.first_name,
        "last_name": profile.last_name,
        "email_addresses": [{"value": e, "type": "personal"} for e in _unique(profile.emails)],
    }
    if profile.current_company:
        body["company"] = profile.current_company
    if profile.current_title:
        body["title"] = profile.current_title
    if profile.phones:
        body["phone_numbers"] = [{"value": p, "type": "mobile"} for p in _unique(profile.phones)]
    if profile.websites:
        body["website_addresses"] = [
            {"value": w, "type": "personal"} for w in _unique(profile.websites)
        ]
    social = _unique(
        [*([profile.linkedin_url] if profile.linkedin_url else []), *profile.social_profiles]
    )
    if social:
        body["social_media_addresses"] = [{"value": s} for s in social]
    if profile.location:
        body["addresses"] = [{"value": profile.location, "type": "home"}]
    body["application"] = application_body(application)
    return body


def merge_patch(current: Record, changes: CandidateChanges) -> dict[str, Any]:
    """The `PATCH /v3/candidates/{id}` body: changed scalars, and lists that gained entries.

    A field Intrro leaves out or sends empty is not sent; lists are the union of what Greenhouse
    holds and what Intrro sends, sent as complete arrays, so nothing Greenhouse holds is cleared.
    """
    patch: dict[str, Any] = {}
    for key, value in (
        ("first_name", changes.first_name),
        ("last_name", changes.last_name),
        ("company", changes.current_company),
        ("title", changes.current_title),
    ):
        new = f.text(value)
        if new is not None and new != f.text(current.get(key)):
            patch[key] = new
    social = [
        *([changes.linkedin_url] if changes.linkedin_url else []),
        *(changes.social_profiles or ()),
    ]
    for key, additions, kind, norm in (
        ("email_addresses", changes.emails or (), "personal", _fold),
        ("phone_numbers", changes.phones or (), "mobile", _phone),
        ("website_addresses", changes.websites or (), "personal", _url),
        ("social_media_addresses", social, None, _url),
        ("addresses", [changes.location] if changes.location else [], "home", _fold),
    ):
        merged = _union(current.get(key), additions, kind, norm)
        if merged is not None:
            patch[key] = merged
    return patch


def _union(
    existing: Any, additions: Iterable[str], kind: str | None, norm: Callable[[str], str]
) -> list[dict[str, Any]] | None:
    kept: list[dict[str, Any]] = []
    seen: set[str] = set()
    for item in f.records(existing):
        value = f.text(item.get("value"))
        if value is None or norm(value) in seen:
            continue
        seen.add(norm(value))
        entry: dict[str, Any] = {"value": value}
        if kind is not None:
            entry["type"] = f.text(item.get("type")) or kind
        kept.append(entry)
    if isinstance(existing, list):
        for item in existing:
            if isinstance(item, str) and item.strip() and norm(item.strip()) not in seen:
                seen.add(norm(item.strip()))
                kept.append({"value": item.strip(), **({"type": kind} if kind else {})})
    added = False
    for raw in additions:
        value = raw.strip() if isinstance(raw, str) else ""
        if not value or norm(value) in seen:
            continue
        seen.add(norm(value))
        kept.append({"value": value, **({"type": kind} if kind else {})})
        added = True
    return kept if added else None


def _fold(value: str) -> str:
    return value.strip().casefold()


def _phone(value: str) -> str:
    digits = _NOT_DIGITS.sub("", value)
    return digits or _fold(value)


def _url(value: str) -> str:
    folded = _fold(value).rstrip("/")
    for prefix in ("https://", "http://"):
        if folded.startswith(prefix):
            folded = folded[len(prefix) :]
    return folded.removeprefix("www.")


def _unique(items: Iterable[str]) -> list[str]:
    out: dict[str, str] = {}
    for item in items:
        if item and item.strip() and _fold(item) not in out:
            out[_fold(item)] = item.strip()
    return list(out.values())


def _id_value(ident: str) -> int | str:
    """Greenhouse ids are integers; an id that is not one is sent as given."""
    return int(ident) if ident.isascii() and ident.isdigit() else ident
