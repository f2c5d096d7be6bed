"""Schemathesis hooks for the gateway's run (loaded through SCHEMATHESIS_HOOKS).

- `needs_token`: an operation the document does not mark public answers 401 to a request without
  a bearer token.
- Half of the generated tenant ids are replaced by the seeded tenant, so that the API's answers
  for a tenant that exists are exercised too, not only its 404s.
"""

from __future__ import annotations

import random
from typing import Any

import schemathesis

SEEDED_TENANT = "acme"
_pick = random.Random(1405)


@schemathesis.check
def needs_token(ctx: Any, response: Any, case: Any) -> bool | None:
    """A request without `Authorization` to an operation that needs a token is answered 401."""
    security = case.operation.definition.raw.get("security")
    if security == []:
        return None
    sent = {key.lower() for key in (response.request.headers or {})}
    if "authorization" in sent:
        return None
    if response.status_code != 401:
        raise AssertionError(
            f"{case.method} {case.path} without a token answered {response.status_code}, not 401"
        )
    return None


@schemathesis.hook
def map_path_parameters(ctx: Any, path_parameters: dict[str, Any] | None) -> Any:
    """Aim half the cases at the tenant that exists."""
    if path_parameters and "tenant" in path_parameters and _pick.random() < 0.5:
        path_parameters["tenant"] = SEEDED_TENANT
    return path_parameters
