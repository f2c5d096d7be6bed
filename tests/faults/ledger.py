"""The ledger oracle every fault scenario ends with.

Three records are compared: the sender's ledger (each introduction it sent and whether the gateway
acknowledged it), the sandbox's records of ATS writes (candidates, applications, notes), and the
receiver's record of pushes. At the end:

- `lost`: acknowledged introductions without their `introduction.exported` push, without their one
  candidate in the ATS, or without an application for every chosen job (or reported failed);
- `duplicated_pushes`: one event (an introduction's sequence number) pushed under two webhook ids, or an
  introduction exported twice; the same webhook id delivered again is at-least-once, not a duplicate
  (Intrro deduplicates by it), and is counted apart as `redelivered`;
- `duplicated_ats_writes`: a second candidate for one introduced person, a second application of one
  candidate to one job, a second note carrying one introduction's marker;
- `out_of_order`: introductions whose pushes arrived out of sequence order (first arrivals).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import httpx
import pytest

from tests.e2e.live_events import (
    ERIN,
    EXPORTED,
    FAILED,
    accepted_data,
    candidate,
    intro_of,
    intrro_envelope,
    intrro_signed,
)
from tests.faults.stack import TENANT, Stack


@dataclass(frozen=True, slots=True)
class Intro:
    """One introduction the sender sends."""

    introduction_id: str
    email: str
    jobs: tuple[str, ...]
    message_id: str


@dataclass
class Ledger:
    """What the sender sent, and what the gateway acknowledged (202)."""

    intros: dict[str, Intro] = field(default_factory=dict)
    acknowledged: set[str] = field(default_factory=set)
    answers: Counter[str] = field(default_factory=Counter)  # status (or error) of every attempt

    def plan(self, count: int, jobs: Sequence[str], rng: random.Random, prefix: str) -> list[Intro]:
        """`count` new introductions, one or two jobs each."""
        made = []
        for n in range(count):
            chosen = tuple(rng.sample(list(jobs), 2 if n % 4 == 0 else 1))
            intro = Intro(
                introduction_id=f"{prefix}-{n:04d}",
                email=f"person+{prefix}-{n:04d}@faults.example",
                jobs=chosen,
                message_id=f"msg_{prefix}_{n:04d}",
            )
            self.intros[intro.introduction_id] = intro
            made.append(intro)
        return made


async def send_stream(
    stack: Stack,
    ledger: Ledger,
    intros: Sequence[Intro],
    *,
    concurrency: int = 6,
    rng: random.Random | None = None,
    resend_elsewhere: float = 0.0,
    deadline_s: float = 300.0,
) -> None:
    """Send each introduction until the gateway acknowledges it, retrying what was not acknowledged.

    With several gateways each delivery goes to a random one; `resend_elsewhere` is the share sent
    once more to another gateway after its acknowledgement (the same webhook id).
    """
    rng = rng or random.Random(0)
    queue: asyncio.Queue[Intro] = asyncio.Queue()
    for intro in intros:
        queue.put_nowait(intro)
    deadline = time.monotonic() + deadline_s

    async def deliver(intro: Intro, url: str) -> bool:
        data = accepted_data(
            intro.introduction_id,
            list(intro.jobs),
            person=candidate("Fault", "Person", intro.email),
            referrer=ERIN,
        )
        body = intrro_envelope("introduction.accepted", data)
        headers = intrro_signed(body, stack.intrro_secret, intro.message_id)
        try:
            response = await stack.http.post(
                f"{url}/events/intrro/{TENANT}", content=body, headers=headers
            )
        except httpx.HTTPError as exc:
            ledger.answers[type(exc).__name__] += 1
            return False
        ledger.answers[str(response.status_code)] += 1
        return response.status_code in (200, 202)

    async def lane() -> None:
        while not queue.empty():
            intro = queue.get_nowait()
            while True:
                if time.monotonic() > deadline:
                    return
                url = rng.choice(stack.gateway_urls)
                if await deliver(intro, url):
                    ledger.acknowledged.add(intro.introduction_id)
                    break
                await asyncio.sleep(0.2 + rng.random() * 0.3)
            others = [u for u in stack.gateway_urls if u != url]
            if others and rng.random() < resend_elsewhere:
                await deliver(intro, rng.choice(others))

    await asyncio.gather(*(lane() for _ in range(concurrency)))


async def drain(stack: Stack, ledger: Ledger, timeout_s: float | None = None) -> None:
    """Wait until every acknowledged introduction is exported and the gateway has no work left.

    The bound (by default 3 minutes plus 4 s an introduction) is generous: the machine is shared, and
    a passing run never waits for it.
    """
    timeout_s = timeout_s if timeout_s is not None else 180.0 + 4.0 * len(ledger.intros)
    deadline = time.monotonic() + timeout_s
    while True:
        exported = {intro_of(e) for e in stack.receiver.received if e.type in (EXPORTED, FAILED)}
        missing = ledger.acknowledged - exported
        if not missing:
            try:
                if stack.open_work() == 0:
                    return
            except Exception:  # the database may be coming back
                pass
        if time.monotonic() > deadline:
            print(stack.logs())
            pytest.fail(
                f"not drained within {timeout_s:g} s: {len(missing)} introductions not exported "
                f"(e.g. {sorted(missing)[:5]}); dead items {stack.dead_items()[:5]}; "
                f"waiting {stack.waiting_items()}"
            )
        await asyncio.sleep(0.5)


@dataclass(frozen=True, slots=True)
class Verdict:
    """The oracle's counts."""

    acknowledged: int
    lost: int
    duplicated_pushes: int
    duplicated_ats_writes: int
    out_of_order: int
    redelivered: int

    def line(self) -> str:
        """The line every scenario prints."""
        return (
            f"oracle: acknowledged={self.acknowledged} lost={self.lost} "
            f"duplicated_pushes={self.duplicated_pushes} "
            f"duplicated_ats_writes={self.duplicated_ats_writes} out_of_order={self.out_of_order}"
        )


async def oracle(
    stack: Stack, ledger: Ledger, scenario: str, expected_pushes: Mapping[str, int] | None = None
) -> Verdict:
    """Compare the three records; print the oracle line (and what it found, when not clean).

    `expected_pushes` says how many distinct pushes an introduction must have got (else it is lost).
    """
    candidates = await stack.table("candidates")
    applications = await stack.table("applications")
    notes = await stack.table("notes")
    received = stack.receiver.received
    problems: list[str] = []

    people_by_email: dict[str, list[int]] = defaultdict(list)
    for person in candidates:
        for address in person.get("email_addresses") or []:
            people_by_email[str(address["value"]).casefold()].append(int(person["id"]))
    apps_by_candidate: dict[int, list[int]] = defaultdict(list)
    for app in applications:
        if app.get("candidate_id") is not None:
            apps_by_candidate[int(app["candidate_id"])].append(
                int(app["job_id"]) if app.get("job_id") is not None else -1
            )

    # Pushes: first arrival of each webhook id, per introduction.
    seen_ids: set[str] = set()
    redelivered = 0
    firsts: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for event in received:
        intro_id = intro_of(event)
        if event.webhook_id in seen_ids:
            redelivered += 1
            continue
        seen_ids.add(event.webhook_id)
        if intro_id is not None:
            firsts[str(intro_id)].append(
                (int(event.data["sequence"]), event.type, event.webhook_id)
            )

    lost = duplicated_pushes = duplicated_writes = out_of_order = 0
    for intro_id in sorted(ledger.intros):
        intro = ledger.intros[intro_id]
        pushes = firsts.get(intro_id, [])
        by_sequence = Counter(sequence for sequence, _, _ in pushes)
        dup = sum(n - 1 for n in by_sequence.values()) + max(
            0, sum(1 for _, kind, _ in pushes if kind == EXPORTED) - 1
        )
        if dup:
            duplicated_pushes += dup
            problems.append(f"{intro_id}: pushes {pushes}")
        sequences = [sequence for sequence, _, _ in pushes]
        if sequences != sorted(sequences):
            out_of_order += 1
            problems.append(f"{intro_id}: sequences in arrival order {sequences}")
        people = people_by_email.get(intro.email.casefold(), [])
        if len(people) > 1:
            duplicated_writes += len(people) - 1
            problems.append(f"{intro_id}: {len(people)} candidates")
        for person in people:
            per_job = Counter(apps_by_candidate.get(person, []))
            extra = sum(n - 1 for n in per_job.values() if n > 1)
            if extra:
                duplicated_writes += extra
                problems.append(f"{intro_id}: applications by job {dict(per_job)}")
        marker = f"[intrro:{intro_id}]"
        marked = sum(1 for note in notes if marker in str(note.get("body") or ""))
        if marked > 1:
            duplicated_writes += marked - 1
            problems.append(f"{intro_id}: {marked} notes")
        if intro_id not in ledger.acknowledged:
            continue
        kinds = {kind for _, kind, _ in pushes}
        jobs_held = {job for person in people for job in apps_by_candidate.get(person, [])}
        wanted = (expected_pushes or {}).get(intro_id, 1)
        if (
            EXPORTED not in kinds
            or len(pushes) < wanted
            or FAILED in kinds
            or not people
            or not {int(j) for j in intro.jobs} <= jobs_held
        ):
            lost += 1
            problems.append(f"{intro_id}: pushes {sorted(kinds)}, candidates {people}")

    verdict = Verdict(
        acknowledged=len(ledger.acknowledged),
        lost=lost,
        duplicated_pushes=duplicated_pushes,
        duplicated_ats_writes=duplicated_writes,
        out_of_order=out_of_order,
        redelivered=redelivered,
    )
    print(f"[{scenario}] {verdict.line()}")
    print(
        f"[{scenario}] also: sent={len(ledger.intros)} redelivered_same_id={redelivered} "
        f"sender_answers={dict(ledger.answers)}"
    )
    for problem in problems[:20]:
        print(f"[{scenario}] problem: {problem}")
    return verdict


def assert_clean(verdict: Verdict, ledger: Ledger) -> None:
    """Every introduction sent was acknowledged, and the oracle's counts are zero."""
    assert verdict.acknowledged == len(ledger.intros), "the sender could not deliver everything"
    assert (
        verdict.lost,
        verdict.duplicated_pushes,
        verdict.duplicated_ats_writes,
        verdict.out_of_order,
    ) == (0, 0, 0, 0), verdict.line()
