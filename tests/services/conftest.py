"""Fixtures both services' tests use."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import pytest


@asynccontextmanager
async def schema_dsn(postgres_dsn: str, prefix: str) -> AsyncIterator[str]:
    """``postgres_dsn`` with ``search_path`` set to a fresh schema ``<prefix>_<hex>``, which is
    dropped (with everything in it) on exit."""
    schema = f"{prefix}_{secrets.token_hex(6)}"
    conn = await asyncpg.connect(postgres_dsn, timeout=10)
    try:
        await conn.execute(f"CREATE SCHEMA {schema}")
        sep = "&" if "?" in postgres_dsn else "?"
        yield f"{postgres_dsn}{sep}search_path={schema}"
    finally:
        await conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        await conn.close()


@pytest.fixture
async def pg_store(postgres_dsn: str) -> AsyncIterator[str]:
    """A DSN whose search_path is a fresh schema, dropped afterwards."""
    async with schema_dsn(postgres_dsn, "svc") as dsn:
        yield dsn
