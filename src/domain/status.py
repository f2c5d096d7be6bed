"""Referral statuses and the per-tenant mapping from ATS stages to them."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


class ReferralStatus(enum.StrEnum):
    """Where an introduced candidate stands, as Intrro sees it."""

    INTRODUCED = "introduced"
    APPLIED = "applied"
    INTERVIEWING = "interviewing"
    OFFER = "offer"
    HIRED = "hired"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


STAGE_TARGETS = frozenset(
    {ReferralStatus.APPLIED, ReferralStatus.INTERVIEWING, ReferralStatus.OFFER}
)


REJECTION_TARGETS = frozenset({ReferralStatus.REJECTED, ReferralStatus.WITHDRAWN})


class InvalidStageMappingError(ValueError):
    """Raised when a stage mapping names a status that a stage cannot mean."""


class InvalidRejectionMappingError(ValueError):
    """Raised when a rejection mapping names a status other than rejected or withdrawn."""


@dataclass(frozen=True, slots=True)
class StageRef:
    """An ATS interview stage as a signal or a read names it; `order` when the ATS gives it."""

    id: str
    name: str
    order: int | None = None


@dataclass(frozen=True, slots=True)
class StageMapping:
    """Which ATS stage means which status, for one tenant.

    Overrides by stage id win over overrides by name (case-insensitive); otherwise the default rule:
    the first stage by order (every stage sharing the first order, for an ATS whose pipeline has several
    entry stages, such as separate lead and applicant stages) means `applied`; a stage named "Offer", or
    else the last stage, `offer`;
    any other stage `interviewing`.
    """

    by_stage_id: Mapping[str, ReferralStatus] = field(default_factory=dict)
    by_stage_name: Mapping[str, ReferralStatus] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for key, status in [*self.by_stage_id.items(), *self.by_stage_name.items()]:
            if status not in STAGE_TARGETS:
                raise InvalidStageMappingError(
                    f"stage {key!r} maps to {status!s}; a stage can only mean "
                    "applied, interviewing or offer"
                )

    @classmethod
    def from_plain(
        cls,
        by_stage_id: Mapping[str, str] | None = None,
        by_stage_name: Mapping[str, str] | None = None,
    ) -> StageMapping:
        """Build a mapping from plain strings (configuration, JSON); raises on unknown statuses."""
        try:
            ids = {str(k): ReferralStatus(v) for k, v in (by_stage_id or {}).items()}
            names = {str(k).casefold(): ReferralStatus(v) for k, v in (by_stage_name or {}).items()}
        except ValueError as exc:
            raise InvalidStageMappingError(str(exc)) from exc
        return cls(by_stage_id=ids, by_stage_name=names)

    def to_plain(self) -> dict[str, dict[str, str]]:
        """The mapping as plain strings, for storage and answers."""
        return {
            "by_stage_id": {k: str(v) for k, v in self.by_stage_id.items()},
            "by_stage_name": {k: str(v) for k, v in self.by_stage_name.items()},
        }

    def status_for(self, stage: StageRef, job_stages: Sequence[StageRef] = ()) -> ReferralStatus:
        """The status that being in `stage` means, given the job's stages (any order)."""
        if stage.id in self.by_stage_id:
            return self.by_stage_id[stage.id]
        folded = stage.name.casefold()
        for name, status in self.by_stage_name.items():
            if name.casefold() == folded:
                return status
        return _default_status(stage, job_stages)


@dataclass(frozen=True, slots=True)
class RejectionMapping:
    """Which ATS rejection (archive) reason means `rejected` and which `withdrawn`, for one tenant.

    An override by reason id wins; otherwise the default rule, seeded from the reason's name by the
    ATS adapter (the reason's kind): the candidate said no means `withdrawn`, anything else `rejected`.
    """

    by_reason_id: Mapping[str, ReferralStatus] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for key, status in self.by_reason_id.items():
            if status not in REJECTION_TARGETS:
                raise InvalidRejectionMappingError(
                    f"reason {key!r} maps to {status!s}; a rejection reason can only mean "
                    "rejected or withdrawn"
                )

    @classmethod
    def from_plain(cls, by_reason_id: Mapping[str, str] | None = None) -> RejectionMapping:
        """Build a mapping from plain strings (configuration, JSON); raises on unknown statuses."""
        try:
            ids = {str(k): ReferralStatus(v) for k, v in (by_reason_id or {}).items()}
        except ValueError as exc:
            raise InvalidRejectionMappingError(str(exc)) from exc
        return cls(by_reason_id=ids)

    def to_plain(self) -> dict[str, dict[str, str]]:
        """The mapping as plain strings, for storage and answers."""
        return {"by_reason_id": {k: str(v) for k, v in self.by_reason_id.items()}}

    def status_for(self, reason_id: str | None, candidate_said_no: bool) -> ReferralStatus:
        """The status a rejection for this reason means; `candidate_said_no` is the seeded rule."""
        if reason_id is not None and reason_id in self.by_reason_id:
            return self.by_reason_id[reason_id]
        return ReferralStatus.WITHDRAWN if candidate_said_no else ReferralStatus.REJECTED


def _default_status(stage: StageRef, job_stages: Sequence[StageRef]) -> ReferralStatus:
    ordered = _ordered(job_stages)
    if stage.name.strip().casefold() == "offer":
        return ReferralStatus.OFFER
    if not ordered:
        # Without the job's stages only an explicit first position tells `applied`.
        return ReferralStatus.APPLIED if stage.order == 0 else ReferralStatus.INTERVIEWING
    ids = [s.id for s in ordered]
    position = ids.index(stage.id) if stage.id in ids else _position_by_order(stage, ordered)
    if position == 0 or (stage.order is not None and stage.order == ordered[0].order):
        return ReferralStatus.APPLIED
    has_offer_stage = any(s.name.strip().casefold() == "offer" for s in ordered)
    if not has_offer_stage and position == len(ordered) - 1 and len(ordered) > 1:
        return ReferralStatus.OFFER
    return ReferralStatus.INTERVIEWING


def _ordered(stages: Sequence[StageRef]) -> list[StageRef]:
    indexed = list(enumerate(stages))
    indexed.sort(
        key=lambda pair: (pair[1].order if pair[1].order is not None else pair[0], pair[0])
    )
    return [stage for _, stage in indexed]


def _position_by_order(stage: StageRef, ordered: list[StageRef]) -> int:
    """The position of a stage the job's list does not name, judged by its order alone."""
    orders = [s.order for s in ordered if s.order is not None]
    if stage.order is not None and orders and stage.order <= min(orders):
        return 0
    return -1
