"""Benchmark: credentials issued per second through the issuer's HTTP endpoints, one process,
against the in-process signing rate measured in the same run.

The HTTP path is the whole OpenID4VCI job a wallet drives — admin offer, token, nonce,
credential request with ``--batch`` key proofs — over real loopback HTTP against a server in
the same process (so the client's proof signing is counted too), ``--concurrency`` wallets at
a time. The reference is the bare signing step the endpoint cannot skip: ``issue_sd_jwt`` (or
``add_proof`` for ``ldp_vc``) with the same claims, key and status entry, in a loop.

    .venv/bin/python bench/issuer_http.py [--format dc+sd-jwt|ldp_vc] [--seconds 5]
        [--batch 5] [--concurrency 8] [--postgres DSN]

With ``--postgres`` the store lives in a schema of its own, dropped when the run ends.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402

from bench._scratch import scratch_schema  # noqa: E402
from issuer.app import Deps, create_app  # noqa: E402
from issuer.config import IssuerConfig, load_config, load_signing_key  # noqa: E402
from issuer.formats import ldp_vc, sd_jwt_vc  # noqa: E402
from issuer.init import init_issuer  # noqa: E402
from issuer.proofs import HolderKey  # noqa: E402
from issuer.status_lists import BITSTRING, TOKEN, Entry  # noqa: E402
from pidm.clock import SystemClock  # noqa: E402
from pidm.jose import sign_jwt  # noqa: E402
from pidm.keys import KeyPair  # noqa: E402

PRE_AUTH = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
CLAIMS: dict[str, Any] = {"given_name": "Ada", "family_name": "Lovelace",
                          "email": "ada@example.com", "phone_number": "+44 20 7946 0000",
                          "postal_code": "W1"}
CONFIGS = {"dc+sd-jwt": "contact_profile_sd_jwt", "ldp_vc": "contact_profile_ldp_vc"}


def signing_rate(config: IssuerConfig, fmt: str, seconds: float) -> float:
    """Credentials per second from the format builder alone (no HTTP, no store)."""
    signer = load_signing_key(config)
    conf = config.configurations[CONFIGS[fmt]]
    holder = HolderKey(KeyPair.generate().public, "n")
    clock = SystemClock()
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        if fmt == "dc+sd-jwt":
            sd_jwt_vc(config, conf, CLAIMS, holder, Entry(TOKEN, "tok-x", count % 131072),
                      signer=signer, now=clock.now(), rng=secrets.token_bytes)
        else:
            ldp_vc(config, conf, CLAIMS, holder, Entry(BITSTRING, "rev-x", count % 131072),
                   credential_id=f"urn:uuid:{count}", signer=signer, now=clock.now())
        count += 1
    return count / (time.perf_counter() - start)


async def get_token(session: aiohttp.ClientSession, url: str, admin: dict[str, str],
                    fmt: str) -> str:
    """Admin offer, then the wallet's token request: an access token for ``fmt``."""
    async with session.post(url + "/admin/offers", headers=admin, json={
            "credential_configuration_ids": [CONFIGS[fmt]], "claims": CLAIMS}) as r:
        offer = (await r.json())["offer"]
    code = offer["grants"][PRE_AUTH]["pre-authorized_code"]
    async with session.post(url + "/token", data={"grant_type": PRE_AUTH,
                                                  "pre-authorized_code": code}) as r:
        return str((await r.json())["access_token"])


async def get_credentials(session: aiohttp.ClientSession, url: str, token: str, fmt: str,
                          keys: list[KeyPair]) -> int:
    """Nonce, then one credential request with a proof per key; returns credentials received."""
    async with session.post(url + "/nonce") as r:
        c_nonce = (await r.json())["c_nonce"]
    iat = int(time.time())
    proofs = [sign_jwt({"typ": "openid4vci-proof+jwt", "jwk": k.public.to_jwk()},
                       {"aud": url, "iat": iat, "nonce": c_nonce}, k) for k in keys]
    async with session.post(url + "/credential", headers={"Authorization": f"Bearer {token}"},
                            json={"credential_configuration_id": CONFIGS[fmt],
                                  "proofs": {"jwt": proofs}}) as r:
        body = await r.json()
        if r.status != 200:
            raise RuntimeError(f"credential request failed: {body}")
    return len(body["credentials"])


async def wallet(session: aiohttp.ClientSession, url: str, admin: dict[str, str], fmt: str,
                 keys: list[KeyPair]) -> int:
    """One wallet run of the whole flow; returns the number of credentials received."""
    token = await get_token(session, url, admin, fmt)
    return await get_credentials(session, url, token, fmt, keys)


async def _timed(seconds: float, round_: Any) -> float:
    issued, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        issued += sum(await round_())
    return issued / (time.perf_counter() - start)


async def http_rates(config: IssuerConfig, fmt: str, seconds: float, batch: int,
                     concurrency: int) -> tuple[float, float]:
    """(whole flow, credential endpoint only) credentials per second over loopback HTTP."""
    runner = web.AppRunner(create_app(config, deps=Deps()), access_log=None)
    await runner.setup()
    port = int(config.public_url.rsplit(":", 1)[1])
    await web.TCPSite(runner, "127.0.0.1", port).start()
    keys = [[KeyPair.generate() for _ in range(batch)] for _ in range(concurrency)]
    admin = {"Authorization": f"Bearer {config.admin_token}"}
    url = config.public_url
    try:
        async with aiohttp.ClientSession() as session:
            await wallet(session, url, admin, fmt, keys[0])  # warm up
            flow = await _timed(seconds, lambda: asyncio.gather(
                *(wallet(session, url, admin, fmt, k) for k in keys)))
            tokens = [await get_token(session, url, admin, fmt) for _ in keys]
            pairs = list(zip(tokens, keys, strict=True))
            endpoint = await _timed(seconds, lambda: asyncio.gather(
                *(get_credentials(session, url, t, fmt, k) for t, k in pairs)))
    finally:
        await runner.cleanup()
    return flow, endpoint


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--format", choices=sorted(CONFIGS), default="dc+sd-jwt")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--batch", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--postgres", metavar="DSN",
                        help="use this PostgreSQL server (a scratch schema, dropped afterwards)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        store = "issuer.db"
        if args.postgres:
            store = stack.enter_context(scratch_schema(args.postgres))
        init_issuer(tmp, public_url=f"http://127.0.0.1:{free_port()}", store=store)
        config = load_config(Path(tmp) / "issuer.toml")
        reference = signing_rate(config, args.format, args.seconds)
        flow, endpoint = asyncio.run(http_rates(config, args.format, args.seconds, args.batch,
                                                args.concurrency))
    backend = "postgres" if args.postgres else "sqlite"
    print(f"format {args.format}, batch {args.batch}, {args.concurrency} concurrent wallets, "
          f"{backend} store")
    print(f"in-process signing (reference): {reference:10.1f} credentials/s")
    print(f"credential endpoint over HTTP:  {endpoint:10.1f} credentials/s"
          f"   ratio {endpoint / reference:5.2f}  (nonce + credential request)")
    print(f"whole flow over HTTP:           {flow:10.1f} credentials/s"
          f"   ratio {flow / reference:5.2f}  (offer + token + nonce + credential)")

if __name__ == "__main__":
    main()
