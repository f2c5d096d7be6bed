"""A state machine over the sandbox's pipeline (stage, archive, unarchive, hire, tags, API-style writes
that repeat): the web hooks fired always replay to the state the opportunities are in."""

from __future__ import annotations

from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from intrro_gateway.sandboxes.lever import InvalidStateError, SandboxControl, seeded_state
from intrro_gateway.sandboxes.lever import _opportunities as ops

HOOK_URL = "http://receiver.test/hooks/lever"


class Pipeline(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.state = seeded_state()
        self.control = SandboxControl(self.state)
        self.control.register_webhooks(HOOK_URL)
        self.ids = list(self.state.seed.opportunity_ids)
        self.start = {
            i: (o["stage"], o["archived"]) for i, o in self.state.tables["opportunities"].items()
        }
        self.known = {e for c in self.state.tables["contacts"].values() for e in c["emails"]}
        self.reasons = [
            r["id"]
            for r in self.state.tables["archive_reasons"].values()
            if r["status"] == "active"
        ]

    @rule(which=st.integers(0, 3), stage=st.integers(0, 8))
    def put_stage(self, which: int, stage: int) -> None:
        user = self.state.seed.admin_user_id
        ops.change_stage(self.state, self.ids[which], self.state.seed.stage_ids[stage], user)

    @rule(which=st.integers(0, 3), reason=st.integers(0, 7))
    def put_archived(self, which: int, reason: int) -> None:
        user = self.state.seed.admin_user_id
        ops.set_archived(self.state, self.ids[which], self.reasons[reason], user)

    @rule(which=st.integers(0, 3))
    def put_unarchived(self, which: int) -> None:
        ops.set_archived(self.state, self.ids[which], None, self.state.seed.admin_user_id)

    @rule(which=st.integers(0, 3))
    def hire(self, which: int) -> None:
        try:
            self.control.hire(self.ids[which])
        except InvalidStateError:
            archived = self.state.tables["opportunities"][self.ids[which]]["archived"]
            assert archived is not None and archived["reason"] == self.state.seed.hired_reason_id

    @rule(which=st.integers(0, 3), tags=st.lists(st.sampled_from(["a", "b", "Intrro"]), max_size=3))
    def add_tags(self, which: int, tags: list[str]) -> None:
        ops.change_values(self.state, self.ids[which], "tags", tags, add=True)
        assert set(tags) <= set(self.state.tables["opportunities"][self.ids[which]]["tags"])

    @precondition(lambda self: len(self.ids) < 6)
    @rule(email=st.sampled_from(["ada.lovelace@example.com", "new@example.com"]))
    def create(self, email: str) -> None:
        request = ops.CreateRequest(
            self.state.seed.admin_user_id,
            {
                "name": "Someone",
                "emails": [email],
                "postings": [self.state.seed.published_posting_ids[0]],
            },
        )
        opportunity, deduped, _ = ops.create_opportunity(self.state, request)
        self.ids.append(opportunity["id"])
        self.start[opportunity["id"]] = (opportunity["stage"], opportunity["archived"])
        assert deduped is (email in self.known)
        self.known.add(email)

    @invariant()
    def events_replay_to_the_state(self) -> None:
        replayed: dict[str, list[Any]] = {i: list(self.start[i]) for i in self.ids}
        last_stamp = 0
        previous: str | None = None
        for fired in self.control.fired:
            body = fired.json()
            assert body["triggeredAt"] >= last_stamp
            last_stamp = body["triggeredAt"]
            data = body["data"]
            current = replayed[data["opportunityId"]]
            if body["event"] == "candidateStageChange":
                assert data["fromStageId"] == current[0] != data["toStageId"]
                current[0] = data["toStageId"]
            elif body["event"] == "candidateArchiveChange":
                assert data["fromArchived"] == current[1] != data["toArchived"]
                current[1] = data["toArchived"]
            elif body["event"] == "candidateHired":
                assert previous == "candidateArchiveChange"
                assert current[1]["reason"] == self.state.seed.hired_reason_id
            previous = body["event"]
        for opportunity_id in self.ids:
            record = self.state.tables["opportunities"][opportunity_id]
            assert replayed[opportunity_id] == [record["stage"], record["archived"]]

    @invariant()
    def applications_mirror_and_history_ends_on_the_stage(self) -> None:
        for opportunity_id in self.ids:
            record = self.state.tables["opportunities"][opportunity_id]
            assert record["stageChanges"][-1]["toStageId"] == record["stage"]
            for application_id in record["applications"]:
                assert (
                    self.state.tables["applications"][application_id]["archived"]
                    == record["archived"]
                )


Pipeline.TestCase.settings = settings(max_examples=40, stateful_step_count=25, deadline=None)
test_the_pipeline = Pipeline.TestCase
