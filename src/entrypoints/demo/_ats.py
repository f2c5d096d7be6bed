"""The ATS the demo runs against: its bundled sandbox, how to connect it, what a recruiter does in it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

ADMIN_EMAIL = "admin@sandbox.example"


@dataclass(frozen=True, slots=True)
class Action:
    """A recruiter's action through the sandbox's control API: its path and body."""

    path: str
    body: dict[str, Any]


@dataclass(frozen=True, slots=True)
class DemoAts:
    """One ATS as the demo plays it."""

    key: str
    name: str  # "Greenhouse", "Lever": the timeline's flows name it
    api_calls: str  # what the summary calls the gateway's calls into it
    stages: tuple[str, str, str]  # the seeded screen, onsite and offer stages' names
    credential: Callable[[], Mapping[str, str]]  # the connect body's credential fields
    admin_makes_webhooks: bool  # Greenhouse: the admin creates them; Lever: the gateway does
    sandbox: Callable[[], tuple[Any, Any]]  # (ASGI app, state)
    env: Callable[[str, int], dict[str, str]]  # the gateway's settings for a sandbox URL and port
    move: Callable[[str, str], Action]  # (application id, stage id)
    hire: Callable[[str], Action]
    reject: Callable[[str], Action]


def _greenhouse_sandbox() -> tuple[Any, Any]:
    from intrro_gateway.sandboxes.greenhouse import create_sandbox_app, seeded_state

    state = seeded_state()
    return create_sandbox_app(state), state


def _lever_sandbox() -> tuple[Any, Any]:
    from intrro_gateway.sandboxes.lever import create_sandbox_app, seeded_state

    state = seeded_state()
    return create_sandbox_app(state), state


def _greenhouse_credential() -> Mapping[str, str]:
    from intrro_gateway.sandboxes.greenhouse import SandboxState

    return {
        "client_id": SandboxState.DEFAULT_CLIENT_ID,
        "client_secret": SandboxState.DEFAULT_CLIENT_SECRET,
    }


def _lever_credential() -> Mapping[str, str]:
    from intrro_gateway.sandboxes.lever import SandboxState

    return {"api_key": SandboxState.DEFAULT_API_KEY}


def _greenhouse_env(url: str, port: int) -> dict[str, str]:
    return {
        "GATEWAY_GREENHOUSE_BASE_URL": url,
        "GATEWAY_GREENHOUSE_AUTH_URL": url,
        "GATEWAY_SANDBOX_PORT": str(port),
    }


def _lever_env(url: str, port: int) -> dict[str, str]:
    return {"GATEWAY_LEVER_BASE_URL": url, "GATEWAY_LEVER_SANDBOX_PORT": str(port)}


def _gh(app: str, action: str, body: dict[str, Any]) -> Action:
    return Action(f"/_sandbox/applications/{app}/{action}", body)


def _lv(opportunity: str, action: str, body: dict[str, Any]) -> Action:
    return Action(f"/_sandbox/opportunities/{opportunity}/{action}", body)


GREENHOUSE = DemoAts(
    key="greenhouse",
    name="Greenhouse",
    api_calls="Harvest calls",
    stages=("Phone Screen", "Onsite", "Offer"),
    credential=_greenhouse_credential,
    admin_makes_webhooks=True,
    sandbox=_greenhouse_sandbox,
    env=_greenhouse_env,
    move=lambda app, stage: _gh(app, "move", {"to_stage_id": int(stage)}),
    hire=lambda app: _gh(app, "hire", {}),
    reject=lambda app: _gh(app, "reject", {"kind": "company"}),
)

LEVER = DemoAts(
    key="lever",
    name="Lever",
    api_calls="Lever API calls",
    stages=("Recruiter screen", "On-site interview", "Offer"),
    credential=_lever_credential,
    admin_makes_webhooks=False,
    sandbox=_lever_sandbox,
    env=_lever_env,
    move=lambda app, stage: _lv(app, "move", {"stage_id": stage}),
    hire=lambda app: _lv(app, "hire", {}),
    reject=lambda app: _lv(app, "archive", {"kind": "rejected"}),
)

DEMO_ATS: dict[str, DemoAts] = {ats.key: ats for ats in (GREENHOUSE, LEVER)}
