"""The composition root: :func:`create_app` wires configuration, store, keys, clock, rng, DID
resolver and status-list client into one aiohttp application.

Resources live in ``cleanup_ctx``: the store is opened (schema migrated) at startup and closed
at shutdown; one :class:`pidm.net.SafeFetcher` connection pool serves did:web resolution and
status lists; background tasks deliver webhooks and purge old transactions and nonces. Tests
inject a fixed clock, a seeded rng, an open store, a resolver or a fetcher through :class:`Deps`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import aiohttp
from aiohttp import web

from pidm.clock import Clock, SystemClock
from pidm.did.resolver import CachingResolver, DIDResolver, MethodRouter
from pidm.errors import ConfigError, PidmError
from pidm.keys import KeyPair
from pidm.net import SafeFetcher
from pidm.status import CachedStatusListClient, StatusListClient
from pidm.status.client import ListFetcher
from verifier.config import VerifierConfig, load_signing_key
from verifier.context import CONFIG_KEY, SERVICE_KEY
from verifier.middleware import error_middleware
from verifier.policy import TrustPolicy
from verifier.routes import add_routes
from verifier.service import VerifierService
from verifier.store import open_store
from verifier.store.base import VerifierStore
from verifier.webhooks import Poster, WebhookDeliverer, webhook_secret

log = logging.getLogger("verifier")
PURGE_INTERVAL = 300.0
#: Transactions and nonces are kept this long after they expire (then purged).
KEEP_AFTER_EXPIRY = timedelta(days=1)
WEBHOOK_TIMEOUT = 10.0


@dataclass(frozen=True, slots=True)
class Deps:
    """What a test (or an embedding program) may replace.

    ``store``: an open store the app uses but does not open or close. ``signer``: the signing
    key (default: the configured key file). ``fetcher``: what fetches did:web documents and
    status lists (default: a SafeFetcher honouring ``[network]``). ``resolver`` /
    ``status_client``: replace resolution / status checking outright. ``loader``: the JSON-LD
    document loader (default: pidm's bundled contexts).
    """

    clock: Clock = field(default_factory=SystemClock)
    rng: Callable[[int], bytes] = secrets.token_bytes
    store: VerifierStore | None = None
    signer: KeyPair | None = None
    fetcher: ListFetcher | None = None
    resolver: DIDResolver | None = None
    status_client: StatusListClient | None = None
    loader: Any = None
    purge_interval: float = PURGE_INTERVAL
    webhook_poll: float = 30.0


def create_app(config: VerifierConfig, *, deps: Deps | None = None) -> web.Application:
    """Build the verifier application. Raises CONFIG_ERROR for an unusable key."""
    deps = deps or Deps()
    signer = deps.signer or load_signing_key(config)
    if signer.algorithm != "Ed25519":
        raise ConfigError("receipts (eddsa-* cryptosuites) need an Ed25519 verifier key")
    app = web.Application(client_max_size=config.max_body_bytes, middlewares=[error_middleware])
    app[CONFIG_KEY] = config

    async def service_ctx(app: web.Application) -> AsyncIterator[None]:
        async with _store(config, deps) as store, _fetcher(config, deps) as fetcher, \
                aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(WEBHOOK_TIMEOUT)) as http:
            # `is None`, not `or`: an injected client with an empty cache has len() 0
            resolver = deps.resolver if deps.resolver is not None else CachingResolver(
                MethodRouter(fetcher, web_scheme="http" if config.allow_http else "https")
            )
            status_client = deps.status_client if deps.status_client is not None else (
                CachedStatusListClient(fetcher, resolver, loader=deps.loader,
                                       timeout=config.fetch_timeout,
                                       min_ttl=config.status_min_ttl,
                                       max_ttl=config.status_max_ttl))
            deliverer = WebhookDeliverer(store, _poster(http), deps.clock,
                                         secret=webhook_secret(config.admin_token),
                                         poll=deps.webhook_poll)
            app[SERVICE_KEY] = VerifierService(
                config, store, signer, deps.clock, deps.rng, resolver, status_client,
                TrustPolicy.from_config(config.trust), deps.loader, deliverer.wake,
            )
            tasks = [asyncio.create_task(_purge(store, deps)), asyncio.create_task(deliverer.run())]
            try:
                yield
            finally:
                for task in tasks:
                    task.cancel()
                for task in tasks:
                    with contextlib.suppress(asyncio.CancelledError):
                        await task

    app.cleanup_ctx.append(service_ctx)
    add_routes(app, config)
    return app


@contextlib.asynccontextmanager
async def _store(config: VerifierConfig, deps: Deps) -> AsyncIterator[VerifierStore]:
    if deps.store is not None:
        yield deps.store
        return
    async with open_store(config.store_dsn, clock=deps.clock) as store:
        yield store


@contextlib.asynccontextmanager
async def _fetcher(config: VerifierConfig, deps: Deps) -> AsyncIterator[Any]:
    if deps.fetcher is not None:
        yield deps.fetcher
        return
    async with SafeFetcher(allow_private=config.allow_private, allow_http=config.allow_http,
                           timeout=config.fetch_timeout,
                           max_bytes=config.max_download_bytes) as fetcher:
        yield fetcher


def _poster(session: aiohttp.ClientSession) -> Poster:
    async def post(url: str, body: bytes, headers: Mapping[str, str]) -> int:
        try:
            async with session.post(url, data=body, allow_redirects=False,
                                    headers={"Content-Type": "application/json", **headers}
                                    ) as answer:
                return answer.status
        except aiohttp.ClientError as exc:
            raise OSError(f"{type(exc).__name__}: {exc}") from exc

    return post


async def _purge(store: VerifierStore, deps: Deps) -> None:
    while True:
        await asyncio.sleep(deps.purge_interval)
        try:
            expired = await store.expire_due()
            removed = await store.purge(before=deps.clock.now() - KEEP_AFTER_EXPIRY)
        except PidmError as exc:
            log.warning("expiring and purging transactions failed: %s", exc)
        else:
            if expired or removed:
                log.info("expired %d transactions, purged %d rows", expired, removed)
