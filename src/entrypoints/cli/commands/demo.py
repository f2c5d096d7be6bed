"""`intrro-gateway demo`: the whole flow end to end on embedded defaults, printed as a timeline."""

from __future__ import annotations

import argparse
import asyncio

from intrro_gateway.entrypoints.cli._base import CliError, console, run
from intrro_gateway.entrypoints.logging import configure_logging


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the command."""
    parser = commands.add_parser(
        "demo",
        help="run the whole flow locally, printed as a timeline",
        description=(
            "Start the gateway on a temporary SQLite file with an ATS sandbox (Greenhouse's, or "
            "Lever's with --ats lever) and a local Intrro receiver, then: create a tenant, connect, "
            "import jobs, introduce a candidate to "
            "two jobs, move them through the pipeline, and print what flowed where. Needs no "
            "account and no configuration; exits 1 when a push did not arrive."
        ),
    )
    parser.add_argument(
        "--ats",
        choices=("greenhouse", "lever"),
        default="greenhouse",
        help="the ATS whose bundled sandbox the demo plays against (greenhouse)",
    )
    parser.add_argument("--quiet", action="store_true", help="print only the timeline and summary")
    parser.add_argument(
        "--wait",
        type=_seconds,
        default=30.0,
        metavar="SECONDS",
        help="longest wait for each push (30)",
    )
    parser.add_argument(
        "--receiver-fails",
        type=int,
        default=0,
        metavar="N",
        help="the Intrro receiver answers the first N pushes with 503, to show the retries",
    )
    parser.add_argument(
        "--console",
        action="store_true",
        help="after the story, keep the gateway running with its console on the demo's tenant "
        "and print the URL and a sign-in token (Ctrl-C stops it)",
    )
    parser.set_defaults(handler=demo)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of seconds")
    return value


def demo(args: argparse.Namespace) -> int:
    """Run the demo; 0 when every expected push reached the receiver."""
    from intrro_gateway.entrypoints.demo import DemoFailedError, DemoOptions, run_demo

    configure_logging("console", "ERROR", cache_loggers=False)
    out = console()

    async def hold(url: str, token: str) -> None:
        out.print(f"Console: {url}", markup=False, soft_wrap=True)
        out.print(f"Sign-in token: {token}", markup=False, soft_wrap=True)
        out.print("The gateway keeps running; Ctrl-C stops it.")
        await asyncio.Event().wait()

    options = DemoOptions(
        ats=args.ats,
        quiet=args.quiet,
        wait_s=args.wait,
        receiver_fail_next=max(0, args.receiver_fails),
        console=hold if args.console else None,
    )
    try:
        run(run_demo(options, out))
    except DemoFailedError as exc:
        raise CliError(f"the demo failed: {exc}") from None
    except KeyboardInterrupt:
        out.print("Stopped.")
        return 0
    if not args.quiet:
        out.print("Demo complete: every push reached the Intrro receiver.")
    return 0
