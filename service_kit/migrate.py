"""Versioned schema migrations, shared by the issuer and verifier stores.

A component's schema is an ordered list of steps; step ``n`` (1-based) takes the schema from
version ``n - 1`` to ``n`` and is a tuple of SQL statements. ``schema_version`` records one row
per (component, version) applied, so the issuer and verifier can share one database. Pending
steps run in a single transaction; on PostgreSQL under one ``pg_advisory_xact_lock`` and on SQLite
under ``BEGIN IMMEDIATE``, so replicas starting at once migrate exactly once. A database whose
schema is newer than this code knows is refused (StoreUnavailable) rather than guessed at.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

import aiosqlite

from pidm.errors import StoreUnavailable

from .db import PgConn, time_text

Step = tuple[str, ...]

_SQLITE_VERSION_TABLE = """
CREATE TABLE IF NOT EXISTS schema_version (
    component TEXT NOT NULL,
    version INTEGER NOT NULL,
    applied_at TEXT NOT NULL,
    PRIMARY KEY (component, version)
)"""

_PG_VERSION_TABLE = """
CREATE TABLE IF NOT EXISTS schema_version (
    component TEXT NOT NULL,
    version INTEGER NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (component, version)
)"""


def _advisory_key() -> int:
    """The signed 64-bit ``pg_advisory_xact_lock`` key every pidm component migrates under.

    One key for all components, since they share ``schema_version``: an issuer and a verifier
    starting at once on an empty database must not both create it.
    """
    digest = hashlib.sha256(b"pidm-migrate:schema_version").digest()
    return int.from_bytes(digest[:8], "big", signed=True)


ADVISORY_KEY = _advisory_key()


def _check_known(component: str, current: int, steps: Sequence[Step]) -> None:
    if current > len(steps):
        raise StoreUnavailable(
            f"'{component}' schema is at version {current}, newer than this pidm knows "
            f"({len(steps)}); upgrade pidm"
        )


async def migrate_sqlite(
    conn: aiosqlite.Connection, component: str, steps: Sequence[Step], *, now: datetime
) -> int:
    """Apply pending steps inside the caller's ``BEGIN IMMEDIATE``; return the new version."""
    await conn.execute(_SQLITE_VERSION_TABLE)
    async with conn.execute(
        "SELECT COALESCE(MAX(version), 0) FROM schema_version WHERE component = ?", (component,)
    ) as cur:
        row = await cur.fetchone()
    current = int(row[0]) if row else 0
    _check_known(component, current, steps)
    for version in range(current + 1, len(steps) + 1):
        for statement in steps[version - 1]:
            await conn.execute(statement)
        await conn.execute(
            "INSERT INTO schema_version (component, version, applied_at) VALUES (?, ?, ?)",
            (component, version, time_text(now)),
        )
    return len(steps)


async def migrate_postgres(
    conn: PgConn, component: str, steps: Sequence[Step], *, now: datetime
) -> int:
    """Apply pending steps inside the caller's transaction, under an advisory lock."""
    await conn.execute("SELECT pg_advisory_xact_lock($1)", ADVISORY_KEY)
    await conn.execute(_PG_VERSION_TABLE)
    current = await conn.fetchval(
        "SELECT COALESCE(MAX(version), 0) FROM schema_version WHERE component = $1", component
    )
    _check_known(component, int(current), steps)
    for version in range(int(current) + 1, len(steps) + 1):
        for statement in steps[version - 1]:
            await conn.execute(statement)
        await conn.execute(
            "INSERT INTO schema_version (component, version, applied_at) VALUES ($1, $2, $3)",
            component,
            version,
            now,
        )
    return len(steps)
