"""Real issuer and verifier services on 127.0.0.1 for the wallet's end-to-end tests, built from
the configuration files their ``init`` code writes, plus a tiny server for forged requests."""

from __future__ import annotations

import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from pidm.clock import Clock

T0 = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
AGE = {"age_over_18": True}
CONTACT = {"postal_code": "1011", "given_name": "Ann", "email": "ann@example.com"}
CLAIMS = {**AGE, **CONTACT}
EXTRA_REQUESTS = '''
[requests.newsletter]
purpose = "Send you our monthly newsletter."
retention = "P90D"
offer = { kind = "money", amount = "1.50", unit = "EUR", description = "A 1.50 EUR voucher" }

[[requests.newsletter.dcql_query.credentials]]
id = "contact"
format = "dc+sd-jwt"
meta = { vct_values = ["urn:pidm:vct:contact_profile"] }
claims = [{ id = "email", path = ["email"] }, { id = "name", path = ["given_name"] }]
claim_sets = [["email", "name"], ["email"]]

[[requests.newsletter.dcql_query.credentials]]
id = "age"
format = "dc+sd-jwt"
meta = { vct_values = ["urn:pidm:vct:age_over_18"] }
claims = [{ path = ["age_over_18"] }]

[[requests.newsletter.dcql_query.credential_sets]]
options = [["contact"]]

[[requests.newsletter.dcql_query.credential_sets]]
options = [["age"]]
required = false

[requests.age_ldp]
purpose = "Check that you are over 18."
retention = "P1D"

[[requests.age_ldp.dcql_query.credentials]]
id = "age"
format = "ldp_vc"
meta = { type_values = [["AgeOver18Credential"]] }
claims = [{ path = ["credentialSubject", "age_over_18"], values = [true] }]
'''


def _socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@dataclass
class Service:
    """A service on a real socket with its parsed config and admin bearer token."""

    url: str
    config: Any
    runner: web.AppRunner
    token: str

    @property
    def did(self) -> str:
        return str(self.config.did)

    async def admin(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {self.token}"}
        async with aiohttp.ClientSession() as session, session.request(
            method, self.url + path, json=body, headers=headers
        ) as response:
            return response.status, await response.json(content_type=None)

    async def stop(self) -> None:
        await self.runner.cleanup()


async def _serve(app: web.Application, sock: socket.socket) -> web.AppRunner:
    runner = web.AppRunner(app)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    return runner


async def start_issuer(directory: Path, clock: Clock) -> Service:
    """An issuer (did:web over http on loopback, SQLite) from ``pidm issuer init``'s files."""
    from issuer.app import Deps, create_app
    from issuer.config import load_config
    from issuer.init import init_issuer

    sock = _socket()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    init_issuer(directory, public_url=url, did_method="web")
    config = load_config(directory / "issuer.toml")
    runner = await _serve(create_app(config, deps=Deps(clock=clock)), sock)
    return Service(url, config, runner, config.admin_token)


async def start_verifier(directory: Path, clock: Clock, issuers: list[str],
                         extra_toml: str = "", did_method: str = "web") -> Service:
    """A verifier from ``pidm verifier init``'s files, trusting ``issuers``; ``extra_toml`` is
    appended to the file (more named requests)."""
    from verifier.app import Deps, create_app
    from verifier.config import load_config
    from verifier.init import init_verifier

    sock = _socket()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    init_verifier(directory, public_url=url, did_method=did_method, issuers=issuers)
    if extra_toml:
        with (directory / "verifier.toml").open("a", encoding="utf-8") as handle:
            handle.write(extra_toml)
    config = load_config(directory / "verifier.toml")
    runner = await _serve(create_app(config, deps=Deps(clock=clock)), sock)
    return Service(url, config, runner, config.admin_token)


async def offer(issuer: Service, configuration_ids: list[str], claims: Mapping[str, Any],
                **flags: bool) -> dict[str, Any]:
    status, body = await issuer.admin("POST", "/admin/offers", {
        "credential_configuration_ids": configuration_ids, "claims": dict(claims), **flags,
    })
    assert status == 201, body
    return dict(body)


async def transaction(verifier: Service, request: str = "age_and_area") -> dict[str, Any]:
    status, body = await verifier.admin("POST", "/admin/transactions", {"request": request})
    assert status == 201, body
    return dict(body)


async def fetch_text(url: str) -> str:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        assert response.status == 200, await response.text()
        return await response.text()


@dataclass
class StaticServer:
    """Serves fixed bodies at fixed paths (a forged request object, say)."""

    url: str
    runner: web.AppRunner
    hits: list[str]

    async def stop(self) -> None:
        await self.runner.cleanup()


async def static_server(routes: Mapping[str, Callable[[], str]]) -> StaticServer:
    hits: list[str] = []
    app = web.Application()
    for path, body in routes.items():
        async def handler(request: web.Request, body: Callable[[], str] = body) -> web.Response:
            hits.append(request.path)
            return web.Response(text=body(), content_type="application/oauth-authz-req+jwt")

        app.router.add_get(path, handler)
    sock = _socket()
    runner = await _serve(app, sock)
    return StaticServer(f"http://127.0.0.1:{sock.getsockname()[1]}", runner, hits)
