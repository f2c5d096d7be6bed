"""The shared allowance's rules, case by case (the simulation in test_shared_allowance.py runs them
against the Greenhouse sandbox's windows)."""

from __future__ import annotations

from datetime import timedelta

from intrro_gateway.adapters.ats_allowance import CLOSING, LEARN, Allowance, block, take
from intrro_gateway.ports.ats_budget import Observation
from tests.fakes.clock import START

RESET = START + timedelta(seconds=10)


def fresh(remaining: int = 10, limit: int = 10) -> Allowance:
    allowance = Allowance()
    seen = Observation(limit=limit, remaining=remaining, reset_at=RESET)
    take(allowance, want=0, priority=True, reserve=0.0, now=START, observed=seen)
    return allowance


def test_before_anything_is_known_one_call_at_a_time_goes_out_to_learn() -> None:
    allowance = Allowance()
    first = take(allowance, want=4, priority=True, reserve=0.1, now=START)
    second = take(allowance, want=4, priority=True, reserve=0.1, now=START)

    assert first == (1, START + LEARN, 0.0)
    assert second[0] == 0 and second[2] > 0


def test_calls_let_go_before_the_closing_stretch_lapse_when_it_begins() -> None:
    allowance = fresh()

    assert take(allowance, want=4, priority=True, reserve=0.0, now=START) == (
        4,
        RESET - CLOSING,
        0.0,
    )


def test_calls_let_go_in_the_closing_stretch_count_against_the_next_window_too() -> None:
    allowance = fresh(remaining=6)
    closing = RESET - CLOSING / 2
    granted, lapse, _ = take(allowance, want=4, priority=True, reserve=0.0, now=closing)
    take(allowance, want=0, priority=True, reserve=0.0, now=RESET)

    assert (granted, lapse) == (4, RESET)
    assert allowance.remaining == 10 - 4  # the new window starts with those calls spent
    assert allowance.reset_at is None  # its end is not known until an answer names it


def test_the_next_window_must_have_room_for_calls_in_the_closing_stretch() -> None:
    allowance = fresh(remaining=8)
    allowance.carried = 9
    granted, _, _ = take(allowance, want=4, priority=True, reserve=0.0, now=RESET - CLOSING / 2)

    assert granted == 1


def test_an_answer_about_a_window_already_over_is_ignored() -> None:
    allowance = fresh(remaining=2)
    later = RESET + timedelta(seconds=1)
    stale = Observation(limit=10, remaining=0, reset_at=RESET)
    granted, lapse, _ = take(
        allowance, want=4, priority=True, reserve=0.0, now=later, observed=stale
    )

    assert (granted, lapse) == (4, later + LEARN)  # the new window's end is not known yet


def test_an_answer_from_the_new_window_never_raises_what_is_left_of_it() -> None:
    allowance = fresh(remaining=0)
    later = RESET + timedelta(seconds=1)
    take(allowance, want=7, priority=True, reserve=0.0, now=later)
    early = Observation(limit=10, remaining=9, reset_at=RESET + timedelta(seconds=10))
    take(allowance, want=0, priority=True, reserve=0.0, now=later, observed=early)

    assert allowance.remaining == 3
    assert allowance.reset_at == RESET + timedelta(seconds=10)


def test_an_answer_from_the_next_window_says_how_much_of_it_is_spent() -> None:
    allowance = fresh(remaining=5)
    ahead = Observation(limit=10, remaining=7, reset_at=RESET + timedelta(seconds=10))
    take(allowance, want=0, priority=True, reserve=0.0, now=RESET - CLOSING / 2, observed=ahead)
    take(allowance, want=0, priority=True, reserve=0.0, now=RESET)

    assert allowance.remaining == 7


def test_a_429_holds_every_call_until_the_named_time_then_a_window_begins() -> None:
    allowance = fresh(remaining=5)
    block(allowance, until=START + timedelta(seconds=3))
    held = take(allowance, want=1, priority=True, reserve=0.0, now=START)
    after = take(allowance, want=1, priority=True, reserve=0.0, now=START + timedelta(seconds=3))

    assert held == (0, None, 3.0)
    assert after[0] == 1
