"""Drive a real issuer over HTTP on 127.0.0.1: start it from a config written by the same code
as ``pidm issuer init``, and play the wallet's side of OpenID4VCI."""

from __future__ import annotations

import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp
from aiohttp import web

from issuer.app import Deps, create_app
from issuer.config import IssuerConfig, load_config
from issuer.init import init_issuer
from pidm.clock import FixedClock
from pidm.did.resolver import DIDResolver, MethodRouter
from pidm.jose import sign_jwt
from pidm.keys import KeyPair
from pidm.net import SafeFetcher
from pidm.status.check import check_status
from pidm.status.client import CachedStatusListClient
from pidm.verification import CheckStatus

T0 = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
PRE_AUTH = "urn:ietf:params:oauth:grant-type:pre-authorized_code"


def bound_socket(port: int = 0) -> socket.socket:
    """A listening-ready TCP socket on 127.0.0.1 (port 0: any free port)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    return sock


@dataclass
class RunningIssuer:
    """An issuer serving on a real socket, plus an HTTP client session and admin headers."""

    config: IssuerConfig
    clock: FixedClock
    runner: web.AppRunner
    session: aiohttp.ClientSession
    port: int
    directory: Path
    store: str
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.config.public_url

    @property
    def admin(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.config.admin_token}"}

    async def stop(self) -> None:
        await self.runner.cleanup()

    async def json(self, method: str, path: str, body: Any = None, *,
                   admin: bool = False, headers: Mapping[str, str] | None = None,
                   ) -> tuple[int, Any, Mapping[str, str]]:
        hdrs = dict(self.admin if admin else {})
        hdrs.update(headers or {})
        async with self.session.request(method, self.url + path, json=body, headers=hdrs) as r:
            data = await r.json(content_type=None)
            return r.status, data, r.headers


async def start_issuer(
    directory: Path,
    *,
    store: str,
    clock: FixedClock | None = None,
    did_method: str = "web",
    port: int = 0,
    init: bool = True,
) -> RunningIssuer:
    """Write a config with ``init_issuer`` (unless ``init`` is False) and serve it."""
    sock = bound_socket(port)
    port = sock.getsockname()[1]
    if init:
        init_issuer(directory, public_url=f"http://127.0.0.1:{port}", did_method=did_method,
                    store=store)
    config = load_config(directory / "issuer.toml")
    clock = clock or FixedClock(T0)
    runner = web.AppRunner(create_app(config, deps=Deps(clock=clock)))
    await runner.setup()
    await web.SockSite(runner, sock).start()
    session = aiohttp.ClientSession()
    return RunningIssuer(config, clock, runner, session, port, directory, store)


def proof_jwt(key: KeyPair, *, aud: str, nonce: str | None, iat: float,
              header: Mapping[str, Any] | None = None) -> str:
    """A wallet's ``openid4vci-proof+jwt`` over ``key`` (public JWK in the header)."""
    head: dict[str, Any] = {"typ": "openid4vci-proof+jwt", "jwk": key.public.to_jwk()}
    head.update(header or {})
    payload: dict[str, Any] = {"aud": aud, "iat": int(iat)}
    if nonce is not None:
        payload["nonce"] = nonce
    return sign_jwt(head, payload, key)


def offer_from_uri(uri: str) -> dict[str, list[str]]:
    """The query of an ``openid-credential-offer://`` URI."""
    return parse_qs(urlsplit(uri).query)


async def make_offer(issuer: RunningIssuer, configuration_ids: list[str],
                     claims: Mapping[str, Any], **flags: bool) -> dict[str, Any]:
    status, body, _ = await issuer.json(
        "POST", "/admin/offers",
        {"credential_configuration_ids": configuration_ids, "claims": dict(claims), **flags},
        admin=True,
    )
    assert status == 201, body
    return dict(body)


async def redeem(issuer: RunningIssuer, offer: Mapping[str, Any],
                 tx_code: str | None = None) -> tuple[int, Any]:
    code = offer["grants"][PRE_AUTH]["pre-authorized_code"]
    form = {"grant_type": PRE_AUTH, "pre-authorized_code": code}
    if tx_code is not None:
        form["tx_code"] = tx_code
    async with issuer.session.post(issuer.url + "/token", data=form) as r:
        return r.status, await r.json(content_type=None)


async def nonce(issuer: RunningIssuer) -> str:
    async with issuer.session.post(issuer.url + "/nonce") as r:
        assert r.status == 200
        assert r.headers["Cache-Control"] == "no-store"
        return str((await r.json())["c_nonce"])


async def request_credentials(
    issuer: RunningIssuer, access_token: str, configuration_id: str, proofs: list[str]
) -> tuple[int, Any, Mapping[str, str]]:
    return await issuer.json(
        "POST", "/credential",
        {"credential_configuration_id": configuration_id, "proofs": {"jwt": proofs}},
        headers={"Authorization": f"Bearer {access_token}"},
    )


async def token_for(issuer: RunningIssuer, configuration_ids: list[str],
                    claims: Mapping[str, Any]) -> str:
    """Offer → token in one step (no tx_code)."""
    created = await make_offer(issuer, configuration_ids, claims)
    status, body = await redeem(issuer, created["offer"])
    assert status == 200, body
    return str(body["access_token"])


async def issue(issuer: RunningIssuer, configuration_id: str, claims: Mapping[str, Any],
                keys: list[KeyPair]) -> list[Any]:
    """Offer → token → nonce → credential for ``keys`` (one copy per key)."""
    access_token = await token_for(issuer, [configuration_id], claims)
    c_nonce = await nonce(issuer)
    now = issuer.clock.now().timestamp()
    proofs = [proof_jwt(k, aud=issuer.url, nonce=c_nonce, iat=now) for k in keys]
    status, body, _ = await request_credentials(issuer, access_token, configuration_id, proofs)
    assert status == 200, body
    return [item["credential"] for item in body["credentials"]]


def http_resolver(fetcher: SafeFetcher) -> DIDResolver:
    """Resolve the issuer's did:web over plain http on loopback (tests only)."""
    return MethodRouter(fetcher, web_scheme="http")


async def status_of(
    issuer: RunningIssuer, credential_status: Any
) -> tuple[CheckStatus, str | None]:
    """Fetch the published list over HTTP (fresh client, no cache) and check one credential."""
    async with SafeFetcher(allow_private=True, allow_http=True) as fetcher:
        client = CachedStatusListClient(fetcher, http_resolver(fetcher))
        check = await check_status(
            credential_status, issuer=issuer.config.did, client=client, now=issuer.clock.now()
        )
    return check.status, check.code
