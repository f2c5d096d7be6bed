"""Job import through the Harvest client: the fewest requests, templates out, stages in order."""

from __future__ import annotations

from datetime import UTC, datetime

from intrro_gateway.domain.jobs import JobStatus
from tests.integration.greenhouse.harvest_fake import FakeHarvest
from tests.integration.greenhouse.harvest_support import context, make_client, new_fake


def _seed(fake: FakeHarvest, jobs: int = 3) -> list[int]:
    dept = fake.add("departments", name="Engineering")["id"]
    office = fake.add("offices", name="Berlin")["id"]
    ids = []
    for n in range(jobs):
        job = fake.add(
            "jobs",
            name=f"Job {n}",
            status="open",
            is_template=None if n == 0 else False,
            department_id=dept,
            office_ids=[office],
            updated_at="2026-11-20T10:00:00Z",
        )
        ids.append(job["id"])
        for order, name in ((2, "Offer"), (0, "Application Review"), (1, "Interview")):
            fake.add(
                "job_interview_stages", job_id=job["id"], name=name, sort_order=order, active=True
            )
        fake.add("job_interview_stages", job_id=job["id"], name="Old", sort_order=1, active=False)
        fake.add(
            "job_posts",
            job_id=job["id"],
            title=f"Post {n}",
            active=True,
            public_url=f"https://boards.greenhouse.io/acme/jobs/{n}",
        )
    fake.add("jobs", name="Template", status="open", is_template=True)
    fake.add("jobs", name="Closed", status="closed", is_template=False)
    return ids


async def test_a_full_import_lists_open_jobs_fully_described_in_five_requests() -> None:
    fake = new_fake()
    _seed(fake)

    jobs = await make_client(fake).list_jobs(context())

    assert sorted(j.title for j in jobs) == ["Job 0", "Job 1", "Job 2"]
    job = next(j for j in jobs if j.title == "Job 1")
    assert job.status is JobStatus.OPEN and job.is_open
    assert [d.name for d in job.departments] == ["Engineering"]
    assert [o.name for o in job.offices] == ["Berlin"]
    assert [(p.title, p.url) for p in job.posts] == [
        ("Post 1", "https://boards.greenhouse.io/acme/jobs/1")
    ]
    assert [(s.name, s.order) for s in job.stages] == [
        ("Application Review", 0),
        ("Interview", 1),
        ("Offer", 2),
    ]
    assert job.updated_at == datetime(2026, 11, 20, 10, tzinfo=UTC)
    paths = [r.url.path for r in fake.api_requests("GET")]
    assert paths == [
        "/v3/jobs",
        "/v3/job_posts",
        "/v3/job_interview_stages",
        "/v3/departments",
        "/v3/offices",
    ]
    assert fake.api_requests("GET", "/v3/jobs")[0].url.params["status"] == "open"


async def test_posts_and_stages_of_a_large_job_set_are_listed_whole_not_per_job() -> None:
    fake = new_fake()
    _seed(fake, jobs=160)

    jobs = await make_client(fake).list_jobs(context())

    assert len(jobs) == 160
    assert all(len(j.stages) == 3 and len(j.posts) == 1 for j in jobs)
    # one paginated list each: 160 posts on one page, 640 stages on two
    for path, pages in (("/v3/job_posts", 1), ("/v3/job_interview_stages", 2)):
        requests = fake.api_requests("GET", path)
        assert len(requests) == pages
        assert all("job_ids" not in r.url.params for r in requests)


async def test_a_small_job_set_filters_posts_and_stages_by_job_ids() -> None:
    fake = new_fake()
    ids = _seed(fake)

    await make_client(fake).list_jobs(context(), job_ids=[str(ids[1])])

    posts = fake.api_requests("GET", "/v3/job_posts")
    assert [r.url.params["job_ids"] for r in posts] == [str(ids[1])]


async def test_jobs_by_id_come_whatever_their_status_but_never_templates() -> None:
    fake = new_fake()
    _seed(fake)
    closed = next(r for r in fake.tables["jobs"] if r["name"] == "Closed")["id"]
    template = next(r for r in fake.tables["jobs"] if r["name"] == "Template")["id"]

    jobs = await make_client(fake).list_jobs(context(), job_ids=[str(closed), str(template)])

    assert [(j.title, j.status) for j in jobs] == [("Closed", JobStatus.CLOSED)]


async def test_no_jobs_means_no_further_requests() -> None:
    fake = new_fake()

    assert await make_client(fake).list_jobs(context()) == []
    assert len(fake.api_requests("GET")) == 1


async def test_jobs_changed_since_a_time_are_filtered_by_updated_at() -> None:
    fake = new_fake()
    _seed(fake)
    fake.add("jobs", name="Renamed", status="closed", updated_at="2026-11-23T10:00:00Z")

    jobs = await make_client(fake).list_jobs(
        context(), updated_since=datetime(2026, 11, 22, tzinfo=UTC)
    )

    assert [j.title for j in jobs] == ["Renamed"]
    assert "status" not in fake.api_requests("GET", "/v3/jobs")[0].url.params
