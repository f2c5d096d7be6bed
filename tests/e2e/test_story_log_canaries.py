"""No personal data or secret in any log line: the whole story (an introduction exported to the
Greenhouse sandbox, with the look-ups that carry e-mail addresses, and hostile requests that carry
them in URLs, headers and bodies) runs with canary e-mail addresses and secrets planted everywhere, logs
captured at DEBUG in both formats; none of the canaries shows, in any form."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from urllib.parse import quote, quote_plus

import pytest
import structlog

from intrro_gateway.entrypoints.container import build_container
from intrro_gateway.entrypoints.logging import configure_logging, forget_secrets
from intrro_gateway.entrypoints.settings import GatewaySettings
from intrro_gateway.sandboxes.greenhouse import SandboxState
from intrro_gateway.services import access
from tests.e2e.live import API_TOKEN, accepted_data, live_stack
from tests.e2e.live_events import candidate

CANARY_EMAILS = (
    "Canary.Person+c4n4ry@Canary-Mail.test",
    "ZOE.CANARY.7F3E@UPPER-CANARY.TEST",
    "rita.canary.9d1b@refer-canary.test",
)


def _forms(value: str) -> set[str]:
    """Every way a value may be written into a line: plain, percent- and `+`-encoded, twice encoded,
    JSON-escaped; compared without case."""
    forms = {value, quote(value), quote(value, safe=""), quote_plus(value)}
    forms |= {quote(form, safe="") for form in list(forms)}
    forms.add(json.dumps(value)[1:-1])
    return {form.lower() for form in forms}


async def _stored_token(settings: GatewaySettings, tenant: str) -> str:
    container = build_container(settings)
    await container.init_resources()  # type: ignore[misc]
    try:
        issued = await access.create_token(container.deps(), "canary admin", tenant)
    finally:
        await container.shutdown_resources()  # type: ignore[misc]
    return issued.value


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    yield
    forget_secrets()
    structlog.reset_defaults()
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.setLevel(logging.WARNING)


@pytest.mark.parametrize("log_format", ["json", "console"])
async def test_no_canary_email_or_secret_reaches_any_log_line(
    sqlite_url: str, log_format: str, capsys: pytest.CaptureFixture[str]
) -> None:
    person = candidate("Canary", "Person", CANARY_EMAILS[0])
    person["emails"].append(CANARY_EMAILS[1])
    referrer = {"name": "Rita Canary", "email": CANARY_EMAILS[2], "employee_id": None}
    secrets: list[str] = []

    async with live_stack(sqlite_url, log_level="debug") as live:
        settings = live.settings
        configure_logging(
            log_format, "DEBUG", cache_loggers=False, secrets=settings.secret_values()
        )
        stored_token = await _stored_token(settings, live.tenant)
        secrets += [
            API_TOKEN,
            stored_token,
            *(key.reveal() for key in settings.secret_keys),
            live.intrro_secret,
            live.webhook_secret,
            SandboxState.DEFAULT_CLIENT_SECRET,
        ]
        job = live.open_job_ids()[0]
        await live.accept(accepted_data("intro-canary", [job], person=person, referrer=referrer))
        await live.wait_exported("intro-canary")

        # Hostile requests carrying the canaries in the URL, the query, the headers and the body.
        email = CANARY_EMAILS[0]
        for token in (stored_token, API_TOKEN + "x", email):
            await live.http.get(
                f"{live.gateway_url}/api/tenants/{live.tenant}/jobs",
                params={"cursor": email, "status": CANARY_EMAILS[1]},
                headers={"Authorization": f"Bearer {token}"},
            )
        await live.http.get(
            f"{live.gateway_url}/api/tenants/{quote(email, safe='')}/introductions/{email}",
            headers={"Authorization": f"Bearer {API_TOKEN}"},
        )
        await live.post_raw(
            f"/webhooks/greenhouse/{live.tenant}?email={quote_plus(email)}",
            json.dumps({"action": "candidate_stage_change", "email": email}).encode(),
            {"Signature": f"sha256 {'0' * 64}", "X-Email": quote(email)},
        )
        await live.post_raw(
            f"/events/intrro/{live.tenant}",
            json.dumps(
                {"type": "x", "data": {"email": email, "secret": live.intrro_secret}}
            ).encode(),
            {"webhook-id": email, "webhook-timestamp": "1", "webhook-signature": "v1,AAAA"},
        )
        await live.settled()
        logging.getLogger("canary.check").warning(
            "a library line naming %s with %s", email, live.webhook_secret
        )

    logged = capsys.readouterr().err
    lines = logged.splitlines()
    lowered = logged.lower()
    assert len(lines) > 20, logged  # the story did log, at DEBUG
    assert "canary-mail.test" in lowered  # the addresses reached the logs, masked
    if log_format == "json":
        assert all(json.loads(line) for line in lines)
    leaks = [
        (canary, form)
        for canary in (*CANARY_EMAILS, *secrets)
        for form in _forms(canary)
        if form in lowered
    ]
    assert leaks == []
    print(f"{len(lines)} log lines ({log_format}), none with a canary")
