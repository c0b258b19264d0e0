"""The demo's services: two issuers (the retailer and the age-verification provider) and the
marketer's verifier, each a real aiohttp application on a free 127.0.0.1 port, built from the
files its ``init`` code writes (see :mod:`pidm_demo.configs`), with the wire tap outermost."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from pidm_demo import configs
from pidm_demo.wire import WireLog


@dataclass(frozen=True, slots=True)
class Stores:
    """Where each service keeps its state: SQLite file names (the default) or PostgreSQL DSNs,
    one database or schema each."""

    retailer: str = "issuer.db"
    age_check: str = "issuer.db"
    marketer: str = "verifier.db"


@dataclass
class Service:
    """A running service: its role, URL, parsed config, admin token and config file."""

    role: str
    url: str
    config: Any
    config_path: Path
    token_path: Path
    runner: web.AppRunner

    @property
    def did(self) -> str:
        return str(self.config.did)

    @property
    def token(self) -> str:
        return str(self.config.admin_token)

    async def admin(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """Call an admin endpoint with the bearer token; return (status, JSON body)."""
        headers = {"Authorization": f"Bearer {self.token}"}
        async with aiohttp.ClientSession() as session, session.request(
            method, self.url + path, json=body, headers=headers
        ) as response:
            return response.status, await response.json(content_type=None)


def _socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


async def _serve(app: web.Application, sock: socket.socket, wire: WireLog,
                 role: str) -> web.AppRunner:
    app.middlewares.insert(0, wire.middleware(role))
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    return runner


async def start_issuer(directory: Path, *, role: str, name: str, catalogue: str, store: str,
                       wire: WireLog) -> Service:
    """``pidm issuer init`` into ``directory``, adapted for the demo, served on a free port."""
    from issuer.app import create_app
    from issuer.config import load_config
    from issuer.init import init_issuer

    sock = _socket()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    result = init_issuer(directory, public_url=url, did_method="web", store=store)
    configs.adapt_issuer(result.config_path, name=name, catalogue=catalogue)
    config = load_config(result.config_path)
    runner = await _serve(create_app(config), sock, wire, role)
    return Service(role, url, config, result.config_path, result.token_path, runner)


async def start_verifier(directory: Path, *, age_check_did: str, retailer_did: str, store: str,
                         wire: WireLog) -> Service:
    """``pidm verifier init`` trusting the age check, adapted for the demo, on a free port."""
    from verifier.app import create_app
    from verifier.config import load_config
    from verifier.init import init_verifier

    sock = _socket()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    result = init_verifier(directory, public_url=url, did_method="web",
                           issuers=(age_check_did,), store=store)
    configs.adapt_verifier(result.config_path, retailer_did=retailer_did)
    config = load_config(result.config_path)
    app = create_app(config)
    runner = await _serve(app, sock, wire, "marketer")
    return Service("marketer", url, config, result.config_path, result.token_path,
                   runner)


@dataclass
class Deployment:
    """The three running services and the wire log they share."""

    retailer: Service
    age_check: Service
    marketer: Service
    wire: WireLog

    @property
    def services(self) -> tuple[Service, Service, Service]:
        return (self.retailer, self.age_check, self.marketer)


@contextlib.asynccontextmanager
async def deploy(directory: Path, stores: Stores | None = None) -> AsyncIterator[Deployment]:
    """Start the retailer, the age check and the marketer under ``directory``; stop them after."""
    stores = stores or Stores()
    wire = WireLog()
    async with contextlib.AsyncExitStack() as stack:
        retailer = await start_issuer(
            directory / "retailer", role="retailer", name=configs.RETAILER_NAME,
            catalogue=configs.MEMBERSHIP, store=stores.retailer, wire=wire)
        stack.push_async_callback(retailer.runner.cleanup)
        age_check = await start_issuer(
            directory / "age-check", role="age-check", name=configs.AGE_CHECK_NAME,
            catalogue=configs.AGE_OVER_18, store=stores.age_check, wire=wire)
        stack.push_async_callback(age_check.runner.cleanup)
        marketer = await start_verifier(
            directory / "marketer", age_check_did=age_check.did, retailer_did=retailer.did,
            store=stores.marketer, wire=wire)
        stack.push_async_callback(marketer.runner.cleanup)
        yield Deployment(retailer, age_check, marketer, wire)
