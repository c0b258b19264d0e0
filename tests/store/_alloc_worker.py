"""Worker for test_index_allocation_pg: one OS process allocating status-list indices.

Usage: python _alloc_worker.py DSN SCHEMA COUNT TASKS. Opens an issuer store (so two workers
also race the migration), prints ``ready``, waits for ``go LIST_ID`` on stdin, allocates COUNT
indices from TASKS concurrent tasks and prints them as one JSON array.
"""

from __future__ import annotations

import asyncio
import json
import sys

from issuer.store import open_store


async def main(dsn: str, schema: str, count: int, tasks: int) -> None:
    # synchronous_commit=off: commits stay atomic and visible, only the fsync wait goes
    settings = {"search_path": schema, "synchronous_commit": "off"}
    async with open_store(dsn, server_settings=settings) as store:
        print("ready", flush=True)
        line = await asyncio.to_thread(sys.stdin.readline)
        list_id = line.split()[1]
        got: list[int] = []

        async def run(n: int) -> None:
            for _ in range(n):
                got.append(await store.allocate_index(list_id))

        share, extra = divmod(count, tasks)
        await asyncio.gather(*(run(share + (i < extra)) for i in range(tasks)))
        print(json.dumps(got), flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])))
