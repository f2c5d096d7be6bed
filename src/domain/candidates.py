"""Candidates and referrers as Intrro describes them."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace


@dataclass(frozen=True, slots=True)
class CandidateProfile:
    """The person Intrro introduces."""

    first_name: str
    last_name: str
    emails: tuple[str, ...]
    phones: tuple[str, ...] = ()
    linkedin_url: str | None = None
    social_profiles: tuple[str, ...] = ()
    websites: tuple[str, ...] = ()
    current_company: str | None = None
    current_title: str | None = None
    location: str | None = None

    def __post_init__(self) -> None:
        if not self.emails:
            raise ValueError("a candidate needs at least one e-mail address")

    def with_changes(self, changes: CandidateChanges) -> CandidateProfile:
        """This profile with the fields the changes name replaced."""
        updates = {f.name: getattr(changes, f.name) for f in fields(changes)}
        return replace(self, **{k: v for k, v in updates.items() if v is not None})

    def anonymized(self) -> CandidateProfile:
        """The profile with every piece of personal data erased."""
        return CandidateProfile(first_name="", last_name="", emails=("erased@invalid",))


@dataclass(frozen=True, slots=True)
class CandidateChanges:
    """Changes to a candidate; a field left `None` is left alone."""

    first_name: str | None = None
    last_name: str | None = None
    emails: tuple[str, ...] | None = None
    phones: tuple[str, ...] | None = None
    linkedin_url: str | None = None
    social_profiles: tuple[str, ...] | None = None
    websites: tuple[str, ...] | None = None
    current_company: str | None = None
    current_title: str | None = None
    location: str | None = None

    def is_empty(self) -> bool:
        """Whether nothing would change."""
        return all(getattr(self, f.name) is None for f in fields(self))


@dataclass(frozen=True, slots=True)
class Referrer:
    """The employee who made the introduction."""

    name: str
    email: str
    employee_id: str | None = None
