"""Killing a writer with SIGKILL loses at most the write in flight and never corrupts the store."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from wallet.locker import DB_NAME, Locker
from wallet.sealing import KdfParams

ROOT = Path(__file__).parents[2]
PASS = "crash test passphrase"
PAYLOAD = "x" * 1500

WRITER = textwrap.dedent(
    """
    import sys
    from wallet.locker import Locker

    directory, start, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    payload = "x" * 1500
    locker = Locker.open(directory, "crash test passphrase")
    i = start
    while True:
        if batch == 1:
            locker.put("credential", f"c{i:07d}", {"i": i, "payload": payload})
            locker.put("meta", "counter", {"n": i})
            if i >= 5:
                locker.delete("receipt", f"r{i - 5:07d}")
            locker.put("receipt", f"r{i:07d}", {"i": i})
        else:
            items = [(f"c{j:07d}", {"i": j, "payload": payload}) for j in range(i, i + batch)]
            locker.put_many("credential", items)
            i += batch - 1
        print(i, flush=True)
        i += 1
    """
)


def _run_and_kill(directory: Path, start: int, batch: int, commits: int) -> int:
    """Start a writer, let it report ``commits`` commits, SIGKILL it; return the last reported."""
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(directory), str(start), str(batch)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        text=True,
    )
    assert proc.stdout is not None
    last = start - 1
    try:
        for _ in range(commits):
            line = proc.stdout.readline()
            assert line, proc.stderr.read() if proc.stderr else "writer died"
            last = int(line)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stdout.close()
        if proc.stderr:
            proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    return last


def _integrity(directory: Path) -> str:
    conn = sqlite3.connect(directory / DB_NAME)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


@pytest.fixture
def wallet_dir(tmp_path: Path) -> Path:
    Locker.create(tmp_path / "w", PASS, kdf=KdfParams.MINIMUM).close()
    return tmp_path / "w"


def test_sigkill_mid_write_keeps_every_committed_record(wallet_dir: Path) -> None:
    start = 0
    for round_ in range(3):
        last = _run_and_kill(wallet_dir, start, batch=1, commits=40 + 17 * round_)
        assert _integrity(wallet_dir) == "ok"
        with Locker.open(wallet_dir, PASS) as locker:
            credentials = locker.list("credential")
            ids = [r.id for r in credentials]
            # every reported commit is there; at most the one in flight was added beyond it
            assert ids[: last + 1] == [f"c{i:07d}" for i in range(last + 1)]
            assert len(ids) in (last + 1, last + 2)
            for record in credentials:
                assert record.data == {"i": int(record.id[1:]), "payload": PAYLOAD}
            counter = locker.get("meta", "counter")
            assert counter is not None and counter["n"] in (last, last + 1)
            receipts = locker.list("receipt")
            assert f"r{last:07d}" in [r.id for r in receipts]
            assert all(r.data == {"i": int(r.id[1:])} for r in receipts)
            assert max(int(r.id[1:]) for r in receipts) <= last + 1
            start = len(ids)


def test_sigkill_mid_batch_is_all_or_nothing(wallet_dir: Path) -> None:
    batch = 250
    last = _run_and_kill(wallet_dir, 0, batch=batch, commits=6)
    assert _integrity(wallet_dir) == "ok"
    with Locker.open(wallet_dir, PASS) as locker:
        count = len(locker.list("credential"))
    assert count % batch == 0
    assert count in (last + 1, last + 1 + batch)
