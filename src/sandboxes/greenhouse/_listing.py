"""Generic Harvest v3 list behaviour: strict query checks, filters, id-descending cursor pages."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from intrro_gateway.sandboxes.greenhouse._clock import parse_stamp
from intrro_gateway.sandboxes.greenhouse._query import (
    Cursor,
    QueryError,
    decode_cursor,
    encode_cursor,
    parse_bool,
    parse_ids,
    parse_int,
    parse_per_page,
    parse_strings,
    parse_time_filter,
)
from intrro_gateway.sandboxes.greenhouse.state import Record

Predicate = Callable[[Record], bool]
DEFAULT_PER_PAGE = 100


@dataclass(frozen=True, slots=True)
class Filter:
    """One query parameter: how to parse its text into a predicate on records."""

    build: Callable[[str, str], Predicate]


def _field_in(record: Record, name: str, wanted: set[Any]) -> bool:
    value = record.get(name)
    if isinstance(value, list):
        return any(v in wanted for v in value)
    return value in wanted


def ids_filter(field_name: str) -> Filter:
    """`<x>_ids=1,2`: the record's field (or any element of a list field) is one of the ids."""

    def build(name: str, text: str) -> Predicate:
        wanted = set(parse_ids(name, text))
        return lambda record: _field_in(record, field_name, wanted)

    return Filter(build)


def strings_filter(field_name: str, *, casefold: bool = False) -> Filter:
    """A comma-separated list of exact (or case-insensitive) values of a string field."""

    def build(name: str, text: str) -> Predicate:
        values = parse_strings(name, text)
        wanted = {v.casefold() for v in values} if casefold else set(values)

        def match(record: Record) -> bool:
            value = record.get(field_name)
            if not isinstance(value, str):
                return False
            return (value.casefold() if casefold else value) in wanted

        return match

    return Filter(build)


def int_filter(field_name: str) -> Filter:
    """A single id compared with a field (or contained in a list field)."""

    def build(name: str, text: str) -> Predicate:
        wanted = {parse_int(name, text)}
        return lambda record: _field_in(record, field_name, wanted)

    return Filter(build)


def bool_filter(field_name: str) -> Filter:
    """`true`/`false` compared with a boolean field."""

    def build(name: str, text: str) -> Predicate:
        wanted = parse_bool(name, text)
        return lambda record: bool(record.get(field_name)) is wanted

    return Filter(build)


def time_filter(field_name: str) -> Filter:
    """`gte|<time>` (optionally `|lte|<time>`) on a time field; records without one never match."""

    def build(name: str, text: str) -> Predicate:
        bounds = parse_time_filter(name, text)

        def match(record: Record) -> bool:
            raw = record.get(field_name)
            if not isinstance(raw, str):
                return False
            moment = parse_stamp(raw)
            return all(bound.admits(moment) for bound in bounds)

        return match

    return Filter(build)


def enum_filter(field_name: str, values: Mapping[str, str]) -> Filter:
    """One of the query values (mapped to the stored value, e.g. `active` to `in_process`)."""

    def build(name: str, text: str) -> Predicate:
        if text not in values:
            raise QueryError(f"Invalid value for {name}: {text!r} (one of {', '.join(values)})")
        wanted = values[text]
        return lambda record: record.get(field_name) == wanted

    return Filter(build)


def custom_filter(predicate: Callable[[str, str], Predicate]) -> Filter:
    """A parameter with its own parsing and matching."""
    return Filter(predicate)


@dataclass(frozen=True, slots=True)
class ListSpec:
    """What one `GET /v3/<resource>` accepts and what it hides unless asked."""

    resource: str
    filters: Mapping[str, Filter] = field(default_factory=dict)
    default_hidden: Callable[[Record, Mapping[str, str]], bool] | None = None


GENERIC_FILTERS: dict[str, Filter] = {
    "ids": ids_filter("id"),
    "created_at": time_filter("created_at"),
    "updated_at": time_filter("updated_at"),
}


@dataclass(frozen=True, slots=True)
class Page:
    """One page of records, and the cursor of the next page if there is one."""

    records: list[dict[str, Any]]
    next_cursor: str | None


def public(record: Record, fields: list[str] | None) -> dict[str, Any]:
    """A record as the API shows it: no private keys, and only the asked `fields` if any."""
    shown = {k: v for k, v in record.items() if not k.startswith("_")}
    if fields is not None:
        shown = {k: v for k, v in shown.items() if k in fields}
    return shown


def _query_for(
    spec: ListSpec, params: list[tuple[str, str]]
) -> tuple[Cursor | None, dict[str, str]]:
    names = [name for name, _ in params]
    if "cursor" in names:
        if len(names) > 1:
            raise QueryError("When passing a cursor, do not include other query params.")
        cursor = decode_cursor(params[0][1])
        if cursor.resource != spec.resource:
            raise QueryError("Invalid or expired cursor.")
        return cursor, dict(cursor.query)
    allowed = {"per_page", "fields", *GENERIC_FILTERS, *spec.filters}
    unknown = sorted({name for name in names if name not in allowed})
    if unknown:
        raise QueryError(f"Invalid query params: {', '.join(unknown)}")
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise QueryError(f"Invalid query params: {', '.join(repeated)} given more than once")
    return None, dict(params)


def list_page(
    spec: ListSpec, table: Mapping[int, Record], params: list[tuple[str, str]]
) -> tuple[Page, dict[str, str], int]:
    """Select one page (ids descending); returns it with the first request's query and page number."""
    cursor, query = _query_for(spec, params)
    per_page = cursor.per_page if cursor else parse_per_page(query.get("per_page", "100"))
    fields = parse_strings("fields", query["fields"]) if "fields" in query else None
    filters = {**GENERIC_FILTERS, **spec.filters}
    predicates = [
        filters[name].build(name, text) for name, text in query.items() if name in filters
    ]
    if spec.default_hidden is not None:
        hidden = spec.default_hidden
        predicates.append(lambda record: not hidden(record, query))
    after = cursor.after_id if cursor else None
    chosen = [
        r
        for record_id, r in sorted(table.items(), reverse=True)
        if (after is None or record_id < after) and all(p(r) for p in predicates)
    ]
    page_records = chosen[:per_page]
    page_number = cursor.page + 1 if cursor else 1
    next_cursor = None
    if len(chosen) > per_page:
        next_cursor = encode_cursor(
            Cursor(
                spec.resource,
                tuple(sorted(query.items())),
                per_page,
                int(page_records[-1]["id"]),
                page_number,
            )
        )
    return Page([public(r, fields) for r in page_records], next_cursor), query, page_number
