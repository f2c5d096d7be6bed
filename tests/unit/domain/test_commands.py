"""Commands: frozen, keyword-only values naming their tenant."""

from __future__ import annotations

import dataclasses

import pytest

from intrro_gateway.domain.candidates import CandidateChanges, CandidateProfile, Referrer
from intrro_gateway.domain.commands import (
    AcceptIntroduction,
    ApplyAtsSignal,
    Command,
    ExportIntroduction,
    ImportJobs,
    Reconcile,
    UpdateCandidate,
    WithdrawIntroduction,
)
from intrro_gateway.domain.signals import Hired
from tests.unit.domain.builders import T0

EVERY_COMMAND = [
    AcceptIntroduction(
        tenant_id="acme",
        introduction_id="i1",
        candidate=CandidateProfile(first_name="A", last_name="B", emails=("a@b.example",)),
        referrer=Referrer(name="R", email="r@acme.example"),
        job_ids=("j1",),
        message=None,
        accepted_at=T0,
    ),
    ExportIntroduction(tenant_id="acme", introduction_id="i1"),
    UpdateCandidate(
        tenant_id="acme",
        introduction_id="i1",
        changes=CandidateChanges(first_name="C"),
        updated_at=T0,
    ),
    WithdrawIntroduction(tenant_id="acme", introduction_id="i1", reason=None, withdrawn_at=T0),
    ApplyAtsSignal(tenant_id="acme", signal=Hired(application_id="a1", occurred_at=T0)),
    ImportJobs(tenant_id="acme"),
    Reconcile(tenant_id="acme"),
]


@pytest.mark.parametrize("command", EVERY_COMMAND, ids=lambda c: type(c).__name__)
def test_a_command_is_a_frozen_value_of_its_tenant(command: Command) -> None:
    assert isinstance(command, Command)
    assert command.tenant_id == "acme"
    with pytest.raises(dataclasses.FrozenInstanceError):
        command.tenant_id = "other"  # type: ignore[misc]
    assert command == dataclasses.replace(command)
    assert hash(command) == hash(dataclasses.replace(command))


def test_commands_take_keywords_only() -> None:
    with pytest.raises(TypeError):
        ExportIntroduction("acme", "i1")  # type: ignore[misc]


def test_a_job_import_is_incremental_over_every_job_unless_told_otherwise() -> None:
    command = ImportJobs(tenant_id="acme")
    assert (command.full, command.job_ids, command.deleted_job_ids) == (False, (), ())


def test_two_commands_for_different_tenants_differ() -> None:
    assert Reconcile(tenant_id="acme") != Reconcile(tenant_id="globex")
