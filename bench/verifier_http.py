"""Benchmark: presentations verified per second through the verifier's OpenID4VP response
endpoint, against the in-process verification rate measured in the same run.

Setup (not timed): a did:key issuer signs SD-JWT VCs (age + contact) with a Token Status List
entry served from memory; ``--count`` transactions are started through the admin API and a
wallet builds each response (two presentations with KB-JWTs bound to the transaction nonce).
Timed: ``--concurrency`` clients, in a child process of their own (so they do not share the
server's event loop), POST those responses to ``/response`` over loopback HTTP (verification,
result storage, signed receipt: the whole endpoint); then the same work minus HTTP, storage
and receipt signing — ``verify_vp_token`` on identical fresh presentations, in a
loop — as the reference. Prints throughput (responses and presentations per second), p50/p99
latency and the ratio.

    .venv/bin/python bench/verifier_http.py [--count 2000] [--concurrency 50] [--postgres DSN]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import socket
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402

from bench._scratch import scratch_schema  # noqa: E402
from pidm.clock import SystemClock  # noqa: E402
from pidm.did.key import did_key, did_key_vm_id  # noqa: E402
from pidm.did.resolver import CachingResolver, MethodRouter  # noqa: E402
from pidm.encoding import b64url_decode  # noqa: E402
from pidm.keys import KeyPair  # noqa: E402
from pidm.net import Fetched  # noqa: E402
from pidm.oid4vc.dcql import DcqlQuery  # noqa: E402
from pidm.sdjwt import issue_sd_jwt, present_sd_jwt  # noqa: E402
from pidm.status import (  # noqa: E402
    CachedStatusListClient,
    new_token_list,
    sign_status_list_token,
    status_claim,
    status_list_token_claims,
)
from pidm.testing import DictFetcher  # noqa: E402
from verifier.app import Deps, create_app  # noqa: E402
from verifier.checks import Expectations  # noqa: E402
from verifier.config import VerifierConfig, load_config  # noqa: E402
from verifier.init import init_verifier  # noqa: E402
from verifier.pipeline import verify_vp_token  # noqa: E402
from verifier.policy import TrustPolicy  # noqa: E402

LIST_URL = "https://issuer.example/status/token/1"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class Issuer:
    """A did:key issuer with one in-memory status list of ``entries`` entries."""

    def __init__(self, entries: int) -> None:
        key = KeyPair.generate()
        self.key = key.with_key_id(did_key_vm_id(key.public))
        self.did = did_key(key.public)
        now = int(time.time())
        claims = status_list_token_claims(uri=LIST_URL, status_list=new_token_list(entries),
                                          iat=now, exp=now + 86_400, iss=self.did)
        token = sign_status_list_token(claims, self.key).encode()
        self.fetcher = DictFetcher({LIST_URL: Fetched(LIST_URL, token, "", 3600)})

    def credential(self, vct: str, claims: dict[str, Any], holder: KeyPair, idx: int) -> str:
        return issue_sd_jwt(claims, signer=self.key, disclose=list(claims),
                            holder_key=holder.public, vct=vct, issuer=self.did,
                            issued_at=int(time.time()), status=status_claim(LIST_URL, idx))


def held_credentials(issuer: Issuer, n: int) -> list[tuple[str, KeyPair, str, KeyPair]]:
    out = []
    for i in range(n):
        age_key, contact_key = KeyPair.generate(), KeyPair.generate()
        out.append((
            issuer.credential("urn:pidm:vct:age_over_18", {"age_over_18": True}, age_key, i),
            age_key,
            issuer.credential("urn:pidm:vct:contact_profile",
                              {"postal_code": "W1", "email": "a@b.example"}, contact_key, i),
            contact_key,
        ))
    return out


def vp_token(held: tuple[str, KeyPair, str, KeyPair], client_id: str, nonce: str
             ) -> dict[str, Any]:
    age, age_key, contact, contact_key = held
    now = int(time.time())
    return {
        "age": [present_sd_jwt(age, disclose=["age_over_18"], holder=age_key,
                               audience=client_id, nonce=nonce, issued_at=now)],
        "postcode": [present_sd_jwt(contact, disclose=["postal_code"], holder=contact_key,
                                    audience=client_id, nonce=nonce, issued_at=now)],
    }


async def prepare(session: aiohttp.ClientSession, config: VerifierConfig, held: list[Any]
                  ) -> list[bytes]:
    """Start one transaction per wallet and build its form body (state + vp_token)."""
    admin = {"Authorization": f"Bearer {config.admin_token}"}
    bodies = []
    for item in held:
        async with session.post(config.url("/admin/transactions"), headers=admin,
                                json={"request": "age_and_area"}) as r:
            tx = await r.json()
        state = tx["request_uri"].rsplit("/", 1)[1]
        async with session.get(tx["request_uri"]) as r:
            payload = (await r.text()).split(".")[1]
        nonce = json.loads(b64url_decode(payload))["nonce"]
        token = vp_token(item, config.client_id, nonce)
        bodies.append(urlencode({"vp_token": json.dumps(token), "state": state}).encode())
    return bodies


async def post_all(session: aiohttp.ClientSession, url: str, bodies: list[bytes],
                   concurrency: int) -> tuple[float, list[float]]:
    """POST every body with ``concurrency`` clients; (elapsed seconds, per-request latencies)."""
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    latencies: list[float] = []

    async def client() -> None:
        while not queue.empty():
            body = queue.get_nowait()
            start = time.perf_counter()
            async with session.post(url, data=body, headers=FORM) as r:
                answer = await r.json()
                if r.status != 200:
                    raise RuntimeError(f"refused: {answer}")
            latencies.append(time.perf_counter() - start)

    start = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    return time.perf_counter() - start, latencies


def post_all_in_process(url: str, bodies: list[bytes], concurrency: int
                        ) -> tuple[float, list[float]]:
    """:func:`post_all` on a fresh event loop and session (run in a child process, so the
    clients do not share the server's event loop and CPU)."""

    async def go() -> tuple[float, list[float]]:
        connector = aiohttp.TCPConnector(limit=concurrency)
        async with aiohttp.ClientSession(connector=connector) as session:
            return await post_all(session, url, bodies, concurrency)

    return asyncio.run(go())


async def in_process_rate(config: VerifierConfig, issuer: Issuer, held: list[Any]) -> float:
    """Presentations verified per second by the same pipeline, without HTTP or storage."""
    resolver = CachingResolver(MethodRouter())
    client = CachedStatusListClient(issuer.fetcher, resolver)
    query = DcqlQuery.parse(config.requests["age_and_area"].dcql_query.to_json())
    policy = TrustPolicy.from_config(config.trust)
    tokens = [(f"n{i}", vp_token(h, config.client_id, f"n{i}")) for i, h in enumerate(held)]
    start = time.perf_counter()
    for nonce, token in tokens:
        expect = Expectations(config.client_id, nonce, SystemClock().now(), policy,
                              kb_max_age=timedelta(seconds=config.kb_max_age))
        decision = await verify_vp_token(
            {k: tuple(v) for k, v in token.items()}, query, expect=expect, resolver=resolver,
            status_client=client)
        if not decision.result.valid:
            raise RuntimeError(f"in-process verification failed: {decision.result.errors}")
    return len(tokens) / (time.perf_counter() - start)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def run(config: VerifierConfig, issuer: Issuer, count: int, concurrency: int) -> None:
    held = held_credentials(issuer, count)
    app = create_app(config, deps=Deps(fetcher=issuer.fetcher))
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = int(config.public_url.rsplit(":", 1)[1])
    await web.TCPSite(runner, "127.0.0.1", port).start()
    connector = aiohttp.TCPConnector(limit=concurrency)
    try:
        async with aiohttp.ClientSession(connector=connector) as session:
            bodies = await prepare(session, config, held)
        spawn = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(1, mp_context=spawn) as clients:
            elapsed, latencies = await asyncio.get_running_loop().run_in_executor(
                clients, post_all_in_process, config.response_uri, bodies, concurrency)
    finally:
        await runner.cleanup()
    reference = await in_process_rate(config, issuer, held)
    rate = count / elapsed
    print(f"{count} responses (2 SD-JWT VC presentations each), {concurrency} concurrent "
          f"clients (in a separate process), {config.store_dsn.split(':', 1)[0]} store")
    print(f"in-process verification (reference): {reference:8.1f} responses/s "
          f"({2 * reference:8.1f} presentations/s)")
    print(f"response endpoint over HTTP:          {rate:8.1f} responses/s "
          f"({2 * rate:8.1f} presentations/s)   ratio {rate / reference:5.2f}")
    print(f"latency p50 {percentile(latencies, 0.50) * 1000:7.1f} ms   "
          f"p99 {percentile(latencies, 0.99) * 1000:7.1f} ms")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--postgres", metavar="DSN",
                        help="use this PostgreSQL server (a scratch schema, dropped afterwards)")
    args = parser.parse_args()
    if args.count < 1 or args.concurrency < 1:
        parser.error("--count and --concurrency must be positive")
    issuer = Issuer(entries=max(1024, -(-args.count // 8) * 8))  # one entry per wallet
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        store = "verifier.db"
        if args.postgres:
            store = stack.enter_context(scratch_schema(args.postgres))
        init_verifier(tmp, public_url=f"http://127.0.0.1:{free_port()}", did_method="key",
                      issuers=[issuer.did], store=store)
        config = load_config(Path(tmp) / "verifier.toml")
        asyncio.run(run(config, issuer, args.count, args.concurrency))


if __name__ == "__main__":
    main()
