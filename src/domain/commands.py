"""Commands: what the gateway is asked to do, as frozen values handed to the message bus."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from intrro_gateway.domain.candidates import CandidateChanges, CandidateProfile, Referrer
from intrro_gateway.domain.signals import AtsSignal


@dataclass(frozen=True, slots=True, kw_only=True)
class Command:
    """A request to change the gateway's state, for one tenant."""

    tenant_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AcceptIntroduction(Command):
    """A candidate accepted an introduction: record it and export it to the ATS."""

    introduction_id: str
    candidate: CandidateProfile
    referrer: Referrer
    job_ids: tuple[str, ...]
    message: str | None
    accepted_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class ExportIntroduction(Command):
    """Create (or find) the candidate and the applications in the ATS."""

    introduction_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateCandidate(Command):
    """Intrro changed the candidate: merge the changes into the ATS candidate."""

    introduction_id: str
    changes: CandidateChanges
    updated_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class WithdrawIntroduction(Command):
    """The introduction was withdrawn on Intrro's side."""

    introduction_id: str
    reason: str | None
    withdrawn_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class ApplyAtsSignal(Command):
    """Apply one ATS signal (from a web hook or a reconciliation read)."""

    signal: AtsSignal


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportJobs(Command):
    """Import the tenant's jobs: all of them, or those changed since the last import, or some ids."""

    full: bool = False
    job_ids: tuple[str, ...] = ()
    deleted_job_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Reconcile(Command):
    """Repair what lost web hooks missed: re-read the linked applications that changed."""
