"""A throw-away PostgreSQL schema for one benchmark run: created empty, dropped with every table
in it afterwards, so a bench never leaves tables behind (in ``public`` or anywhere else)."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import asyncpg


async def _execute(dsn: str, sql: str) -> None:
    conn = await asyncpg.connect(dsn, timeout=10)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@contextmanager
def scratch_schema(dsn: str) -> Iterator[str]:
    """Yield ``dsn`` with ``search_path`` set to a fresh schema ``bench_<hex>``; drop it on exit.

    Call from synchronous code (each step runs its own event loop).
    """
    schema = f"bench_{secrets.token_hex(4)}"
    asyncio.run(_execute(dsn, f"CREATE SCHEMA {schema}"))
    try:
        yield f"{dsn}{'&' if '?' in dsn else '?'}search_path={schema}"
    finally:
        asyncio.run(_execute(dsn, f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
