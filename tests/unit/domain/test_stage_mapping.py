"""The stage mapping: the default rule, overrides, and the plain (configuration) form."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intrro_gateway.domain.status import (
    InvalidStageMappingError,
    ReferralStatus,
    StageMapping,
    StageRef,
)
from tests.unit.domain.builders import OFFER, ONSITE, PHONE, REVIEW, STAGES

DEFAULT = StageMapping()


def test_the_first_stage_by_order_means_applied() -> None:
    assert DEFAULT.status_for(REVIEW, STAGES) is ReferralStatus.APPLIED


@pytest.mark.parametrize("stage", [PHONE, ONSITE])
def test_a_stage_between_the_first_and_the_offer_means_interviewing(stage: StageRef) -> None:
    assert DEFAULT.status_for(stage, STAGES) is ReferralStatus.INTERVIEWING


@pytest.mark.parametrize("name", ["Offer", "offer", "OFFER", " Offer "])
def test_a_stage_named_offer_in_any_case_means_offer(name: str) -> None:
    stage = StageRef(id="x", name=name, order=1)
    stages = (REVIEW, stage, ONSITE)
    assert DEFAULT.status_for(stage, stages) is ReferralStatus.OFFER


def test_with_an_offer_stage_the_last_stage_means_interviewing() -> None:
    stages = (REVIEW, OFFER, StageRef(id="s-ref", name="Reference Check", order=9))
    assert DEFAULT.status_for(stages[-1], stages) is ReferralStatus.INTERVIEWING


def test_without_an_offer_stage_the_last_stage_means_offer() -> None:
    stages = (REVIEW, PHONE, ONSITE)
    assert DEFAULT.status_for(ONSITE, stages) is ReferralStatus.OFFER


def test_the_job_stages_are_ordered_by_their_order_not_by_their_position() -> None:
    stages = (ONSITE, REVIEW, PHONE)
    assert DEFAULT.status_for(REVIEW, stages) is ReferralStatus.APPLIED
    assert DEFAULT.status_for(ONSITE, stages) is ReferralStatus.OFFER
    assert DEFAULT.status_for(PHONE, stages) is ReferralStatus.INTERVIEWING


def test_a_job_with_one_stage_maps_it_to_applied() -> None:
    assert DEFAULT.status_for(REVIEW, (REVIEW,)) is ReferralStatus.APPLIED


def test_a_stage_unknown_to_the_job_at_the_lowest_order_means_applied() -> None:
    stranger = StageRef(id="s-new", name="New Review", order=0)
    assert DEFAULT.status_for(stranger, STAGES) is ReferralStatus.APPLIED


def test_a_stage_unknown_to_the_job_past_the_first_means_interviewing() -> None:
    stranger = StageRef(id="s-new", name="Take-home", order=5)
    assert DEFAULT.status_for(stranger, STAGES) is ReferralStatus.INTERVIEWING


def test_without_the_job_stages_only_order_zero_means_applied() -> None:
    assert DEFAULT.status_for(REVIEW) is ReferralStatus.APPLIED
    assert DEFAULT.status_for(PHONE) is ReferralStatus.INTERVIEWING
    assert DEFAULT.status_for(StageRef(id="s", name="Review")) is ReferralStatus.INTERVIEWING
    assert DEFAULT.status_for(OFFER) is ReferralStatus.OFFER


def test_an_override_by_stage_id_wins_over_the_default() -> None:
    mapping = StageMapping(by_stage_id={ONSITE.id: ReferralStatus.OFFER})
    assert mapping.status_for(ONSITE, STAGES) is ReferralStatus.OFFER


def test_an_override_by_stage_name_wins_over_the_default_in_any_case() -> None:
    mapping = StageMapping.from_plain(by_stage_name={"PHONE SCREEN": "applied"})
    assert mapping.status_for(PHONE, STAGES) is ReferralStatus.APPLIED


def test_an_override_by_stage_id_wins_over_one_by_name() -> None:
    mapping = StageMapping(
        by_stage_id={PHONE.id: ReferralStatus.OFFER},
        by_stage_name={"phone screen": ReferralStatus.APPLIED},
    )
    assert mapping.status_for(PHONE, STAGES) is ReferralStatus.OFFER


def test_an_override_can_take_away_the_offer_meaning_of_a_stage_named_offer() -> None:
    mapping = StageMapping.from_plain(by_stage_id={OFFER.id: "interviewing"})
    assert mapping.status_for(OFFER, STAGES) is ReferralStatus.INTERVIEWING


@pytest.mark.parametrize(
    "status",
    [
        ReferralStatus.INTRODUCED,
        ReferralStatus.HIRED,
        ReferralStatus.REJECTED,
        ReferralStatus.WITHDRAWN,
    ],
)
def test_a_stage_cannot_mean_a_status_other_than_applied_interviewing_or_offer(
    status: ReferralStatus,
) -> None:
    with pytest.raises(InvalidStageMappingError):
        StageMapping(by_stage_id={"s": status})
    with pytest.raises(InvalidStageMappingError):
        StageMapping.from_plain(by_stage_name={"Hired": str(status)})


def test_an_unknown_status_in_plain_form_is_refused() -> None:
    with pytest.raises(InvalidStageMappingError, match="interviewed"):
        StageMapping.from_plain(by_stage_id={"1": "interviewed"})


def test_the_plain_form_folds_names_and_round_trips() -> None:
    mapping = StageMapping.from_plain({"7": "offer"}, {"Phone Screen": "applied"})
    assert mapping.to_plain() == {
        "by_stage_id": {"7": "offer"},
        "by_stage_name": {"phone screen": "applied"},
    }
    assert StageMapping.from_plain(**mapping.to_plain()) == mapping


# -- property tests: the plain form is outside input (tenant configuration, JSON) ---------------

targets = st.sampled_from(["applied", "interviewing", "offer"])
keys = st.text(min_size=1, max_size=20)


@given(
    by_id=st.dictionaries(keys, targets, max_size=5),
    by_name=st.dictionaries(keys, targets, max_size=5),
)
def test_any_plain_mapping_to_valid_targets_parses_and_round_trips(
    by_id: dict[str, str], by_name: dict[str, str]
) -> None:
    mapping = StageMapping.from_plain(by_id, by_name)
    assert mapping.to_plain()["by_stage_id"] == by_id
    assert StageMapping.from_plain(**mapping.to_plain()) == mapping


@given(
    by_id=st.dictionaries(keys, st.text(max_size=15), max_size=5),
    by_name=st.dictionaries(keys, st.text(max_size=15), max_size=5),
)
def test_a_plain_mapping_either_parses_to_stage_targets_or_is_refused(
    by_id: dict[str, str], by_name: dict[str, str]
) -> None:
    valid = {"applied", "interviewing", "offer"}
    try:
        mapping = StageMapping.from_plain(by_id, by_name)
    except InvalidStageMappingError:
        assert not set(by_id.values()) | set(by_name.values()) <= valid
    else:
        assert set(by_id.values()) | set(by_name.values()) <= valid
        assert set(mapping.by_stage_id.values()) | set(mapping.by_stage_name.values()) <= valid


stage_lists = st.lists(
    st.builds(
        StageRef,
        id=st.uuids().map(str),
        name=st.sampled_from(["Application Review", "Phone", "Onsite", "Offer", "Ref check"]),
        order=st.integers(min_value=0, max_value=20),
    ),
    min_size=1,
    max_size=8,
    # Greenhouse gives each stage of a job its own position (`priority`).
    unique_by=(lambda s: s.id, lambda s: s.order),
)


@given(stages=stage_lists)
def test_the_default_rule_maps_every_stage_of_a_job_to_a_stage_target(
    stages: list[StageRef],
) -> None:
    statuses = [DEFAULT.status_for(s, stages) for s in stages]
    assert set(statuses) <= {
        ReferralStatus.APPLIED,
        ReferralStatus.INTERVIEWING,
        ReferralStatus.OFFER,
    }


@given(stages=stage_lists, data=st.data())
def test_the_default_rule_does_not_depend_on_the_order_the_job_lists_its_stages(
    stages: list[StageRef], data: st.DataObject
) -> None:
    shuffled = data.draw(st.permutations(stages))
    assert [DEFAULT.status_for(s, stages) for s in stages] == [
        DEFAULT.status_for(s, shuffled) for s in stages
    ]


def plain_default(stage: StageRef, stages: list[StageRef]) -> ReferralStatus:
    """The default rule, stated plainly: offer by name, else first applied, else last offer."""
    by_order = sorted(stages, key=lambda s: s.order or 0)
    if stage.name.strip().casefold() == "offer":
        return ReferralStatus.OFFER
    if stage == by_order[0]:
        return ReferralStatus.APPLIED
    named_offer = any(s.name.strip().casefold() == "offer" for s in stages)
    if stage == by_order[-1] and not named_offer:
        return ReferralStatus.OFFER
    return ReferralStatus.INTERVIEWING


@given(stages=stage_lists, data=st.data())
def test_the_default_rule_agrees_with_its_plain_statement(
    stages: list[StageRef], data: st.DataObject
) -> None:
    stage = data.draw(st.sampled_from(stages))
    assert DEFAULT.status_for(stage, stages) is plain_default(stage, stages)


@given(stages=stage_lists, data=st.data())
def test_overrides_win_by_id_then_by_name_then_the_default_applies(
    stages: list[StageRef], data: st.DataObject
) -> None:
    stage = data.draw(st.sampled_from(stages))
    by_id = data.draw(st.dictionaries(st.sampled_from([s.id for s in stages]), targets, max_size=3))
    by_name = data.draw(st.dictionaries(st.sampled_from([s.name.upper() for s in stages]), targets))
    mapping = StageMapping.from_plain(by_id, by_name)
    if stage.id in by_id:
        expected = ReferralStatus(by_id[stage.id])
    elif stage.name.upper() in by_name:
        expected = ReferralStatus(by_name[stage.name.upper()])
    else:
        expected = plain_default(stage, stages)
    assert mapping.status_for(stage, stages) is expected


def test_every_stage_sharing_the_first_order_means_applied() -> None:
    entry = [StageRef(id=f"entry-{i}", name=f"Entry {i}", order=0) for i in range(3)]
    screen = StageRef(id="screen", name="Recruiter screen", order=1)
    stages = (*entry, screen, StageRef(id="offer", name="Offer", order=2))
    assert [DEFAULT.status_for(s, stages) for s in entry] == [ReferralStatus.APPLIED] * 3
    assert DEFAULT.status_for(screen, stages) is ReferralStatus.INTERVIEWING
