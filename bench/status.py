"""Benchmark: status list decode, cached checks, compressed size and re-publishing.

Prints absolute times and ratios against references measured in the same run:

- decode (strict multibase + bounded GZIP inflate) of a 131,072- and a 16,777,216-entry list,
  empty and 1% revoked, vs. bare ``base64`` + ``zlib.decompress`` (the cost of the checks);
- cached status checks per second: the raw bit read, ``status_of`` on a parsed entry, and a full
  ``check_status`` through ``CachedStatusListClient``, each vs. a bare dict lookup;
- compressed size at 1% revoked, GZIP level 6 vs. 9, for both list sizes;
- re-publishing a 16,777,216-entry list after one revocation: set + encode (level 6) + build
  and sign the BitstringStatusListCredential (eddsa-jcs-2022 and eddsa-rdfc-2022) and the
  Status List Token (EdDSA JWT), vs. encoding alone and vs. level 9.

Targets (issue), checked in a summary at the end: a cached check (``status_of``: an entry
already parsed from the credential against the cached, verified list) < 2 us beyond the dict
lookup of the list; 16M decode < 15 ms; re-publish (set + encode + sign) < 200 ms. Times are
CPU times (best of several runs), as the machines are shared.

    .venv/bin/python bench/status.py [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import random
import sys
import time
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pidm.did.key import did_key, did_key_vm_id  # noqa: E402
from pidm.did.resolver import MethodRouter  # noqa: E402
from pidm.keys import KeyPair  # noqa: E402
from pidm.net import Fetched  # noqa: E402
from pidm.status.bitstring import decode_bitstring, encode_bitstring, new_bitstring  # noqa: E402
from pidm.status.bitstring_vc import (  # noqa: E402
    BitstringStatusListEntry,
    status_list_credential,
    status_list_entry,
)
from pidm.status.check import VerifiedBitstringList, check_status, status_of  # noqa: E402
from pidm.status.client import CachedStatusListClient  # noqa: E402
from pidm.status.packed import BitOrder, MutableStatusList, read_status  # noqa: E402
from pidm.status.token import (  # noqa: E402
    encode_lst,
    new_token_list,
    sign_status_list_token,
    status_list_token_claims,
)
from pidm.testing import DictFetcher  # noqa: E402

T = TypeVar("T")
SMALL, LARGE = 131_072, 16_777_216
NOW = datetime(2026, 3, 1, tzinfo=UTC)
URL = "https://issuer.example/status/1"


#: Targets of the issue, filled in as the sections run: name -> (measured, limit, unit).
TARGETS: dict[str, tuple[float, float, str]] = {}


def timed(fn: Callable[[], T], repeat: int = 5) -> tuple[float, T]:
    """Best CPU time (seconds) of ``repeat`` runs of ``fn`` and its last result. CPU time
    (``process_time``) rather than wall time, so that waiting for a busy shared machine's CPU
    is not counted; everything measured here is single-threaded."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.process_time()
        result = fn()
        best = min(best, time.process_time() - start)
    return best, result  # type: ignore[return-value]


def per_call(fn: Callable[[], object], n: int) -> float:
    """Best per-call CPU time (seconds) over 5 runs of ``n`` calls."""
    best = float("inf")
    for _ in range(5):
        start = time.process_time()
        for _ in range(n):
            fn()
        best = min(best, (time.process_time() - start) / n)
    return best


def revoked(entries: int, rate: float, seed: int = 7) -> MutableStatusList:
    bits = new_bitstring(entries)
    for index in random.Random(seed).sample(range(entries), int(entries * rate)):
        bits.set(index, 1)
    return bits


def bench_decode(lists: dict[str, MutableStatusList]) -> None:
    print("decode encodedList (multibase + bounded GZIP inflate)")
    for name, bits in lists.items():
        encoded = encode_bitstring(bits)
        t, data = timed(lambda e=encoded: decode_bitstring(e), 7)  # type: ignore[misc]
        assert data == bytes(bits.data)
        text = encoded[1:] + "=" * (-len(encoded[1:]) % 4)

        def bare(text: str = text) -> bytes:
            return zlib.decompress(base64.urlsafe_b64decode(text), 31)

        ref, _ = timed(bare, 7)
        if name.startswith("16,777,216"):
            TARGETS[f"decode {name} list"] = (t * 1e3, 15.0, "ms")
        print(
            f"  {name:<22} {t * 1e3:8.2f} ms   bare b64decode + zlib.decompress {ref * 1e3:7.2f} ms"
            f"   ratio {t / ref:5.2f}"
        )


def bench_checks(bits: MutableStatusList, did: str, quick: bool) -> None:
    print("cached status checks (1-bit list of 131,072 entries)")
    n = 100_000 if quick else 400_000
    data = bytes(bits.data)
    cache = {URL: data}
    lookup = per_call(lambda: cache[URL], n)
    read = per_call(lambda: read_status(cache[URL], 94567, 1, BitOrder.MSB_FIRST), n)
    entry = BitstringStatusListEntry.parse(status_list_entry(URL, 94567))
    verified = VerifiedBitstringList(URL, did, frozenset({"revocation"}), None, None, None, data)
    lists = {URL: verified}
    full = per_call(lambda: status_of(entry, lists[URL], issuer=did, now=NOW), n)
    print(f"  dict lookup                 {lookup * 1e9:8.0f} ns")
    print(
        f"  lookup + bit read           {read * 1e9:8.0f} ns   beyond lookup "
        f"{(read - lookup) * 1e9:6.0f} ns   {1 / read:12,.0f} checks/s"
    )
    print(
        f"  lookup + status_of          {full * 1e9:8.0f} ns   beyond lookup "
        f"{(full - lookup) * 1e9:6.0f} ns   {1 / full:12,.0f} checks/s"
        "   (purpose, issuer, validity window, size, bounds, bit read, message)"
    )
    TARGETS["cached check (status_of) beyond the dict lookup"] = ((full - lookup) * 1e6, 2.0, "us")
    raw_entry = status_list_entry(URL, 94567)
    client = CachedStatusListClient(
        DictFetcher({URL: Fetched(URL, b"{}", "", None)}), MethodRouter()
    )
    client._cache[("bitstring", URL)] = (float("inf"), verified)  # pre-verified list

    async def many(k: int) -> float:
        start = time.process_time()
        for _ in range(k):
            await check_status(raw_entry, issuer=did, client=client, now=NOW)
        return (time.process_time() - start) / k

    k = n // 10
    via_client = min(asyncio.run(many(k)) for _ in range(3))
    print(
        f"  check_status (parse entry + client cache + Check)  {via_client * 1e6:6.2f} us   "
        f"{1 / via_client:10,.0f} checks/s   ratio to bit read {via_client / read:5.1f}"
    )


def bench_sizes(lists: dict[str, MutableStatusList]) -> None:
    print("compressed size (GZIP, multibase base64url encodedList)")
    for name, bits in lists.items():
        raw = len(bits.data)
        t6, six = timed(lambda b=bits: encode_bitstring(b, level=6), 3)  # type: ignore[misc]
        t9, nine = timed(lambda b=bits: encode_bitstring(b, level=9), 3)  # type: ignore[misc]
        print(
            f"  {name:<22} raw {raw:>10,} B   level 6 {len(six):>9,} chars ({t6 * 1e3:6.1f} ms)"
            f"   level 9 {len(nine):>9,} chars ({t9 * 1e3:6.1f} ms)   9/6 time {t9 / t6:4.1f}x"
        )


def _signers() -> dict[str, Callable[[dict[str, Any]], dict[str, Any]]]:
    pair = KeyPair.generate("Ed25519")
    key = pair.with_key_id(did_key_vm_id(pair.public))
    try:
        from pidm.integrity.proof import add_proof  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        return {}
    return {
        suite: (
            lambda doc, s=suite: add_proof(  # type: ignore[misc]
                doc, signer=key, cryptosuite=s, created=NOW
            )
        )
        for suite in ("eddsa-jcs-2022", "eddsa-rdfc-2022")
    }


def bench_republish(bits: MutableStatusList) -> None:
    print("re-publish a 16,777,216-entry list after one revocation (1% already revoked)")
    pair = KeyPair.generate("Ed25519")
    did = did_key(pair.public)
    counter = iter(range(10**9))

    def encode(level: int) -> str:
        bits.set(next(counter) * 7919 % LARGE, 1)
        return encode_bitstring(bits, level=level)

    t_enc6, encoded = timed(lambda: encode(6), 3)
    t_enc9, _ = timed(lambda: encode(9), 3)
    print(f"  set + encode, level 6       {t_enc6 * 1e3:8.1f} ms")
    print(
        f"  set + encode, level 9       {t_enc9 * 1e3:8.1f} ms   ratio 9/6 {t_enc9 / t_enc6:4.1f}x"
    )
    signers = _signers()
    if not signers:
        print("  (pidm.integrity.proof not available: Data Integrity signing not measured)")
    for suite, sign in signers.items():

        def publish(sign: Callable[[dict[str, Any]], dict[str, Any]] = sign) -> dict[str, Any]:
            return status_list_credential(
                url=URL,
                issuer=did,
                purpose="revocation",
                encoded_list=encode(6),
                valid_from=NOW,
                sign=sign,
            )

        def sign_only(sign: Callable[[dict[str, Any]], dict[str, Any]] = sign) -> object:
            return status_list_credential(url=URL, issuer=did, purpose="revocation",
                                          encoded_list=encoded, valid_from=NOW, sign=sign)

        t_pub, doc = timed(publish, 3)
        t_sign, _ = timed(sign_only, 3)
        size = len(doc["credentialSubject"]["encodedList"])
        TARGETS[f"re-publish 16,777,216 entries ({suite})"] = (t_pub * 1e3, 200.0, "ms")
        print(
            f"  set + encode + sign {suite:<16} {t_pub * 1e3:7.1f} ms   "
            f"(build + sign alone {t_sign * 1e3:6.1f} ms; encodedList {size:,} chars)"
        )
    token_list = new_token_list(LARGE, 1)
    token_list.data[:] = bits.data  # same density; bit order does not change the size
    key = pair.with_key_id(did_key_vm_id(pair.public))

    def publish_token() -> str:
        token_list.set(next(counter) * 7919 % LARGE, 1)
        claims = status_list_token_claims(
            uri=URL, status_list=token_list, iat=1, exp=2, ttl=300, level=6
        )
        return sign_status_list_token(claims, key)

    t_tok, jwt = timed(publish_token, 3)
    t_lst, _ = timed(lambda: encode_lst(token_list), 3)
    TARGETS["re-publish 16,777,216 entries (token)"] = (t_tok * 1e3, 200.0, "ms")
    print(
        f"  set + encode + sign token (EdDSA JWT) {t_tok * 1e3:7.1f} ms   "
        f"(lst alone {t_lst * 1e3:6.1f} ms; JWT {len(jwt):,} chars)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer iterations")
    args = parser.parse_args()
    start = time.perf_counter()
    lists = {
        "131,072 empty": new_bitstring(SMALL),
        "131,072 1% revoked": revoked(SMALL, 0.01),
        "16,777,216 empty": new_bitstring(LARGE),
        "16,777,216 1% revoked": revoked(LARGE, 0.01),
    }
    print(f"(built lists in {time.perf_counter() - start:.1f} s)")
    bench_decode(lists)
    did = did_key(KeyPair.generate("Ed25519").public)
    bench_checks(lists["131,072 1% revoked"], did, args.quick)
    bench_sizes({k: v for k, v in lists.items() if "revoked" in k})
    bench_republish(lists["16,777,216 1% revoked"])
    print("targets")
    for name, (value, limit, unit) in TARGETS.items():
        verdict = "met" if value < limit else "NOT met"
        print(f"  {name:<52} {value:8.2f} {unit}  (< {limit:g} {unit})  {verdict}")
    met = all(value < limit for value, limit, _ in TARGETS.values())
    print("all targets met" if met else "targets NOT met")


if __name__ == "__main__":
    main()
