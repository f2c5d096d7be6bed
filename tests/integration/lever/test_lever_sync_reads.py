"""The two reads reconciliation and the profile sync need of every ATS, on Lever's sandbox: the
contact behind a person's opportunities, and the contact owning each opportunity."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from intrro_gateway.adapters.lever.api import LeverAtsClient
from intrro_gateway.domain.tenant import AtsCredentials
from intrro_gateway.ports.ats import AtsContext
from intrro_gateway.sandboxes.lever import SandboxControl, SandboxState, create_sandbox_app
from intrro_gateway.sandboxes.lever import seeded_state as seeded

BASE = "http://lever.test"


@pytest.fixture
def state() -> SandboxState:
    return seeded()


@pytest.fixture
async def client(state: SandboxState) -> AsyncIterator[LeverAtsClient]:
    transport = httpx.ASGITransport(app=create_sandbox_app(state))
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as http:
        yield LeverAtsClient(http, base_url=BASE)


def ctx(state: SandboxState) -> AtsContext:
    credentials = AtsCredentials(
        client_id="", client_secret=state.DEFAULT_API_KEY, user_id=state.seed.admin_user_id
    )
    return AtsContext(tenant_id="acme", credentials=credentials, ats="lever")


async def test_a_contact_is_read_from_its_opportunities_and_is_none_once_they_are_gone(
    client: LeverAtsClient, state: SandboxState
) -> None:
    contact, opportunity = state.seed.contact_ids[0], state.seed.opportunity_ids[0]

    found = await client.get_candidate(ctx(state), contact)
    SandboxControl(state).delete(opportunity)
    gone = await client.get_candidate(ctx(state), contact)

    assert found is not None and found.id == contact
    assert (found.first_name, found.last_name) == ("Ada", "Lovelace")
    assert found.emails == ("ada.lovelace@example.com",)
    assert gone is None


async def test_each_opportunity_names_its_contact_and_deleted_ones_are_left_out(
    client: LeverAtsClient, state: SandboxState
) -> None:
    first, second = state.seed.opportunity_ids[:2]
    SandboxControl(state).delete(second)

    owners = await client.application_owners(ctx(state), [first, second, first])

    assert owners == {first: state.seed.contact_ids[0]}
