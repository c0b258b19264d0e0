"""Opening, migrating and failing: the parts of both stores that are not an aggregate."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import stat
from contextlib import closing
from pathlib import Path
from typing import Any

import aiosqlite
import asyncpg
import pytest

import issuer.store
import verifier.store
from issuer.store._schema import POSTGRES_STEPS, SQLITE_STEPS
from issuer.store.postgres import PostgresIssuerStore
from issuer.store.sqlite import SqliteIssuerStore
from pidm.clock import FixedClock
from pidm.errors import StoreUnavailable
from service_kit.migrate import migrate_postgres, migrate_sqlite
from verifier.store.postgres import PostgresVerifierStore
from verifier.store.sqlite import SqliteVerifierStore

from .conftest import T0, Target


async def _query(target: Target, sql: str) -> list[tuple[Any, ...]]:
    if target.kind == "sqlite":
        with closing(sqlite3.connect(target.url)) as lite:
            return [tuple(r) for r in lite.execute(sql)]
    conn = await asyncpg.connect(target.url, server_settings=target.settings)
    try:
        return [tuple(r) for r in await conn.fetch(sql)]
    finally:
        await conn.close()


def _both(target: Target, clock: FixedClock) -> list[Any]:
    return [
        issuer.store.open_store(target.url, clock=clock, server_settings=target.settings),
        verifier.store.open_store(target.url, clock=clock, server_settings=target.settings),
    ]


async def test_schema_versions_recorded_per_component(target: Target, clock: FixedClock) -> None:
    for store in _both(target, clock):
        async with store:
            await store.ping()
    rows = await _query(target, "SELECT component, version FROM schema_version ORDER BY 1")
    assert rows == [("issuer", 1), ("issuer", 2), ("verifier", 1)]


async def test_replicas_starting_at_once_migrate_once(target: Target, clock: FixedClock) -> None:
    stores = _both(target, clock) + _both(target, clock) + _both(target, clock)
    await asyncio.gather(*(s.open() for s in stores))
    try:
        await asyncio.gather(*(s.ping() for s in stores))
    finally:
        await asyncio.gather(*(s.close() for s in stores))
    rows = await _query(target, "SELECT component, COUNT(*) FROM schema_version GROUP BY 1")
    assert sorted(rows) == [("issuer", 2), ("verifier", 1)]


async def test_reopening_keeps_data_and_version(target: Target, clock: FixedClock) -> None:
    async with issuer.store.open_store(
        target.url, clock=clock, server_settings=target.settings
    ) as s:
        await s.add_nonce("kept", expires=T0.replace(year=2030))
    async with issuer.store.open_store(
        target.url, clock=clock, server_settings=target.settings
    ) as s:
        assert await s.consume_nonce("kept") is True
    rows = await _query(target, "SELECT version FROM schema_version ORDER BY 1")
    assert rows == [(1,), (2,)]


async def test_rejects_schema_newer_than_code(target: Target, clock: FixedClock) -> None:
    async with issuer.store.open_store(target.url, clock=clock, server_settings=target.settings):
        pass
    if target.kind == "sqlite":
        await _exec_sqlite(target.url, "INSERT INTO schema_version VALUES ('issuer', 3, 'x')")
    else:
        conn = await asyncpg.connect(target.url, server_settings=target.settings)
        await conn.execute("INSERT INTO schema_version VALUES ('issuer', 3, now())")
        await conn.close()
    store = issuer.store.open_store(target.url, clock=clock, server_settings=target.settings)
    with pytest.raises(StoreUnavailable, match="newer than this pidm knows") as err:
        await store.open()
    assert err.value.code == "STORE_UNAVAILABLE"
    await store.close()


async def test_version_1_offers_gain_a_zero_tx_failure_count(
    target: Target, clock: FixedClock
) -> None:
    """Step 2 (tx_failures) applies to a database left at version 1, keeping its offers."""
    columns = "offer_id, configuration_ids, subject, pre_auth_code_hash, tx_code_hash,"
    columns += " created_at, expires_at"
    if target.kind == "sqlite":
        conn = await aiosqlite.connect(target.url, isolation_level=None)
        try:
            await conn.execute("BEGIN IMMEDIATE")
            await migrate_sqlite(conn, "issuer", SQLITE_STEPS[:1], now=T0)
            await conn.execute(
                f"INSERT INTO offers ({columns}) VALUES ('o1', '[\"A\"]', '{{}}', 'h1', 'tx',"
                f" '{T0.isoformat()}', '{T0.replace(year=2030).isoformat()}')"
            )
            await conn.commit()
        finally:
            await conn.close()
    else:
        pg = await asyncpg.connect(target.url, server_settings=target.settings)
        try:
            async with pg.transaction():
                await migrate_postgres(pg, "issuer", POSTGRES_STEPS[:1], now=T0)  # type: ignore[arg-type]
                await pg.execute(
                    f"INSERT INTO offers ({columns}) VALUES"
                    " ('o1', '[\"A\"]', '{}', 'h1', 'tx', $1, $2)",
                    T0,
                    T0.replace(year=2030),
                )
        finally:
            await pg.close()
    assert await _query(target, "SELECT version FROM schema_version") == [(1,)]
    async with issuer.store.open_store(
        target.url, clock=clock, server_settings=target.settings
    ) as store:
        before = await store.get_offer("o1")
        assert before is not None and before.tx_failures == 0
        assert before.configuration_ids == ("A",)
        assert await store.record_tx_failure("h1", limit=5) == 1
    rows = await _query(target, "SELECT version FROM schema_version ORDER BY 1")
    assert rows == [(1,), (2,)]


async def _exec_sqlite(path: str, sql: str) -> None:
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute(sql)


def test_open_store_picks_the_backend(tmp_path: Path) -> None:
    pg = "postgresql://u@127.0.0.1:5432/db"
    assert isinstance(issuer.store.open_store(pg), PostgresIssuerStore)
    assert isinstance(issuer.store.open_store("postgres://h/db"), PostgresIssuerStore)
    assert isinstance(verifier.store.open_store(pg), PostgresVerifierStore)
    assert isinstance(issuer.store.open_store(tmp_path / "a.db"), SqliteIssuerStore)
    assert isinstance(verifier.store.open_store(f"sqlite:///{tmp_path}/v.db"), SqliteVerifierStore)


async def test_sqlite_file_created_private_on_first_run(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "dir" / "issuer.db"
    async with issuer.store.open_store(f"sqlite://{path}") as store:
        await store.ping()
    assert path.is_file()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


async def test_rejects_unusable_sqlite_target(tmp_path: Path) -> None:
    with pytest.raises(StoreUnavailable):
        issuer.store.open_store(":memory:")
    store = verifier.store.open_store(tmp_path)  # a directory, not a file
    with pytest.raises(StoreUnavailable) as err:
        await store.open()
    assert err.value.code == "STORE_UNAVAILABLE"
    (tmp_path / "junk.db").write_bytes(b"this is not a database file" * 100)
    with pytest.raises(StoreUnavailable):
        await issuer.store.open_store(tmp_path / "junk.db").open()


async def test_rejects_unreachable_postgres() -> None:
    for open_store in (issuer.store.open_store, verifier.store.open_store):
        store = open_store("postgresql://nobody@127.0.0.1:1/none")
        with pytest.raises(StoreUnavailable) as err:
            await store.open()
        assert err.value.code == "STORE_UNAVAILABLE" and err.value.http_status == 503


async def test_rejects_missing_postgres_schema(postgres_dsn: str) -> None:
    store = issuer.store.open_store(
        postgres_dsn, server_settings={"search_path": "no_such_schema_here"}
    )
    with pytest.raises(StoreUnavailable):
        await store.open()


async def test_rejects_use_before_open_or_after_close(target: Target, clock: FixedClock) -> None:
    for store in _both(target, clock):
        with pytest.raises(StoreUnavailable, match="not open"):
            await store.ping()
        await store.open()
        await store.close()
        await store.close()  # twice is fine
        with pytest.raises(StoreUnavailable, match="not open"):
            await store.ping()


async def test_killed_connection_is_unavailable_then_recovers(
    postgres_dsn: str, pg_schema: str, clock: FixedClock
) -> None:
    name = f"pidm-{pg_schema}"
    settings = {"search_path": pg_schema, "application_name": name}
    async with issuer.store.open_store(
        postgres_dsn, clock=clock, server_settings=settings
    ) as store:
        await store.add_nonce("kept", expires=T0.replace(year=2030))
        admin = await asyncpg.connect(postgres_dsn)
        killed = await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE application_name = $1",
            name,
        )
        await admin.close()
        assert killed == 1
        outcomes: list[object] = []
        for _ in range(3):
            try:
                await store.ping()
                outcomes.append("ok")
            except StoreUnavailable as exc:
                outcomes.append(exc.code)
        assert set(outcomes) <= {"ok", "STORE_UNAVAILABLE"} and outcomes[-1] == "ok"
        assert await store.consume_nonce("kept") is True
