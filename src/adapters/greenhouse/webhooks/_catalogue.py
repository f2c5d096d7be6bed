"""The Greenhouse web hook actions the gateway subscribes to, with the labels Greenhouse's UI shows."""

from __future__ import annotations

from typing import Final

# Labels quoted from public Greenhouse material where known (greenhouse.md Part 2 §6.1); the others
# (unreject, unhire, prospect, anonymize, job posts) follow the headings of the web hook documentation.
SUBSCRIPTIONS: Final[tuple[tuple[str, str], ...]] = (
    ("candidate_stage_change", "Candidate has changed stage"),
    ("reject_candidate", "Candidate or prospect rejected"),
    ("unreject_candidate", "Candidate or prospect unrejected"),
    ("hire_candidate", "Candidate has been hired"),
    ("unhire_candidate", "Candidate has been unhired"),
    ("new_candidate_application", "Candidate has submitted application"),
    ("new_prospect_application", "Prospect created"),
    ("application_updated", "Application updated"),
    ("update_candidate", "Candidate or prospect updated"),
    ("delete_application", "Delete application"),
    ("delete_candidate", "Delete candidate"),
    ("merge_candidate", "Merged candidate"),
    ("candidate_anonymized", "Candidate anonymized"),
    ("job_created", "Job created"),
    ("job_updated", "Job updated"),
    ("job_deleted", "Job deleted"),
    ("job_post_created", "Job post created"),
    ("job_post_updated", "Job post updated"),
    ("job_post_deleted", "Job post deleted"),
    ("job_interview_stage_deleted", "Job interview stage deleted"),
    ("department_deleted", "Department deleted"),
    ("office_deleted", "Office deleted"),
)

PING: Final = "ping"

# Every action the gateway acts on: the subscriptions, and the ping Greenhouse sends on saving one.
USED_ACTIONS: Final[frozenset[str]] = frozenset({action for action, _ in SUBSCRIPTIONS} | {PING})
