"""Store contract fixtures: every contract test runs on SQLite (tmp_path) and on the real
PostgreSQL server, each PostgreSQL test in a schema of its own that is dropped afterwards.
PostgreSQL being down makes these tests fail, never skip."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest

from pidm.clock import FixedClock

T0 = datetime(2025, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Target:
    """Where a store under test lives: a SQLite path or a DSN plus its schema."""

    kind: str
    url: str
    settings: dict[str, str] = field(default_factory=dict)


@asynccontextmanager
async def fresh_schema(dsn: str) -> AsyncIterator[str]:
    """Create an empty schema ``t_<random>`` on the server; drop it (with its tables) on exit."""
    name = f"t_{secrets.token_hex(6)}"
    conn = await asyncpg.connect(dsn, timeout=10)
    try:
        await conn.execute(f"CREATE SCHEMA {name}")
        yield name
    finally:
        await conn.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
        await conn.close()


@pytest.fixture
async def pg_schema(postgres_dsn: str) -> AsyncIterator[str]:
    """A fresh, empty schema on the test server, dropped after the test."""
    async with fresh_schema(postgres_dsn) as name:
        yield name


@pytest.fixture(params=["sqlite", "postgres"])
async def target(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_dsn: str
) -> AsyncIterator[Target]:
    if request.param == "sqlite":
        yield Target("sqlite", str(tmp_path / "store.db"))
        return
    async with fresh_schema(postgres_dsn) as name:
        # synchronous_commit=off: commits stay atomic and visible, only the fsync wait goes
        yield Target("postgres", postgres_dsn, {"search_path": name, "synchronous_commit": "off"})


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)
