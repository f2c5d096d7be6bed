"""Secrets at rest: encrypted under the newest key, rotatable, never stored in plain text."""

from __future__ import annotations

import subprocess
from pathlib import Path
from urllib.parse import unquote

import pytest
from cryptography.fernet import Fernet
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from intrro_gateway.adapters.sql import migrate
from intrro_gateway.adapters.sql.engine import create_engine
from intrro_gateway.adapters.sql.maintenance import rotate_keys
from intrro_gateway.adapters.sql.secrets import (
    SECRET_KINDS,
    InvalidSecretKeyError,
    MisboundSecretError,
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


def test_a_token_of_an_older_key_still_opens_and_reseals_under_the_newest() -> None:
    old = SecretCipher([KEY_OLD]).seal("s3cret", tenant_id="acme", kind="intrro")
    both = SecretCipher([KEY_NEW, KEY_OLD])
    rotated = both.reseal(old, tenant_id="acme", kind="intrro")
    assert SecretCipher([KEY_NEW]).open(rotated, tenant_id="acme", kind="intrro") == "s3cret"
    with pytest.raises(UndecryptableSecretError):
        SecretCipher([KEY_NEW]).open(old, tenant_id="acme", kind="intrro")


@given(
    st.text(),
    st.sampled_from(["acme", "beta"]),
    st.sampled_from(sorted(set(SECRET_KINDS.values()))),
)
def test_a_sealed_secret_opens_only_for_its_own_tenant_and_kind(
    plain: str, tenant: str, kind: str
) -> None:
    cipher = SecretCipher([KEY_NEW])
    token = cipher.seal(plain, tenant_id=tenant, kind=kind)

    assert cipher.open(token, tenant_id=tenant, kind=kind) == plain
    for other_tenant, other_kind in (("gamma", kind), (tenant, kind + "-other")):
        with pytest.raises(MisboundSecretError):
            cipher.open(token, tenant_id=other_tenant, kind=other_kind)


def test_an_unbound_secret_is_refused() -> None:
    cipher = SecretCipher([KEY_NEW])
    for legacy in ("s3cret", '{"client_id": "x"}', '{"v": 1, "t": "acme", "k": "intrro"}'):
        with pytest.raises(MisboundSecretError):
            cipher.open(cipher.encrypt(legacy), tenant_id="acme", kind="intrro")


async def test_a_secret_copied_into_another_tenants_row_is_refused_when_read(
    engine: AsyncEngine,
) -> None:
    cipher = SecretCipher([KEY_NEW])
    async with SqlUnitOfWorkFactory(engine, cipher)() as uow:
        await uow.tenants.add(b.tenant("acme", secret="a"))
        await uow.tenants.add(b.tenant("beta", secret="b"))
        await uow.commit()
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "UPDATE tenants SET webhook_secret = "
                "(SELECT webhook_secret FROM tenants WHERE id = 'acme') WHERE id = 'beta'"
            )
        )

    async with SqlUnitOfWorkFactory(engine, cipher)() as uow:
        assert (await uow.tenants.get("acme")) == b.tenant("acme", secret="a")
        with pytest.raises(MisboundSecretError):
            await uow.tenants.get("beta")
    with pytest.raises(MisboundSecretError):  # rotate-keys finds it too, and changes nothing
        await rotate_keys(engine, SecretCipher([KEY_OLD, KEY_NEW]))


async def test_migration_0006_binds_the_secrets_stored_before_it_and_its_downgrade_unbinds_them(
    db_url: str,
) -> None:
    migrate.upgrade(db_url, "0005")
    legacy = SecretCipher([KEY_NEW])
    engine = create_engine(db_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO tenants (id, intrro_secret, webhook_secret, webhook_secret_previous,"
                    " ats_name, ats_credentials, stage_mapping, closed_job_policy, connection_ok,"
                    " credential_failing, jobs_sequence, webhooks_silent, reconcile_repairs)"
                    " VALUES ('acme', :i, :w, :wp, 'greenhouse', :c, '{}', 'fail', false, false, 0,"
                    " false, 0)"
                ),
                {
                    "i": legacy.encrypt("whsec_x"),
                    "w": legacy.encrypt("gh-secret"),
                    "wp": legacy.encrypt("gh-old"),
                    "c": legacy.encrypt('{"client_id": "c", "client_secret": "cs"}'),
                },
            )
        with pytest.raises(Exception, match="GATEWAY_SECRET_KEYS"):
            migrate.upgrade(db_url)  # secrets to re-encrypt, no keys given: nothing changes
        assert migrate.current_revision(db_url) == "0005"

        migrate.upgrade(db_url, secret_keys=[KEY_NEW])

        async with SqlUnitOfWorkFactory(engine, legacy)() as uow:
            tenant = await uow.tenants.get("acme")
        assert tenant is not None
        assert tenant.intrro_secret.current == "whsec_x"
        assert tenant.webhook_secret.current == "gh-secret"
        assert tenant.webhook_secret.previous == "gh-old"
        assert tenant.connection is not None
        assert tenant.connection.credentials.client_secret == "cs"
        migrate.downgrade(db_url, "0005", secret_keys=[KEY_NEW])
        async with engine.connect() as conn:
            stored = (await conn.execute(text("SELECT webhook_secret FROM tenants"))).scalar_one()
        assert legacy.decrypt(stored) == "gh-secret"
    finally:
        await engine.dispose()


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
