"""Benchmark: wallet open time and DCQL matching in a wallet holding 10,000 credentials.

A wallet is filled with real SD-JWT VCs (issued with pidm.sdjwt, ten credential types, one
holder key each) and closed. Then, measured in this run:

- open: Argon2id unlock (``Wallet.open``) and the first build of the decrypted credential index
  (every record unsealed once), against a bare ``Locker.list`` of the same records;
- match: ``Wallet.index.match`` of a DCQL query (one type, a ``values`` filter, claim sets)
  against the index (target: under 50 ms), against the reference ``pidm.oid4vc.match_query``
  over every credential without the index's format/type buckets;
- screen: the whole consent screen (match + required/optional analysis).

    .venv/bin/python bench/wallet_dcql.py [--credentials 10000] [--kdf moderate|minimum]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pidm.did.key import did_key, did_key_vm_id  # noqa: E402
from pidm.keys import KeyPair  # noqa: E402
from pidm.oid4vc.dcql_eval import match_query  # noqa: E402
from pidm.oid4vc.vp import AuthorizationRequest  # noqa: E402
from pidm.sdjwt import SdJwt, issue_sd_jwt, process_payload  # noqa: E402
from wallet import KdfParams, Wallet  # noqa: E402
from wallet.consent import build_screen  # noqa: E402
from wallet.credentials import HeldCredential  # noqa: E402

T = TypeVar("T")
PASS = "bench passphrase"
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
TYPES = 10
KDFS = {"moderate": KdfParams.MODERATE, "interactive": KdfParams.INTERACTIVE,
        "minimum": KdfParams.MINIMUM}
QUERY = {
    "credentials": [{
        "id": "contact", "format": "dc+sd-jwt",
        "meta": {"vct_values": ["urn:bench:vct:3"]},
        "claims": [{"id": "email", "path": ["email"]}, {"id": "name", "path": ["given_name"]},
                   {"id": "adult", "path": ["age_over_18"], "values": [True]}],
        "claim_sets": [["email", "name", "adult"], ["email", "adult"]],
    }],
}


def timed(fn: Callable[[], T], repeat: int = 1) -> tuple[list[float], T]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return times, result  # type: ignore[return-value]


def fill(directory: Path, count: int, kdf: KdfParams) -> None:
    issuer = KeyPair.generate("Ed25519")
    issuer = issuer.with_key_id(did_key_vm_id(issuer.public))
    holder = KeyPair.generate("Ed25519")
    holder = holder.with_key_id(did_key_vm_id(holder.public))
    wallet = Wallet.create(directory, PASS, kdf=kdf)
    items = []
    for i in range(count):
        claims = {"given_name": f"Person {i}", "email": f"p{i}@example.com",
                  "postal_code": f"{1000 + i % 9000}", "age_over_18": i % 3 != 0}
        token = issue_sd_jwt(claims, signer=issuer, disclose=list(claims),
                             holder_key=holder.public, vct=f"urn:bench:vct:{i % TYPES}",
                             issued_at=NOW - timedelta(days=1))
        parsed = SdJwt.parse(token)
        held = HeldCredential(
            id=f"g{i:05d}/0", group=f"g{i:05d}", format="dc+sd-jwt", credential=token,
            holder_key=holder.key_id, issuer=did_key(issuer.public), name="Bench credential",
            claims=process_payload(parsed.payload, parsed.decoded()).claims, received_at=NOW,
            vct=f"urn:bench:vct:{i % TYPES}",
        )
        items.append((held.id, held.to_dict()))
    wallet.locker.put_many("credential", items)
    wallet.close()


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--credentials", type=int, default=10_000)
    parser.add_argument("--kdf", choices=sorted(KDFS), default="moderate")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp) / "wallet"
        start = time.perf_counter()
        fill(directory, args.credentials, KDFS[args.kdf])
        print(f"filled a wallet with {args.credentials} SD-JWT VCs in "
              f"{time.perf_counter() - start:.1f} s (kdf {args.kdf})")

        [unlock], wallet = timed(lambda: Wallet.open(directory, PASS))
        [build], index = timed(lambda: wallet.index)
        [bare], records = timed(lambda: wallet.locker.list("credential"))
        print(f"open: unlock {ms(unlock)} + index build {ms(build)} = {ms(unlock + build)}")
        print(f"  index build / bare Locker.list of {len(records)} records: "
              f"{build / bare:5.2f}x ({ms(bare)})")

        request = AuthorizationRequest.parse({
            "client_id": "decentralized_identifier:did:web:shop.example",
            "response_type": "vp_token", "response_mode": "direct_post",
            "response_uri": "https://shop.example/response", "nonce": "n1", "dcql_query": QUERY,
        })
        query = request.dcql_query
        times, (match, held) = timed(lambda: index.match(query, NOW), args.repeat)
        found = len(match.matches["contact"])
        candidates = [c.candidate for g in index.groups() for c in g.copies]
        ref_times, ref = timed(lambda: match_query(query, candidates), max(3, args.repeat // 4))
        assert len(ref.matches["contact"]) == found
        screen_times, _ = timed(lambda: build_screen(request, *index.match(query, NOW)),
                                args.repeat)
        median, ref_median = statistics.median(times), statistics.median(ref_times)
        target = "OK" if median < 0.050 else "OVER TARGET"
        print(f"match ({found} of {len(index)} credentials match): median {ms(median)}, "
              f"max {ms(max(times))}  [{target}: < 50 ms]  {1 / median:8.1f} queries/s")
        print(f"  reference match_query over all credentials: {ms(ref_median)} "
              f"-> indexed is {ref_median / median:5.2f}x faster")
        print(f"consent screen (match + required/optional): median "
              f"{ms(statistics.median(screen_times))}")
        wallet.close()


if __name__ == "__main__":
    main()
