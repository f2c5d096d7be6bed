"""API tokens: made, listed and revoked by an operator; a caller's token found by its digest; the
operator-only actions. What a tenant-limited token may reach is `Principal.may_reach`."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass

import structlog

from intrro_gateway.domain.access import ApiToken, Principal
from intrro_gateway.services.deps import Dependencies
from intrro_gateway.services.errors import ForbiddenError, InvalidInputError, NotFoundError

logger = structlog.get_logger(__name__)

TOKEN_PREFIX = "igw_"  # noqa: S105 (a prefix that marks stored tokens, not a secret)


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A token just made: `value` is shown this once and never stored."""

    token: ApiToken
    value: str

    def __repr__(self) -> str:
        return f"IssuedToken(token={self.token!r}, value='**********')"


def digest_of(value: str) -> str:
    """The stored form of a token value: tokens are 256 random bits, so one SHA-256 suffices (a slow
    password hash protects guessable secrets; these cannot be guessed)."""
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


async def create_token(deps: Dependencies, name: str, tenant_id: str | None) -> IssuedToken:
    """A new token, operator-wide or limited to an existing tenant; its value is returned once."""
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidInputError(["name must be 1 to 100 characters"])
    value = TOKEN_PREFIX + deps.ids.new_secret("api_token")
    token = ApiToken(
        id=deps.ids.new_id(),
        name=name,
        digest=digest_of(value),
        tenant_id=tenant_id,
        created_at=deps.clock.now(),
    )
    async with deps.uow() as uow:
        if tenant_id is not None and await uow.tenants.get(tenant_id) is None:
            raise NotFoundError("tenant", tenant_id)
        await uow.tokens.add(token)
        await uow.commit()
    logger.info("token.created", token_id=token.id, scope=tenant_id or "operator")
    return IssuedToken(token=token, value=value)


async def list_tokens(deps: Dependencies) -> Sequence[ApiToken]:
    """Every token made by the CLI, revoked ones too; values are never kept, so none is shown."""
    async with deps.uow() as uow:
        return await uow.tokens.list()


async def revoke_token(deps: Dependencies, token_id: str) -> bool:
    """End a token at once; returns whether an active token of that id existed."""
    async with deps.uow() as uow:
        revoked = await uow.tokens.revoke(token_id, deps.clock.now())
        await uow.commit()
    if revoked:
        logger.info("token.revoked", token_id=token_id)
    return revoked


def is_bootstrap(presented: str, bootstrap: Sequence[str]) -> bool:
    """Whether the token is one of the settings' bootstrap (operator) tokens; every one is compared,
    in constant time."""
    given = presented.encode("utf-8", "surrogatepass")
    matched = False
    for token in bootstrap:
        matched |= hmac.compare_digest(given, token.encode("utf-8", "surrogatepass"))
    return matched


async def authenticate(deps: Dependencies, presented: str) -> Principal | None:
    """The caller a token made by `create_token` stands for, or None (unknown or revoked)."""
    if not presented.startswith(TOKEN_PREFIX):
        return None
    async with deps.uow() as uow:
        stored = await uow.tokens.by_digest(digest_of(presented))
    if stored is None or not stored.active:
        return None
    return stored.principal


def require_operator(principal: Principal, action: str) -> None:
    """Raise ForbiddenError unless the caller is an operator (tenant tokens cannot do `action`)."""
    if not principal.is_operator:
        raise ForbiddenError(f"a tenant token cannot {action}")
