"""What a reconciliation pass costs: Harvest requests per pass over 100 linked introductions, with 0,
1 and 10 repairs of each kind a lost web hook leaves (a stage change, a deleted application, a deleted
candidate).

The gateway's real container on a throw-away SQLite database with the real Harvest v3 client, routed
in-process to the bundled Greenhouse sandbox (its request allowance raised: 100 exports exceed it). 100
introductions of 100 people are exported to one open job, then web hooks are dropped while a recruiter
changes things, and `Reconcile` runs through the message bus. Requests are counted by the sandbox's
request log (a token request included when one was due). Prints figures only; nothing is asserted.

    .venv/bin/python bench/reconcile.py [--introductions 100]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import _common  # noqa: F401 - first: takes `bench/` off the import path, puts the root on it
from tests.e2e.test_ops_reconcile import ID, connected, free_job, introduce, reconcile_pass
from tests.e2e.test_ops_support import OpsGateway, ops_gateway

from intrro_gateway.sandboxes.greenhouse import DeliveryOptions, RateLimit, seeded_state

DROP = DeliveryOptions(drop=True)


async def measure(folder: Path, count: int) -> list[tuple[str, int, int, Counter[str]]]:
    sandbox = seeded_state()
    sandbox.harvest_rate_limit = RateLimit(limit=1_000_000, window_s=30.0)
    rows: list[tuple[str, int, int, Counter[str]]] = []
    async with ops_gateway(folder, f"sqlite+aiosqlite:///{folder}/bench.db", {ID: sandbox}) as gw:
        await connected(gw, webhooks=True)
        job = free_job(gw.sandbox)
        apps = [await introduce(gw, f"intro-{n}", job) for n in range(count)]
        gw.control.set_delivery_options(DROP)  # from now on every web hook is lost
        await reconcile_pass(gw)  # settles the baseline after the exports

        async def row(what: str, change: Callable[[OpsGateway], None]) -> None:
            change(gw)
            result, made = await reconcile_pass(gw)
            rows.append(
                (what, result.repairs, len(made), Counter(f"{r.method} {r.path}" for r in made))
            )

        def candidate_of(app: int) -> int:
            return int(gw.sandbox.tables["applications"][app]["candidate_id"])

        await row("no change", lambda g: None)
        await row("1 stage change", lambda g: g.control.move(apps[0]))
        await row("10 stage changes", lambda g: [g.control.move(a) for a in apps[1:11]])
        await row("1 application deleted", lambda g: g.control.delete_application(apps[11]))
        await row(
            "10 applications deleted",
            lambda g: [g.control.delete_application(a) for a in apps[12:22]],
        )
        await row(
            "1 candidate deleted", lambda g: g.control.delete_candidate(candidate_of(apps[22]))
        )
        await row(
            "10 candidates deleted",
            lambda g: [g.control.delete_candidate(candidate_of(a)) for a in apps[23:33]],
        )
        await row("no change again", lambda g: None)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--introductions", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        rows = asyncio.run(measure(Path(folder), args.introductions))
    print(f"Reconciliation over {args.introductions} linked introductions (one application each)")
    print(f"{'pass after':<26}{'repairs':>8}{'requests':>10}  requests by route")
    for what, repairs, requests, routes in rows:
        detail = ", ".join(f"{k} x{v}" for k, v in sorted(routes.items()))
        print(f"{what:<26}{repairs:>8}{requests:>10}  {detail}")


if __name__ == "__main__":
    main()
