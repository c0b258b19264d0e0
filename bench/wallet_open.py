"""Benchmark: wallet open time and list + decrypt of many credential records.

Prints absolute times, ops/s and ratios against references measured in the same run:
- open vs. one bare Argon2id derivation with the same cost (the KDF should be all of it);
- ``Locker.list("credential")`` vs. a bare SQLite SELECT of the same rows, a bare SecretBox
  decrypt loop over them and a bare ``json.loads`` of the plaintexts; the ratio to their sum is
  the cost of the kind/id binding checks, the id tags and the record objects.

    .venv/bin/python bench/wallet_open.py [--records 10000] [--kdf moderate|interactive|minimum]
"""

from __future__ import annotations

import argparse
import json
import secrets
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import nacl.pwhash.argon2id  # noqa: E402
import nacl.secret  # noqa: E402

from wallet.locker import DB_NAME, Locker  # noqa: E402
from wallet.sealing import KdfParams  # noqa: E402

T = TypeVar("T")
PASS = "bench passphrase"
KDFS = {
    "moderate": KdfParams.MODERATE,
    "interactive": KdfParams.INTERACTIVE,
    "minimum": KdfParams.MINIMUM,
}


def timed(fn: Callable[[], T], repeat: int = 1) -> tuple[float, T]:
    """Best wall time of ``repeat`` runs of ``fn`` and its last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result  # type: ignore[return-value]


def credential(i: int) -> dict[str, object]:
    """A record about the size of a small SD-JWT VC with its metadata (~1.5 KB)."""
    return {
        "format": "dc+sd-jwt",
        "issuer": "did:web:issuer.example",
        "vct": "https://credentials.example/identity",
        "raw": "eyJ" + secrets.token_urlsafe(1000),
        "claims": {"given_name": f"Person {i}", "birthdate": "1990-01-01", "age_over_18": True},
    }


def bench_open(directory: Path, kdf: KdfParams) -> None:
    t_create, locker = timed(lambda: Locker.create(directory, PASS, kdf=kdf))
    locker.close()
    t_open, locker = timed(lambda: Locker.open(directory, PASS), repeat=3)
    locker.close()
    salt = secrets.token_bytes(16)
    t_kdf, _ = timed(
        lambda: nacl.pwhash.argon2id.kdf(
            32, PASS.encode(), salt, opslimit=kdf.opslimit, memlimit=kdf.memlimit
        ),
        repeat=3,
    )
    mib = kdf.memlimit // (1024 * 1024)
    print(f"KDF argon2id ops={kdf.opslimit} mem={mib} MiB")
    print(f"  create wallet          {t_create * 1000:9.1f} ms")
    print(f"  open wallet            {t_open * 1000:9.1f} ms")
    print(f"  bare Argon2id          {t_kdf * 1000:9.1f} ms   open/argon2id = {t_open / t_kdf:.2f}")


def bench_list(directory: Path, records: int) -> None:
    with Locker.open(directory, PASS) as locker:
        items = [(f"urn:uuid:{i:08d}", credential(i)) for i in range(records)]
        t_put, _ = timed(lambda: locker.put_many("credential", items))
        t_list, listed = timed(lambda: locker.list("credential"), repeat=3)
        assert len(listed) == records
        sample = [items[i][0] for i in range(0, records, max(1, records // 1000))]
        t_get, _ = timed(lambda: [locker.get("credential", rid) for rid in sample])

    conn = sqlite3.connect(directory / DB_NAME)
    query = "SELECT tag, sealed FROM records WHERE kind = 'credential'"
    t_select, rows = timed(lambda: conn.execute(query).fetchall(), repeat=3)
    conn.close()
    box = nacl.secret.SecretBox(secrets.token_bytes(32))
    boxes = [box.encrypt(json.dumps(data).encode()) for _, data in items]  # the same plaintexts
    t_decrypt, plain = timed(lambda: [box.decrypt(b) for b in boxes], repeat=3)
    t_json, _ = timed(lambda: [json.loads(p) for p in plain], repeat=3)

    print(f"{records} credential records (~{len(rows[0][1])} bytes sealed each)")
    print(f"  put_many (1 tx)        {t_put * 1000:9.1f} ms   {records / t_put:10.0f} rec/s")
    print(f"  list + decrypt         {t_list * 1000:9.1f} ms   {records / t_list:10.0f} rec/s")
    print(f"  get by id ({len(sample)})       {t_get * 1000:9.1f} ms   "
          f"{len(sample) / t_get:10.0f} get/s")
    print(f"  ref: bare SELECT       {t_select * 1000:9.1f} ms   list/select  = "
          f"{t_list / t_select:.1f}x")
    print(f"  ref: bare SecretBox    {t_decrypt * 1000:9.1f} ms   list/decrypt = "
          f"{t_list / t_decrypt:.1f}x")
    print(f"  ref: bare json.loads   {t_json * 1000:9.1f} ms")
    floor = t_select + t_decrypt + t_json
    print(f"  ref: sum of the three  {floor * 1000:9.1f} ms   list/(sum)   = {t_list / floor:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--kdf", choices=sorted(KDFS), default="moderate")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bench_open(Path(tmp) / "wallet", KDFS[args.kdf])
        bench_list(Path(tmp) / "wallet", args.records)


if __name__ == "__main__":
    main()
