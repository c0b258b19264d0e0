"""Drive a real verifier over HTTP on 127.0.0.1 — started from a config written by the same code
as ``pidm verifier init`` — and play the wallet's side of OpenID4VP with pidm's functions."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from pidm.clock import FixedClock
from pidm.did.resolver import DIDResolver, MethodRouter
from pidm.keys import KeyPair
from pidm.oid4vc.request_object import verify_request_object_with_resolver
from pidm.oid4vc.vp import AuthorizationRequest, RequestUri
from pidm.oid4vc.vp_response import AuthorizationResponse
from pidm.sdjwt import present_sd_jwt
from tests.services.issuer.helpers import T0, bound_socket
from verifier.app import Deps, create_app
from verifier.config import VerifierConfig, load_config
from verifier.init import init_verifier

__all__ = ["T0", "RunningVerifier", "Wallet", "start_verifier"]


@dataclass
class RunningVerifier:
    """A verifier serving on a real socket, plus an HTTP client session."""

    config: VerifierConfig
    clock: FixedClock
    runner: web.AppRunner
    session: aiohttp.ClientSession
    port: int
    directory: Path
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.config.public_url

    @property
    def admin(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.config.admin_token}"}

    async def stop(self) -> None:
        await self.session.close()
        await self.runner.cleanup()

    async def call(self, method: str, path: str, body: Any = None, *, admin: bool = False,
                   headers: Mapping[str, str] | None = None, data: Any = None,
                   ) -> tuple[int, Any, Mapping[str, str]]:
        hdrs = dict(self.admin if admin else {})
        hdrs.update(headers or {})
        kwargs: dict[str, Any] = {"data": data} if data is not None else {"json": body}
        async with self.session.request(method, self.url + path, headers=hdrs, **kwargs) as r:
            raw = await r.read()
            try:
                parsed: Any = json.loads(raw)
            except ValueError:
                parsed = raw
            return r.status, parsed, r.headers

    async def start(self, request: str = "age_and_area") -> dict[str, Any]:
        status, body, _ = await self.call("POST", "/admin/transactions", {"request": request},
                                          admin=True)
        assert status == 201, body
        return dict(body)

    async def transaction(self, tx_id: str) -> dict[str, Any]:
        status, body, _ = await self.call("GET", f"/admin/transactions/{tx_id}", admin=True)
        assert status == 200, body
        return dict(body)


async def start_verifier(
    directory: Path,
    *,
    trust: Sequence[str],
    store: str = "verifier.db",
    clock: FixedClock | None = None,
    extra_config: str = "",
    replace: Mapping[str, str] | None = None,
    init: bool = True,
    port: int = 0,
    deps: Deps | None = None,
    did_method: str = "key",
) -> RunningVerifier:
    """Write a config with ``init_verifier`` (trusting ``trust``), apply ``replace`` (text
    substitutions), append ``extra_config`` (TOML) and serve it on a free loopback port."""
    sock = bound_socket(port)
    port = sock.getsockname()[1]
    if init:
        init_verifier(directory, public_url=f"http://127.0.0.1:{port}", did_method=did_method,
                      issuers=trust, store=store)
        path = directory / "verifier.toml"
        text = path.read_text(encoding="utf-8")
        for old, new in (replace or {}).items():
            assert old in text, old
            text = text.replace(old, new)
        path.write_text(text + extra_config, encoding="utf-8")
    config = load_config(directory / "verifier.toml")
    clock = clock or FixedClock(T0)
    deps = deps or Deps(clock=clock)
    runner = web.AppRunner(create_app(config, deps=deps))
    await runner.setup()
    await web.SockSite(runner, sock).start()
    return RunningVerifier(config, clock, runner, aiohttp.ClientSession(), port, directory)


@dataclass
class Wallet:
    """The holder side, built from pidm functions: resolve and verify the request object,
    present SD-JWT VCs with key binding, post the response."""

    session: aiohttp.ClientSession
    resolver: DIDResolver = field(default_factory=MethodRouter)

    async def fetch_request(self, uri: str, *, now: datetime) -> AuthorizationRequest:
        ref = RequestUri.parse(uri, allow_http=True)
        assert ref.request_uri is not None
        async with self.session.get(ref.request_uri) as r:
            assert r.status == 200, await r.text()
            assert r.content_type == "application/oauth-authz-req+jwt"
            token = await r.text()
        return await verify_request_object_with_resolver(
            token, resolver=self.resolver, now=now, expected_client_id=str(ref.client_id),
            allow_http=True,
        )

    @staticmethod
    def present(credential: str, key: KeyPair, request: AuthorizationRequest, *,
                disclose: Sequence[str], now: datetime, audience: str | None = None,
                nonce: str | None = None) -> str:
        """An SD-JWT VC presentation with a KB-JWT bound to the request (or the overrides)."""
        return present_sd_jwt(
            credential, disclose=list(disclose), holder=key,
            audience=audience if audience is not None else str(request.client_id),
            nonce=nonce if nonce is not None else request.nonce, issued_at=now,
        )

    async def post(self, request: AuthorizationRequest, vp_token: Mapping[str, Sequence[Any]],
                   *, state: str | None = None) -> tuple[int, Any]:
        response = AuthorizationResponse(
            {k: tuple(v) for k, v in vp_token.items()},
            state if state is not None else request.state,
        )
        async with self.session.post(
            request.response_uri, data=response.encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        ) as r:
            return r.status, await r.json(content_type=None)

    async def post_raw(self, url: str, body: bytes | str,
                       content_type: str = "application/x-www-form-urlencoded") -> tuple[int, Any]:
        async with self.session.post(url, data=body, headers={"Content-Type": content_type}) as r:
            raw = await r.read()
            try:
                return r.status, json.loads(raw)
            except ValueError:
                return r.status, raw
