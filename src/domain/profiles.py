"""A candidate's contract fields as the ATS holds them, and how two such profiles compare.

Used both ways: the export merges into an existing candidate only what the ATS lacks, and an edit
made in the ATS is told apart from the gateway's own writes by comparing what the ATS holds now with
what the gateway last wrote or announced (`Introduction.ats_profile`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, fields, replace

from intrro_gateway.domain.candidates import CandidateChanges, CandidateProfile

LIST_FIELDS = ("emails", "phones", "social_profiles", "websites")
SCALAR_FIELDS = (
    "first_name",
    "last_name",
    "linkedin_url",
    "current_company",
    "current_title",
    "location",
)
_NOT_DIGITS = re.compile(r"[^0-9+]")


@dataclass(frozen=True, slots=True)
class HeldProfile:
    """The contract's candidate fields as the ATS holds them: nothing is required."""

    first_name: str = ""
    last_name: str = ""
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    linkedin_url: str | None = None
    social_profiles: tuple[str, ...] = ()
    websites: tuple[str, ...] = ()
    current_company: str | None = None
    current_title: str | None = None
    location: str | None = None

    @classmethod
    def of(cls, profile: CandidateProfile) -> HeldProfile:
        """What the ATS holds after the gateway created the candidate from this profile."""
        return cls(**{f.name: getattr(profile, f.name) for f in fields(cls)})

    def changed_fields(self, before: HeldProfile) -> tuple[str, ...]:
        """The names of the fields whose value differs from `before` (lists compared as sets)."""
        changed = []
        for f in fields(self):
            now, then = getattr(self, f.name), getattr(before, f.name)
            if f.name in LIST_FIELDS:
                if _keys(f.name, now) != _keys(f.name, then):
                    changed.append(f.name)
            elif _scalar_key(f.name, now) != _scalar_key(f.name, then):
                changed.append(f.name)
        return tuple(changed)

    def lacks(self, profile: CandidateProfile) -> CandidateChanges:
        """What the introduction's profile brings and this one lacks; nothing held is replaced.

        List entries missing here are added; LinkedIn, company, title and location only where this
        profile has none (names are never touched: the ATS's person is already named).
        """
        lists: dict[str, tuple[str, ...] | None] = {}
        for name in LIST_FIELDS:
            held = _keys(name, getattr(self, name))
            if name == "social_profiles" and self.linkedin_url:
                held |= _keys(name, (self.linkedin_url,))
            missing = tuple(v for v in getattr(profile, name) if _key(name, v) not in held)
            lists[name] = tuple(dict.fromkeys(missing)) or None
        linkedin = profile.linkedin_url
        if linkedin and (
            self.linkedin_url
            or _key("social_profiles", linkedin) in _keys("social_profiles", self.social_profiles)
        ):
            linkedin = None
        return CandidateChanges(
            emails=lists["emails"],
            phones=lists["phones"],
            social_profiles=lists["social_profiles"],
            websites=lists["websites"],
            linkedin_url=linkedin,
            current_company=None if self.current_company else profile.current_company,
            current_title=None if self.current_title else profile.current_title,
            location=None if self.location else profile.location,
        )

    def expecting(self, changes: CandidateChanges) -> HeldProfile:
        """What the ATS holds once the gateway merged `changes` in: scalars set, lists extended."""
        updates: dict[str, object] = {}
        for f in fields(changes):
            value = getattr(changes, f.name)
            if value is None:
                continue
            if f.name in LIST_FIELDS:
                current: tuple[str, ...] = getattr(self, f.name)
                held = _keys(f.name, current)
                updates[f.name] = current + tuple(v for v in value if _key(f.name, v) not in held)
            else:
                updates[f.name] = value
        return replace(self, **updates)  # type: ignore[arg-type]


def split_social(urls: Iterable[str]) -> tuple[str | None, tuple[str, ...]]:
    """Social URLs split into the first LinkedIn one (`linkedin_url`) and the others."""
    linkedin: str | None = None
    others: list[str] = []
    for url in urls:
        if linkedin is None and is_linkedin(url):
            linkedin = url
        else:
            others.append(url)
    return linkedin, tuple(others)


def is_linkedin(url: str) -> bool:
    """Whether a URL is a LinkedIn profile (any scheme, with or without `www.`)."""
    host = _url_key(url).split("/", 1)[0]
    return host == "linkedin.com" or host.endswith(".linkedin.com")


def _keys(name: str, values: Iterable[str]) -> frozenset[str]:
    return frozenset(k for k in (_key(name, v) for v in values) if k)


def _key(name: str, value: str) -> str:
    """The form two values of a field are compared in."""
    if name == "phones":
        return _NOT_DIGITS.sub("", value) or value.strip().casefold()
    if name in ("social_profiles", "websites", "linkedin_url"):
        return _url_key(value)
    if name == "emails":
        return value.strip().casefold()
    return value.strip()


def _scalar_key(name: str, value: str | None) -> str:
    return _key(name, value) if value else ""


def _url_key(value: str) -> str:
    folded = value.strip().casefold().rstrip("/")
    for prefix in ("https://", "http://"):
        folded = folded.removeprefix(prefix)
    return folded.removeprefix("www.")
