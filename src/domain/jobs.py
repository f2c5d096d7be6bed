"""Jobs as the ATS publishes them, mirrored for Intrro."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from intrro_gateway.domain.status import StageRef


class JobStatus(enum.StrEnum):
    """A job's state in the ATS."""

    OPEN = "open"
    CLOSED = "closed"
    DRAFT = "draft"


@dataclass(frozen=True, slots=True)
class Department:
    """A department a job belongs to."""

    id: str
    name: str


@dataclass(frozen=True, slots=True)
class Office:
    """An office a job is based in."""

    id: str
    name: str


@dataclass(frozen=True, slots=True)
class JobPost:
    """A public post of a job, with its public URL when the job board has one."""

    id: str
    title: str
    url: str | None


@dataclass(frozen=True, slots=True)
class JobStage:
    """One interview stage of a job, at its position in the interview plan (0 first)."""

    id: str
    name: str
    order: int

    def as_ref(self) -> StageRef:
        """This stage as a reference for the stage mapping."""
        return StageRef(id=self.id, name=self.name, order=self.order)


@dataclass(frozen=True, slots=True)
class Job:
    """A job of a tenant's ATS, with what Intrro lists under a candidate."""

    ats_id: str
    title: str
    status: JobStatus
    is_template: bool = False
    departments: tuple[Department, ...] = ()
    offices: tuple[Office, ...] = ()
    posts: tuple[JobPost, ...] = ()
    stages: tuple[JobStage, ...] = ()
    updated_at: datetime | None = None
    deleted: bool = False

    @property
    def is_open(self) -> bool:
        """Whether candidates can apply to this job now."""
        return self.status is JobStatus.OPEN and not self.deleted and not self.is_template

    @property
    def ordered_stages(self) -> tuple[JobStage, ...]:
        """The stages by their position in the interview plan."""
        return tuple(sorted(self.stages, key=lambda s: (s.order, s.id)))

    def stage_refs(self) -> tuple[StageRef, ...]:
        """The stages as references, for the stage mapping."""
        return tuple(s.as_ref() for s in self.ordered_stages)

    def stage(self, stage_id: str) -> JobStage | None:
        """The stage with this id, if the job has it."""
        return next((s for s in self.stages if s.id == stage_id), None)


@dataclass(frozen=True, slots=True)
class JobImport:
    """The outcome of one job import: what changed in the mirror."""

    changed: tuple[Job, ...] = field(default_factory=tuple)
    unchanged: int = 0
