"""The export's progress, kept in the introduction's `ExportJournal` as plain strings.

Keys: `candidate`, `app:<job>`, `referrer`, `note`, `tag`. Besides the bare key, an attempt also
records `<key>@<ISO time>` (when it was last sent) and a confirmed write `<key>=<ATS id>` when the
write produced an id, so the journal survives storage as a set of strings. `failures#<n>` counts the runs
that failed after a write was applied (see `export.py`).
"""

from __future__ import annotations

from datetime import datetime

from intrro_gateway.domain.introduction import ExportJournal

CANDIDATE = "candidate"
REFERRER = "referrer"
NOTE = "note"
TAG = "tag"
_FAILURES = "failures#"


def app_key(job_id: str) -> str:
    """The journal key of the application for one job."""
    return f"app:{job_id}"


class ExportProgress:
    """Reads and writes the export journal."""

    def __init__(self, journal: ExportJournal) -> None:
        self.journal = journal

    def attempt(self, key: str, at: datetime) -> None:
        """Record that a write is about to be sent."""
        stamp = f"{key}@"
        self.journal.attempted -= {k for k in self.journal.attempted if k.startswith(stamp)}
        self.journal.attempted |= {key, f"{stamp}{at.isoformat()}"}

    def attempted_at(self, key: str) -> datetime | None:
        """When the write was last sent, if it was."""
        stamp = f"{key}@"
        for entry in self.journal.attempted:
            if entry.startswith(stamp):
                return datetime.fromisoformat(entry[len(stamp) :])
        return None

    def unconfirmed(self, key: str) -> bool:
        """Whether the write was sent and its outcome is not known."""
        return self.journal.was_attempted(key)

    def confirm(self, key: str, value: str | None = None) -> None:
        """Record that the write is known done (with the id it produced)."""
        prefix = f"{key}="
        self.journal.done -= {k for k in self.journal.done if k.startswith(prefix)}
        self.journal.done.add(key)
        if value is not None:
            self.journal.done.add(f"{prefix}{value}")

    def is_done(self, key: str) -> bool:
        """Whether the write is known done."""
        return key in self.journal.done

    def value(self, key: str) -> str | None:
        """The id a confirmed write produced."""
        prefix = f"{key}="
        return next((k[len(prefix) :] for k in self.journal.done if k.startswith(prefix)), None)

    def wrote(self) -> bool:
        """Whether a write this export sent is known applied (found records do not count)."""
        return any(key in self.journal.attempted for key in self.journal.done)

    def failures(self) -> int:
        """How many runs failed after a write was applied."""
        counts = [
            int(k[len(_FAILURES) :]) for k in self.journal.attempted if k.startswith(_FAILURES)
        ]
        return max(counts, default=0)

    def count_failure(self) -> int:
        """Count one more failed run; returns the new count."""
        count = self.failures() + 1
        self.journal.attempted -= {k for k in self.journal.attempted if k.startswith(_FAILURES)}
        self.journal.attempted.add(f"{_FAILURES}{count}")
        return count
