"""Running the demo: start the stack, play the story, print the timeline and the summary."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.table import Table

from intrro_gateway.adapters.intrro.receiver import ReceivedEvent
from intrro_gateway.entrypoints.demo import _timeline
from intrro_gateway.entrypoints.demo._ats import DEMO_ATS, DemoAts
from intrro_gateway.entrypoints.demo._options import DemoFailedError, DemoOptions
from intrro_gateway.entrypoints.demo._script import TENANT, Script, Story
from intrro_gateway.entrypoints.demo._stack import running
from intrro_gateway.entrypoints.demo._tap import Recorder


@dataclass(frozen=True, slots=True)
class DemoResult:
    """What the receiver got, and the timeline printed from it."""

    received: list[ReceivedEvent]
    timeline: list[_timeline.Entry]
    story: Story


async def run_demo(options: DemoOptions, out: Console) -> DemoResult:
    """Run the demo end to end; raises DemoFailedError (after printing the timeline so far)."""
    recorder = Recorder()
    ats = DEMO_ATS.get(options.ats)
    if ats is None:
        raise DemoFailedError(f"no demo for the ATS {options.ats!r}: {', '.join(DEMO_ATS)}")
    if not options.quiet:
        out.print(f"Starting the gateway, the {ats.name} sandbox and an Intrro receiver…")
    async with running(recorder, ats, receiver_fail_next=options.receiver_fail_next) as stack:
        if not options.quiet:
            out.print(
                f"gateway {stack.gateway_url} · sandbox {stack.sandbox_url} · "
                f"Intrro receiver {stack.receiver_url}",
                markup=False,
            )
        script = Script(stack, recorder, options, out)
        failure: DemoFailedError | None = None
        try:
            story = await script.play()
        except DemoFailedError as exc:
            failure = exc
            story = script.story
        received = list(stack.received)
        if options.console is not None and failure is None:
            result = _report(out, recorder, story, received, failure, ats)
            url = f"{stack.gateway_url}/console/sign-in?next=/console/tenants/{TENANT}/pipeline"
            await options.console(url, stack.api_token)
            return result
    return _report(out, recorder, story, received, failure, ats)


def _report(
    out: Console,
    recorder: Recorder,
    story: Story,
    received: list[ReceivedEvent],
    failure: DemoFailedError | None,
    ats: DemoAts,
) -> DemoResult:
    """Print the timeline (and raise the failure, if any), check the order, print the summary."""
    lines = _timeline.entries(recorder.hits, story.notes, _timeline.Flows.of(ats.name))
    out.print(_timeline.table(lines))
    if failure is not None:
        raise failure
    _check_order(received, story)
    out.print(summary(story, received, recorder, ats))
    return DemoResult(received=received, timeline=lines, story=story)


def summary(story: Story, received: list[ReceivedEvent], recorder: Recorder, ats: DemoAts) -> Table:
    """Per application: its job, its final status and the statuses it went through."""
    table = Table(title=f"Summary: introduction {story.introduction_id}", title_justify="left")
    for column in ("Job", "Application", "Status", "History (sequence: status)"):
        table.add_column(column, overflow="fold")
    for app in story.introduction.get("applications", []):
        history = " → ".join(f"{h['sequence']}: {h['status']}" for h in app.get("history") or [])
        title = story.jobs.get(str(app["job_id"]), "")
        table.add_row(
            f"{app['job_id']} {title}", str(app["application_id"]), app["status"], history
        )
    hooks = sum(1 for h in recorder.hits if h.path.startswith(f"/webhooks/{ats.key}/"))
    calls = sum(
        1 for h in recorder.hits if h.server == "sandbox" and not h.path.startswith("/_sandbox")
    )
    table.caption = (
        f"{len(received)} events pushed to Intrro, {hooks} {ats.name} web hooks received, "
        f"{calls} {ats.api_calls}, in {recorder.elapsed():.1f} s"
    )
    return table


def _check_order(received: list[ReceivedEvent], story: Story) -> None:
    """The introduction's events reached Intrro with rising sequences, as the contract promises."""
    sequences: list[Any] = [
        e.data.get("sequence")
        for e in received
        if isinstance(e.data, dict) and e.data.get("introduction_id") == story.introduction_id
    ]
    if sequences != sorted(sequences) or len(set(sequences)) != len(sequences):
        raise DemoFailedError(
            f"the introduction's events arrived out of order: sequences {sequences}"
        )
