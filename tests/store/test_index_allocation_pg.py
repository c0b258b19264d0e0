"""Status-list index allocation under real concurrency: two OS processes on one PostgreSQL
schema (10,000 indices), and many asyncio tasks on two connections to one SQLite file. No index
may be handed out twice, and every index must lie inside the list."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

from issuer.store import StatusList, open_store

from .conftest import T0

WORKER = Path(__file__).with_name("_alloc_worker.py")
SIZE = 131_072  # the W3C Bitstring Status List minimum: 16 KB of 1-bit entries
PER_PROCESS = 5_000


def _spawn(dsn: str, schema: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(WORKER), dsn, schema, str(PER_PROCESS), "8"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _collect(proc: subprocess.Popen[str]) -> list[int]:
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    return list(json.loads(out.strip().splitlines()[-1]))


async def test_two_processes_never_share_an_index(postgres_dsn: str, pg_schema: str) -> None:
    procs = [_spawn(postgres_dsn, pg_schema) for _ in range(2)]
    try:
        for proc in procs:  # both opened the store (racing the migration) before we go
            assert proc.stdout is not None
            line = await asyncio.to_thread(proc.stdout.readline)
            assert line.strip() == "ready", proc.stderr.read() if proc.stderr else line
        async with open_store(postgres_dsn, server_settings={"search_path": pg_schema}) as store:
            await store.create_status_list(StatusList("shared", "revocation", SIZE, T0))
            for proc in procs:
                assert proc.stdin is not None
                proc.stdin.write("go shared\n")
                proc.stdin.flush()
            results = [await asyncio.to_thread(_collect, proc) for proc in procs]
            state = await store.load("shared")
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
    everything = results[0] + results[1]
    assert [len(r) for r in results] == [PER_PROCESS, PER_PROCESS]
    assert len(set(everything)) == 2 * PER_PROCESS
    assert all(0 <= i < SIZE for i in everything)
    assert state is not None and state.allocated == 2 * PER_PROCESS


async def test_sqlite_tasks_on_two_connections_never_share_an_index(tmp_path: Path) -> None:
    path = tmp_path / "issuer.db"
    async with open_store(path) as a, open_store(path) as b:
        await a.create_status_list(StatusList("L", "revocation", 4096, T0))
        got = await asyncio.gather(*(s.allocate_index("L") for s in (a, b) for _ in range(1000)))
        state = await b.load("L")
    assert len(set(got)) == 2000
    assert all(0 <= i < 4096 for i in got)
    assert state is not None and state.allocated == 2000
