"""The export journal encoding: attempts with their times and confirmed ids survive as plain strings."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from intrro_gateway.domain.introduction import ExportJournal
from intrro_gateway.services.handlers._journal import CANDIDATE, ExportProgress, app_key

ids = st.text(alphabet="0123456789abcdef-", min_size=1, max_size=12)
times = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)


@given(job_ids=st.lists(ids, min_size=1, max_size=5, unique=True), first=times, second=times)
def test_the_last_attempt_time_and_the_confirmed_id_are_read_back(
    job_ids: list[str], first: datetime, second: datetime
) -> None:
    journal = ExportJournal()
    progress = ExportProgress(journal)
    for job_id in job_ids:
        progress.attempt(app_key(job_id), first)
        progress.attempt(app_key(job_id), second)
    stored = ExportProgress(ExportJournal(attempted=set(journal.attempted), done=set(journal.done)))

    for job_id in job_ids:
        assert stored.attempted_at(app_key(job_id)) == second
        assert stored.unconfirmed(app_key(job_id))
    progress.confirm(app_key(job_ids[0]), f"app-{job_ids[0]}")
    assert not progress.unconfirmed(app_key(job_ids[0]))
    assert progress.value(app_key(job_ids[0])) == f"app-{job_ids[0]}"
    assert all(progress.value(app_key(j)) is None for j in job_ids[1:])


@given(candidate_ids=st.lists(ids, min_size=1, max_size=3))
def test_a_confirmation_keeps_only_the_latest_id(candidate_ids: list[str]) -> None:
    progress = ExportProgress(ExportJournal())
    for candidate_id in candidate_ids:
        progress.confirm(CANDIDATE, candidate_id)

    assert progress.value(CANDIDATE) == candidate_ids[-1]
    assert progress.is_done(CANDIDATE)


def test_a_key_never_sent_has_no_attempt_time() -> None:
    progress = ExportProgress(ExportJournal())

    assert progress.attempted_at(CANDIDATE) is None
    assert not progress.unconfirmed(CANDIDATE)


def test_found_records_are_not_writes_and_failures_are_counted_through_storage() -> None:
    journal = ExportJournal()
    progress = ExportProgress(journal)
    progress.confirm(CANDIDATE, "c-1")  # found by e-mail: nothing was written
    assert not progress.wrote()
    progress.attempt(app_key("j-1"), datetime(2026, 1, 1, tzinfo=UTC))
    assert not progress.wrote()  # sent, outcome unknown
    progress.confirm(app_key("j-1"), "a-1")
    assert progress.wrote()
    assert [progress.count_failure() for _ in range(3)] == [1, 2, 3]
    stored = ExportProgress(ExportJournal(attempted=set(journal.attempted), done=set(journal.done)))
    assert stored.failures() == 3
    assert stored.value(app_key("j-1")) == "a-1"
