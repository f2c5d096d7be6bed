"""Properties of the worker over random failure patterns: order per key, every item settled."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intrro_gateway.domain.commands import ApplyAtsSignal, Command
from intrro_gateway.ports.ats import AtsUnavailableError
from intrro_gateway.ports.referral_platform import OutboundMessage, PushFailedError, PushTarget
from intrro_gateway.ports.unit_of_work import InboxState, OutboxState
from intrro_gateway.services.settings import ServiceSettings
from intrro_gateway.services.tenants import TenantInput, validate
from intrro_gateway.services.worker import Worker
from tests.fakes.referral_platform import FakeReferralPlatform
from tests.fakes.webhooks import FakeTranslator
from tests.unit.services.runtime_harness import RecordingBus, make_runtime

SETTINGS = ServiceSettings(
    max_attempts=3,
    backoff_base=timedelta(seconds=1),
    backoff_cap=timedelta(seconds=4),
    batch_size=4,
)


class ScriptedPlatform(FakeReferralPlatform):
    """Fails the pushes the script says (by attempt number), accepts the rest."""

    def __init__(self, failures: list[bool]) -> None:
        super().__init__()
        self.failures = failures

    async def push(self, target: PushTarget, message: OutboundMessage) -> None:
        n = len(self.attempts)
        self.attempts.append((target, message))
        if n < len(self.failures) and self.failures[n]:
            raise PushFailedError("flaky", status=503)
        self.pushes.append((target, message))


events = st.lists(st.sampled_from(["intro-a", "intro-b", "intro-c"]), min_size=1, max_size=12)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(keys=events, failures=st.lists(st.booleans(), max_size=40), seed=st.integers(0, 1000))
async def test_pushes_of_one_key_go_out_in_sequence_and_every_event_settles(
    keys: list[str], failures: list[bool], seed: int
) -> None:
    rt = make_runtime(SETTINGS, seed=seed)
    rt.add_tenant()
    platform = ScriptedPlatform(failures)
    deps = replace(rt.deps, platform=platform)
    sequences: dict[str, int] = {}
    for key in keys:
        sequences[key] = sequences.get(key, 0) + 1
        rt.queue_event(
            key=key, sequence=sequences[key], payload={"key": key, "seq": sequences[key]}
        )
    worker = Worker(deps, RecordingBus(), "w1")

    for _ in range(200):
        await worker.run_once()
        pending = [o for o in rt.store.outbox.values() if o.state is OutboxState.PENDING]
        if not pending:
            break
        later = [o.not_before for o in pending if o.not_before and o.not_before > rt.clock.now()]
        if later:
            rt.clock.set(min(later))

    items = list(rt.store.outbox.values())
    assert all(o.state in (OutboxState.DONE, OutboxState.DEAD) for o in items)
    assert all(o.attempts == SETTINGS.max_attempts for o in items if o.state is OutboxState.DEAD)
    assert all(o.attempts <= SETTINGS.max_attempts for o in items)
    delivered = [m.data for m in platform.messages]
    for key in set(keys):
        seqs = [d["seq"] for d in delivered if d["key"] == key]
        assert seqs == sorted(seqs)
        done = sorted(
            o.sequence for o in items if o.ordering_key == key and o.state is OutboxState.DONE
        )
        assert seqs == done  # delivered exactly once each, dead ones never


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(outcomes=st.lists(st.sampled_from(["ok", "fail", "bad"]), min_size=1, max_size=10))
async def test_every_delivery_ends_processed_or_dead_and_good_ones_never_die(
    outcomes: list[str],
) -> None:
    rt = make_runtime(SETTINGS)
    rt.add_tenant()
    items = {}
    for n, outcome in enumerate(outcomes):
        if outcome == "bad":
            body = b'{"action": "application_updated", "signals": [{"type": "?"}]}'
        else:
            signal = {"type": "hired", "application_id": f"{outcome}-{n}"}
            body = FakeTranslator.body("application_updated", [signal])
        items[rt.receive(body).id] = outcome

    async def behaviour(command: Command) -> object:
        assert isinstance(command, ApplyAtsSignal)
        if command.signal.application_id.startswith("fail"):
            raise AtsUnavailableError("down", status=503)
        return None

    worker = Worker(rt.deps, RecordingBus(behaviour=behaviour), "w1")
    for _ in range(100):
        await worker.run_once()
        waiting = [d for d in rt.store.inbox.values() if d.state is InboxState.RECEIVED]
        if not waiting:
            break
        later = [d.not_before for d in waiting if d.not_before and d.not_before > rt.clock.now()]
        if later:
            rt.clock.set(min(later))

    for item_id, outcome in items.items():
        stored = rt.store.inbox[item_id]
        expected = InboxState.PROCESSED if outcome == "ok" else InboxState.DEAD
        assert stored.state is expected
        if outcome == "bad":
            assert stored.attempts == 1
        if outcome == "fail":
            assert stored.attempts == SETTINGS.max_attempts


@given(url=st.text(max_size=60))
def test_callback_url_validation_never_raises_and_accepts_only_http_urls(url: str) -> None:
    problems = validate("acme", TenantInput(intrro_callback_url=url))
    if not problems:
        assert url.startswith(("http://", "https://"))
