"""Cursor pagination, id chunks and date filters of the Harvest client."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from tests.integration.greenhouse.harvest_fake import FakeHarvest
from tests.integration.greenhouse.harvest_support import context, make_client, new_fake


def _sources(fake: FakeHarvest, count: int) -> None:
    for n in range(count):
        fake.add("sources", name=f"Source {n}", type={"id": 1, "name": "Other"})


async def test_a_twenty_page_cursor_chain_is_followed_to_the_end() -> None:
    fake = new_fake()
    _sources(fake, 10_000)

    sources = await make_client(fake).list_sources(context())

    assert len(sources) == 10_000
    assert len({s.id for s in sources}) == 10_000
    pages = fake.api_requests("GET", "/v3/sources")
    assert len(pages) == 20


async def test_the_first_page_asks_for_500_and_later_pages_carry_only_the_cursor() -> None:
    fake = new_fake()
    _sources(fake, 1200)

    await make_client(fake).list_sources(context())

    first, *rest = fake.api_requests("GET", "/v3/sources")
    assert dict(first.url.params) == {"per_page": "500"}
    assert len(rest) == 2
    for page in rest:
        assert list(page.url.params) == ["cursor"]


async def test_an_empty_link_header_ends_the_list() -> None:
    fake = new_fake()
    _sources(fake, 3)

    await make_client(fake).list_sources(context())

    assert len(fake.api_requests("GET", "/v3/sources")) == 1


async def test_a_cursor_that_repeats_stops_the_walk_instead_of_looping() -> None:
    fake = new_fake()

    def loop(request: httpx.Request) -> httpx.Response | None:
        if request.url.path != "/v3/sources":
            return None
        link = '<https://harvest.test/v3/sources?cursor=abc>; rel="next"'
        return httpx.Response(200, json=[{"id": 1, "name": "X"}], headers={"Link": link})

    fake.before.append(loop)

    sources = await make_client(fake).list_sources(context())

    assert len(fake.api_requests("GET", "/v3/sources")) == 2
    assert [s.id for s in sources] == ["1", "1"]


async def test_ids_filters_are_sent_fifty_at_a_time() -> None:
    fake = new_fake()
    ids = [
        str(fake.add("applications", candidate_id=1, job_id=2, status="hired")["id"])
        for _ in range(120)
    ]

    found = await make_client(fake).get_applications(context(), ids)

    assert len(found) == 120
    chunks = [r.url.params["ids"].split(",") for r in fake.api_requests("GET", "/v3/applications")]
    assert [len(c) for c in chunks] == [50, 50, 20]


async def test_date_filters_use_the_pipe_form() -> None:
    fake = new_fake()
    fake.add(
        "applications",
        candidate_id=1,
        job_id=2,
        status="hired",
        last_activity_at="2026-11-20T10:00:00Z",
    )
    fake.add(
        "applications",
        candidate_id=1,
        job_id=2,
        status="hired",
        last_activity_at="2026-11-01T10:00:00Z",
    )

    found = await make_client(fake).applications_changed_since(
        context(), datetime(2026, 11, 10, 8, 30, 15, 999, tzinfo=UTC)
    )

    assert len(found) == 1
    (request,) = fake.api_requests("GET", "/v3/applications")
    assert request.url.params["last_activity_at"] == "gte|2026-11-10T08:30:15Z"


async def test_a_rejected_pipe_filter_is_retried_in_the_bracket_form() -> None:
    fake = new_fake()
    fake.add("jobs", name="Engineer", status="closed", updated_at="2026-11-20T10:00:00Z")

    def brackets_only(request: httpx.Request) -> httpx.Response | None:
        if "updated_at" in request.url.params:
            return httpx.Response(422, json={"errors": ["Invalid query params: updated_at"]})
        if "updated_at[gte]" in request.url.params:
            rows = [dict(r) for r in fake.tables["jobs"]]
            return httpx.Response(200, json=rows)
        return None

    fake.before.append(brackets_only)

    jobs = await make_client(fake).list_jobs(
        context(), updated_since=datetime(2026, 11, 10, tzinfo=UTC)
    )

    assert [j.title for j in jobs] == ["Engineer"]
    forms = [dict(r.url.params) for r in fake.api_requests("GET", "/v3/jobs")]
    assert forms[0]["updated_at"] == "gte|2026-11-10T00:00:00Z"
    assert forms[1]["updated_at[gte]"] == "2026-11-10T00:00:00Z"
