"""The pure core's speed and memory: signals applied per second, the stage mapping, 10,000 introductions.

No I/O. `Introduction.apply_signal` is timed on exported introductions (one linked application each, a
job of six stages): every signal is newer than the last, so each is applied and records an event; stale
signals (older than what was applied) are timed apart, as they change nothing. `StageMapping.status_for`
is timed with the default rule (the job's stages given) and with name overrides. Peak memory is traced
(tracemalloc) while building and holding `--intros` introductions, each with two links, a status history
and a candidate profile.

    .venv/bin/python bench/domain.py [--n 200000] [--intros 10000]
"""

from __future__ import annotations

import argparse
import gc
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from _common import machine_line, table

from intrro_gateway.domain.candidates import CandidateProfile, Referrer
from intrro_gateway.domain.introduction import (
    ApplicationLink,
    ExportState,
    Introduction,
    StatusChange,
)
from intrro_gateway.domain.signals import (
    Hired,
    Rejected,
    RejectionKind,
    RejectionReason,
    StageChanged,
)
from intrro_gateway.domain.status import ReferralStatus, StageMapping, StageRef

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
STAGES = tuple(
    StageRef(str(800 + i), name, i)
    for i, name in enumerate(
        (
            "Application Review",
            "Phone Screen",
            "Technical Interview",
            "Onsite",
            "Reference",
            "Offer",
        )
    )
)
DEFAULT = StageMapping()
OVERRIDES = StageMapping.from_plain(
    by_stage_name={"Phone Screen": "applied", "Reference": "offer", "Onsite": "interviewing"}
)
REASON = RejectionReason("r-1", "Lacking skills", RejectionKind.COMPANY)
TIME_BUDGET_S = 30.0  # each measurement stops early when it runs longer than this


def introduction(i: int, *, jobs: int = 1) -> Introduction:
    """An exported introduction whose applications are `app-<i>-<j>`, in the first stage."""
    job_ids = [f"job-{j}" for j in range(jobs)]
    stage = STAGES[0]
    return Introduction(
        tenant_id="bench",
        introduction_id=f"intro-{i}",
        candidate=CandidateProfile(
            first_name="Ada",
            last_name=f"Lovelace {i}",
            emails=(f"ada.{i}@example.com",),
            phones=("+44 20 7946 0000",),
            linkedin_url=f"https://linkedin.example/in/ada-{i}",
            current_company="Analytical Engines",
            current_title="Engineer",
            location="London",
        ),
        referrer=Referrer("Grace Hopper", "grace@example.com", "E-17"),
        job_ids=job_ids,
        message="Ada would be great on your team.",
        accepted_at=T0,
        links=[
            ApplicationLink(
                job_id=job_id,
                application_id=f"app-{i}-{j}",
                status=ReferralStatus.APPLIED,
                stage=stage,
                last_change_at=T0,
                history=[
                    StatusChange(ReferralStatus.INTRODUCED, ReferralStatus.APPLIED, 1, T0, stage)
                ],
            )
            for j, job_id in enumerate(job_ids)
        ],
        ats_candidate_id=str(i),
        export_state=ExportState.EXPORTED,
        referral_credit="referrer",
        sequence=1,
    )


def signals_per_second(n: int) -> list[list[object]]:
    """Apply n newer signals (stage moves, ending in a rejection or a hire), then n stale ones."""
    intros = [introduction(i) for i in range(max(1, n // 8))]
    rows: list[list[object]] = []
    applied = 0
    started = time.perf_counter()
    for round_ in range(8):
        at = T0 + timedelta(hours=round_ + 1)
        for i, intro in enumerate(intros):
            application = f"app-{i}-0"
            if round_ < 6:
                signal: StageChanged | Rejected | Hired = StageChanged(
                    application_id=application, occurred_at=at, stage=STAGES[round_ % 6]
                )
            elif i % 2:
                signal = Rejected(application_id=application, occurred_at=at, reason=REASON)
            else:
                signal = Hired(application_id=application, occurred_at=at)
            intro.apply_signal(signal, mapping=DEFAULT, job_stages=STAGES, at=at)
            intro.events.clear()
            applied += 1
        if time.perf_counter() - started > TIME_BUDGET_S:
            break
    seconds = time.perf_counter() - started
    rows.append(["apply_signal, newer (applied)", applied, seconds, applied / seconds])

    stale_at = T0 + timedelta(minutes=30)
    stale = 0
    started = time.perf_counter()
    for round_ in range(8):
        for i, intro in enumerate(intros):
            signal = StageChanged(
                application_id=f"app-{i}-0", occurred_at=stale_at, stage=STAGES[round_ % 6]
            )
            intro.apply_signal(signal, mapping=DEFAULT, job_stages=STAGES, at=stale_at)
            stale += 1
        if time.perf_counter() - started > TIME_BUDGET_S:
            break
    seconds = time.perf_counter() - started
    rows.append(["apply_signal, older (stale)", stale, seconds, stale / seconds])
    return rows


def mapping_per_second(n: int) -> list[list[object]]:
    """`StageMapping.status_for` over the job's stages, by the default rule and with overrides."""
    rows: list[list[object]] = []
    cases: list[tuple[str, Callable[[StageRef], ReferralStatus]]] = [
        ("status_for, default rule", lambda s: DEFAULT.status_for(s, STAGES)),
        ("status_for, name overrides", lambda s: OVERRIDES.status_for(s, STAGES)),
        ("status_for, no job stages", lambda s: DEFAULT.status_for(s)),
    ]
    for label, call in cases:
        done = 0
        started = time.perf_counter()
        while done < n and time.perf_counter() - started < TIME_BUDGET_S:
            for stage in STAGES:
                call(stage)
            done += len(STAGES)
        seconds = time.perf_counter() - started
        rows.append([label, done, seconds, done / seconds])
    return rows


def memory(count: int) -> tuple[float, float, float]:
    """(peak MiB, MiB still held, seconds) of building and holding `count` introductions."""
    gc.collect()
    tracemalloc.start()
    started = time.perf_counter()
    held = [introduction(i, jobs=2) for i in range(count)]
    seconds = time.perf_counter() - started
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    if len(held) != count:
        raise AssertionError("the introductions were not all built")
    return peak / 2**20, current / 2**20, seconds


def main() -> None:
    """Parse the arguments, run, print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200_000, help="signals and mappings (200000)")
    parser.add_argument("--intros", type=int, default=10_000, help="introductions held (10000)")
    args = parser.parse_args()
    print(machine_line())
    rows = signals_per_second(args.n) + mapping_per_second(args.n)
    print(table(["operation", "calls", "seconds", "calls/s"], rows))
    peak, current, seconds = memory(args.intros)
    print()
    print(
        table(
            ["introductions held (2 links each)", "peak MiB", "held MiB", "KiB each", "build s"],
            [[args.intros, peak, current, 1024 * current / args.intros, seconds]],
        )
    )


if __name__ == "__main__":
    main()
