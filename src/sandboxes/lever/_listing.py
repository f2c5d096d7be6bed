"""Lever list behaviour: `{data, hasNext, next}` pages of `limit` (1-100, default 100) rows, continued by
passing `offset=<next>` with the same filters."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from intrro_gateway.sandboxes.lever._query import (
    Offset,
    QueryError,
    decode_offset,
    encode_offset,
    filter_digest,
    parse_bool,
    parse_limit,
    parse_ms,
)
from intrro_gateway.sandboxes.lever.errors import ConfidentialError
from intrro_gateway.sandboxes.lever.state import Record

Predicate = Callable[[Record], bool]
PAGING = ("limit", "offset")


def list_page(
    resource: str,
    records: Iterable[Record],
    query: dict[str, list[str]],
    predicates: list[Predicate],
    view: Callable[[Record], dict[str, Any]],
) -> dict[str, Any]:
    """One page of the records (in creation order) that every predicate admits."""
    limit = parse_limit(query["limit"][0]) if "limit" in query else 100
    digest = filter_digest(query)
    after = 0
    if "offset" in query:
        offset = decode_offset(query["offset"][0])
        if offset.resource != resource:
            raise QueryError("Invalid offset token")
        if offset.digest != digest:
            raise QueryError("The offset token was issued for other filters")
        after = offset.after
    chosen = [
        r
        for r in sorted(records, key=lambda r: int(r["_seq"]))
        if r["_seq"] > after and all(p(r) for p in predicates)
    ]
    page = chosen[:limit]
    body: dict[str, Any] = {"data": [view(r) for r in page], "hasNext": len(chosen) > limit}
    if body["hasNext"]:
        body["next"] = encode_offset(Offset(resource, digest, int(page[-1]["_seq"])))
    return body


def values_in(field: str, values: list[str], *, casefold: bool = False) -> Predicate:
    """The field (or any element of a list field) is one of the values."""
    wanted = {v.casefold() for v in values} if casefold else set(values)

    def match(record: Record) -> bool:
        value = record.get(field)
        items = value if isinstance(value, list) else [value]
        return any(
            isinstance(i, str) and (i.casefold() if casefold else i) in wanted for i in items
        )

    return match


def time_range(field: str, query: dict[str, list[str]], prefix: str) -> list[Predicate]:
    """`<prefix>_start` / `<prefix>_end` (epoch ms, inclusive) on a time field."""
    predicates: list[Predicate] = []
    if f"{prefix}_start" in query:
        start = parse_ms(f"{prefix}_start", query[f"{prefix}_start"][0])
        predicates.append(lambda r: isinstance(r.get(field), int) and r[field] >= start)
    if f"{prefix}_end" in query:
        end = parse_ms(f"{prefix}_end", query[f"{prefix}_end"][0])
        predicates.append(lambda r: isinstance(r.get(field), int) and r[field] <= end)
    return predicates


def flag(query: dict[str, list[str]], name: str) -> bool | None:
    """A `true`/`false` parameter, or None when absent."""
    return parse_bool(name, query[name][0]) if name in query else None


def expands(query: dict[str, list[str]], allowed: tuple[str, ...]) -> set[str]:
    """The `expand` values, each one of `allowed` (repeat the parameter for several)."""
    values = set(query.get("expand", []))
    unknown = sorted(values - set(allowed))
    if unknown:
        raise QueryError(f"Invalid expand: {', '.join(unknown)} (one of {', '.join(allowed)})")
    return values


def selected(view: dict[str, Any], query: dict[str, list[str]], expand: set[str]) -> dict[str, Any]:
    """`include=<field>` (repeatable): only those fields, and the expanded ones; every field without it."""
    if "include" not in query:
        return view
    wanted = set(query["include"]) | expand
    return {k: v for k, v in view.items() if k in wanted}


def confidentiality(query: dict[str, list[str]], allowed: bool) -> Predicate:
    """`confidentiality=confidential|non-confidential|all`; non-confidential records by default; the
    others only for a key `allowed` confidential data (ConfidentialError otherwise)."""
    value = query.get("confidentiality", ["non-confidential"])[0]
    if value not in ("confidential", "non-confidential", "all"):
        raise QueryError(
            f"Invalid confidentiality: {value!r} (confidential, non-confidential, all)"
        )
    if value != "non-confidential" and not allowed:
        raise ConfidentialError
    return lambda record: value == "all" or record.get("confidentiality") == value
