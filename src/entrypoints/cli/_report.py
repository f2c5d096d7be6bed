"""The connection report as a table: one line per check, each marked ✓, ✗ or ?."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.table import Table

GRANTED = "✓"
MISSING = "✗"
UNVERIFIED = "?"

_MARKS = {"granted": GRANTED, "missing": MISSING, "unverified": UNVERIFIED}


def report_table(
    report: Mapping[str, Any], *, webhook_seen: bool = False, ats_name: str = "Greenhouse"
) -> Table:
    """The report (the contract's JSON shape) as a table; web hook lines are `?` until a ping came,
    or ✓ where the gateway made the web hooks itself."""
    table = Table(title=f"{ats_name} connection", title_justify="left")
    table.add_column("", width=1)
    table.add_column("Check", style="bold")
    table.add_column("Detail", overflow="fold")

    user = report.get("user")
    if user is None:
        table.add_row(MISSING, "User", "not resolved")
    else:
        admin = bool(user.get("site_admin"))
        role = "Site Admin" if admin else "not a Site Admin"
        table.add_row(
            GRANTED if admin else MISSING,
            "User",
            f"{user.get('name')} <{user.get('email')}> (id {user.get('id')}, {role})",
        )

    for check in report.get("permissions", []):
        status = str(check.get("status"))
        need = "required" if check.get("required") else "optional"
        covers = ", ".join(check.get("covers") or [])
        detail = f"{status}, {need}" + (f": {covers}" if covers else "")
        steps = [f"{n}. {step}" for n, step in enumerate(check.get("steps") or [], start=1)]
        if steps:
            detail = "\n".join([detail + "; grant it:", *steps])
        scope = str(check.get("scope"))
        kind = "Endpoint" if " /" in scope else "Scope"  # Lever's keys carry endpoint permissions
        table.add_row(_MARKS.get(status, UNVERIFIED), f"{kind} {scope}", detail)

    source = report.get("source") or {}
    if source.get("found"):
        table.add_row(GRANTED, "Intrro source", f"found (id {source.get('id')})")
    else:
        steps = [f"{n}. {step}" for n, step in enumerate(source.get("steps") or [], start=1)]
        table.add_row(MISSING, "Intrro source", "\n".join(["missing; add it:", *steps]))

    webhook = report.get("webhook") or {}
    mark = GRANTED if webhook_seen or webhook.get("created") else UNVERIFIED
    if webhook.get("steps") and not webhook.get("created"):
        mark = MISSING
    table.add_row(mark, "Web hook URL", str(webhook.get("url", "")))
    if "secret" in webhook and not webhook.get("created"):  # made by the gateway: their own tokens
        table.add_row(mark, "Web hook secret key", str(webhook["secret"]))
    for event in webhook.get("events") or []:
        table.add_row(mark, "Web hook event", f"{event.get('label')} ({event.get('action')})")
    return table


def report_lines(report: Mapping[str, Any], *, ats_name: str = "Greenhouse") -> list[str]:
    """What follows the table: the verdict, each problem, and what to do about the web hooks."""
    lines = []
    if report.get("ok"):
        lines.append(f"{GRANTED} Connected: everything required is in place.")
    else:
        lines.append(f"{MISSING} Not ready: something required is missing.")
    lines += [f"  - {problem}" for problem in report.get("problems") or []]
    webhook = report.get("webhook") or {}
    if webhook.get("created") and webhook.get("steps"):
        lines.append(f"{GRANTED} The gateway made the web hooks in {ats_name}. One thing to check:")
        lines += [f"  {n}. {step}" for n, step in enumerate(webhook["steps"], start=1)]
    elif webhook.get("created"):
        lines.append(f"{GRANTED} The gateway made the web hooks in {ats_name}: nothing to do.")
    elif webhook.get("steps"):
        lines.append(f"{MISSING} Web hooks: the gateway could not make them. To fix:")
        lines += [f"  {n}. {step}" for n, step in enumerate(webhook["steps"], start=1)]
    elif webhook.get("events"):
        lines.append(
            f"{UNVERIFIED} In Greenhouse (Configure > Dev Center > Web Hooks), create one web hook per "
            "event above with that URL and secret key; the gateway marks them seen once a ping arrives."
        )
    return lines
