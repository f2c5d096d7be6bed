"""Secrets at rest: encrypted under the newest key, rotatable, never stored in plain text."""

from __future__ import annotations

import subprocess
from pathlib import Path
from urllib.parse import unquote

import pytest
from cryptography.fernet import Fernet
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from intrro_gateway.adapters.sql.maintenance import rotate_keys
from intrro_gateway.adapters.sql.secrets import (
    InvalidSecretKeyError,
    SecretCipher,
    UndecryptableSecretError,
)
from intrro_gateway.adapters.sql.uow import SqlUnitOfWorkFactory
from tests.integration.sql import builders as b

KEY_OLD, KEY_NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


@given(st.text())
def test_any_text_decrypts_to_itself_and_never_shows_in_the_token(plain: str) -> None:
    cipher = SecretCipher([KEY_NEW, KEY_OLD])
    token = cipher.encrypt(plain)
    assert cipher.decrypt(token) == plain
    if len(plain) >= 4:
        assert plain not in token


def test_a_token_of_an_older_key_still_decrypts_and_rotates_to_the_newest() -> None:
    old = SecretCipher([KEY_OLD]).encrypt("s3cret")
    both = SecretCipher([KEY_NEW, KEY_OLD])
    rotated = both.rotate(old)
    assert SecretCipher([KEY_NEW]).decrypt(rotated) == "s3cret"
    with pytest.raises(UndecryptableSecretError):
        SecretCipher([KEY_NEW]).decrypt(old)


@pytest.mark.parametrize("keys", [[], ["not-a-key"], [KEY_NEW, "short"]])
def test_a_missing_or_malformed_key_is_refused(keys: list[str]) -> None:
    with pytest.raises(InvalidSecretKeyError):
        SecretCipher(keys)


def test_the_cipher_does_not_show_its_keys() -> None:
    assert KEY_NEW not in repr(SecretCipher([KEY_NEW]))


async def test_rotating_keys_re_encrypts_every_stored_secret_under_the_newest_key(
    engine: AsyncEngine,
) -> None:
    tenant, bare = b.tenant(), b.tenant("beta", connected=False)
    async with SqlUnitOfWorkFactory(engine, SecretCipher([KEY_OLD]))() as uow:
        await uow.tenants.add(tenant)
        await uow.tenants.add(bare)
        await uow.commit()
    # acme: intrro current + previous, web hook current, credentials; beta: the same less credentials
    assert await rotate_keys(engine, SecretCipher([KEY_NEW, KEY_OLD])) == 7
    async with SqlUnitOfWorkFactory(engine, SecretCipher([KEY_NEW]))() as uow:
        assert await uow.tenants.get("acme") == tenant
        assert await uow.tenants.get("beta") == bare


CANARY = "canary-7f3e9b2a"
VISIBLE = "visible-marker-5d1c"


async def _plant(engine: AsyncEngine) -> None:
    tenant = b.tenant(secret=CANARY)
    tenant.intrro_callback_url = f"https://{VISIBLE}.example/"
    async with SqlUnitOfWorkFactory(engine, SecretCipher([KEY_NEW]))() as uow:
        await uow.tenants.add(tenant)
        await uow.commit()
    await engine.dispose()


def _stored_bytes(url: str) -> bytes:
    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite"):
        path = Path(str(parsed.database))
        files = [path, Path(f"{path}-wal"), Path(f"{path}-journal")]
        return b"".join(f.read_bytes() for f in files if f.exists())
    options = unquote(str(parsed.query["options"]))
    schema = options.split("search_path=", 1)[1]
    dump = subprocess.run(
        [
            "pg_dump",
            "-h",
            str(parsed.host),
            "-p",
            str(parsed.port or 5432),
            "-U",
            str(parsed.username),
            "-d",
            str(parsed.database),
            "-n",
            schema,
            "--data-only",
        ],
        capture_output=True,
        check=True,
        timeout=60,
    )
    return dump.stdout


async def test_planted_secrets_never_appear_in_plain_text_in_the_database_files_or_dump(
    engine: AsyncEngine, migrated_url: str
) -> None:
    await _plant(engine)
    stored = _stored_bytes(migrated_url)
    assert VISIBLE.encode() in stored  # the scan sees what is stored in plain text
    assert CANARY.encode() not in stored
