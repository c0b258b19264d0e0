"""Benchmark: store operations per second on SQLite and PostgreSQL, against the floor.

The floor is the same driver doing the least each operation needs — one single-row
``INSERT ... ON CONFLICT DO NOTHING`` into a two-column table with a primary key — measured in
the same run on the same database, so the ratio shows what the store layer adds (pooling,
locking, error mapping, row conversion) rather than how fast this machine's disk is.

Operations: ``allocate_index`` (random index in a 131,072-entry list), verifier
``consume_nonce``, issuer ``set_status`` (read-modify-write of 16 KB of bits under a row lock),
each run sequentially and from 16 concurrent tasks.

    .venv/bin/python bench/store.py [--quick] [--dsn postgresql://...]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiosqlite  # noqa: E402
import asyncpg  # noqa: E402

import issuer.store  # noqa: E402
import verifier.store  # noqa: E402
from issuer.store import StatusList  # noqa: E402

T0 = datetime(2025, 1, 1, tzinfo=UTC)
SIZE = 131_072
TASKS = 16

Op = Callable[[int], Awaitable[object]]


async def rate(op: Op, n: int, tasks: int) -> float:
    """Operations per second running ``op(i)`` for i in range(n), spread over ``tasks``."""
    counter = iter(range(n))

    async def worker() -> None:
        for i in counter:
            await op(i)

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(tasks)))
    return n / (time.perf_counter() - start)


async def sqlite_floor(path: Path) -> Op:
    conn = await aiosqlite.connect(path, isolation_level=None)
    await conn.execute("PRAGMA journal_mode = WAL")
    await conn.execute("PRAGMA synchronous = NORMAL")
    await conn.execute("CREATE TABLE floor (k TEXT, i INTEGER, PRIMARY KEY (k, i))")
    lock = asyncio.Lock()

    async def op(i: int) -> object:
        async with lock:
            return await conn.execute(
                "INSERT OR IGNORE INTO floor VALUES (?, ?)", (secrets.token_hex(4), i)
            )

    op.close = conn.close  # type: ignore[attr-defined]
    return op


async def postgres_floor(dsn: str, schema: str) -> Op:
    pool = await asyncpg.create_pool(dsn, max_size=10, server_settings={"search_path": schema})
    await pool.execute("CREATE TABLE floor (k TEXT, i INTEGER, PRIMARY KEY (k, i))")

    async def op(i: int) -> object:
        return await pool.execute(
            "INSERT INTO floor VALUES ($1, $2) ON CONFLICT DO NOTHING", secrets.token_hex(4), i
        )

    op.close = pool.close  # type: ignore[attr-defined]
    return op


async def measure(name: str, target: str, settings: dict[str, str], floor: Op, n: int) -> None:
    async with (
        issuer.store.open_store(target, server_settings=settings) as iss,
        verifier.store.open_store(target, server_settings=settings) as ver,
    ):
        expires = T0 + timedelta(days=1)
        await rate(floor, n // 5, TASKS)  # warm up the connections and the file
        for tasks in (1, TASKS):
            list_id = f"L{tasks}"
            await iss.create_status_list(StatusList(list_id, "revocation", SIZE, T0))
            ops: dict[str, Op] = {
                "floor INSERT": floor,
                "allocate_index": lambda i, lid=list_id: iss.allocate_index(lid),
                "consume_nonce": lambda i, t=tasks: ver.consume_nonce(f"{t}-{i}", expires=expires),
                "set_status": lambda i, lid=list_id: iss.set_status(lid, i % SIZE, i % 2),
            }
            base = 0.0
            for label, op in ops.items():
                ops_s = await rate(op, n, tasks)
                base = base or ops_s
                print(f"{name:<9} {tasks:>5}  {label:<15} {ops_s:>10.0f}  {ops_s / base:>9.2f}x")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--dsn",
        default=os.environ.get("PIDM_TEST_POSTGRES_DSN", "postgresql://root@127.0.0.1:5432/test"),
    )
    args = parser.parse_args()
    n = 500 if args.quick else 3000
    print(f"{'backend':<9} {'tasks':>5}  {'operation':<15} {'ops/s':>10}  {'vs floor':>10}")
    with tempfile.TemporaryDirectory() as tmp:
        floor = await sqlite_floor(Path(tmp) / "floor.db")
        await measure("sqlite", str(Path(tmp) / "store.db"), {}, floor, n)
        await floor.close()  # type: ignore[attr-defined]
    schema = f"bench_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(args.dsn)
    await admin.execute(f"CREATE SCHEMA {schema}")
    try:
        floor = await postgres_floor(args.dsn, schema)
        await measure("postgres", args.dsn, {"search_path": schema}, floor, n)
        await floor.close()  # type: ignore[attr-defined]
    finally:
        await admin.execute(f"DROP SCHEMA {schema} CASCADE")
        await admin.close()


if __name__ == "__main__":
    asyncio.run(main())
