"""The Greenhouse sandbox in its own process for `bench/job_import.py`, with exactly N open jobs.

    python bench/_gh_sandbox.py <port> <open jobs> <credentials.json>

The seeded sandbox, with open jobs added (or closed) until exactly N are open, each with five or six
interview stages and one or two posts, served on loopback with Greenhouse's allowance as the sandbox
keeps it. Once listening it writes its default credential to the JSON file.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import _common  # noqa: F401 - first: takes `bench/` (and its domain.py) off the import path
import uvicorn

from intrro_gateway.sandboxes.greenhouse import SandboxState, create_sandbox_app, seeded_state

STAGES = ("Application Review", "Phone Screen", "Technical Interview", "Onsite", "Offer")


def sandbox_with_open_jobs(count: int) -> SandboxState:
    """The seeded sandbox with exactly `count` open jobs."""
    state = seeded_state()
    open_jobs = [
        job
        for job in state.tables["jobs"].values()
        if job["status"] == "open" and not job.get("is_template")
    ]
    for job in open_jobs[count:]:
        job["status"] = "closed"
    for index in range(len(open_jobs), count):
        add_open_job(state, index)
    return state


def add_open_job(state: SandboxState, index: int) -> None:
    """An open job with its stages and posts, shaped like the seeded ones."""
    seed = state.seed
    job = state.insert(
        "jobs",
        {
            "name": f"Engineer {index}",
            "requisition_id": f"REQ-{1000 + index}",
            "notes": None,
            "confidential": False,
            "status": "open",
            "opened_at": state.clock.stamp(),
            "closed_at": None,
            "is_template": False,
            "copied_from_id": None,
            "department_id": seed.department_ids[index % len(seed.department_ids)],
            "office_ids": [seed.office_ids[index % len(seed.office_ids)]],
            "custom_fields": {},
        },
    )
    stages = (*STAGES[:4], "Reference Check", STAGES[4]) if index % 2 else STAGES
    for order, name in enumerate(stages):
        state.insert(
            "job_interview_stages",
            {"job_id": job["id"], "name": name, "sort_order": order, "active": True},
        )
    for post in range(1 + index % 2):
        post_id = state.new_id()
        state.insert(
            "job_posts",
            {
                "id": post_id,
                "title": f"Engineer {index}" + (" (Remote)" if post else ""),
                "job_id": job["id"],
                "job_board_id": 4_000_000_010,
                "internal": False,
                "internal_content": None,
                "content": "<p>Join us.</p>",
                "active": True,
                "live": True,
                "featured": False,
                "first_published_at": state.clock.stamp(),
                "language": "en",
                "demographic_question_set_id": None,
                "questions": [],
                "public_url": f"{state.BOARD_URL}/jobs/{post_id}?gh_jid={post_id}",
                "_location": "Remote",
            },
        )


if __name__ == "__main__":
    port, count, out = int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
    state = sandbox_with_open_jobs(count)
    config = uvicorn.Config(
        create_sandbox_app(state), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)

    async def main() -> None:
        """Serve; write the credential once listening."""
        import asyncio

        task = asyncio.create_task(server.serve())
        while not server.started:
            await asyncio.sleep(0.05)
        out.write_text(
            json.dumps(
                {
                    "client_id": SandboxState.DEFAULT_CLIENT_ID,
                    "client_secret": SandboxState.DEFAULT_CLIENT_SECRET,
                    "user_id": str(SandboxState.DEFAULT_USER_ID),
                }
            )
        )
        await task

    import asyncio

    asyncio.run(main())
