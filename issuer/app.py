"""The composition root: :func:`create_app` wires configuration, store, keys, clock and rng
into one aiohttp application.

Resources live in ``cleanup_ctx``: the store is opened (schema migrated) at startup and closed
at shutdown, and a background task purges expired offers, tokens and nonces. Tests inject a
fixed clock, a seeded rng or an already-open store through :class:`Deps`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from issuer.config import IssuerConfig, load_signing_key
from issuer.context import CONFIG_KEY, SERVICE_KEY
from issuer.middleware import error_middleware
from issuer.routes import add_routes
from issuer.service import IssuerService
from issuer.store import open_store
from issuer.store.base import IssuerStore
from pidm.clock import Clock, SystemClock
from pidm.errors import ConfigError, PidmError
from pidm.keys import KeyPair

log = logging.getLogger("issuer")
PURGE_INTERVAL = 300.0


@dataclass(frozen=True, slots=True)
class Deps:
    """What a test (or an embedding program) may replace.

    ``store``: an open store the app uses but does not open or close. ``signer``: the signing
    key (default: the configured key file). ``loader``: the JSON-LD document loader (default:
    pidm's bundled contexts).
    """

    clock: Clock = field(default_factory=SystemClock)
    rng: Callable[[int], bytes] = secrets.token_bytes
    store: IssuerStore | None = None
    signer: KeyPair | None = None
    loader: Any = None
    purge_interval: float = PURGE_INTERVAL


def create_app(config: IssuerConfig, *, deps: Deps | None = None) -> web.Application:
    """Build the issuer application. Raises CONFIG_ERROR for an unusable key."""
    deps = deps or Deps()
    signer = deps.signer or load_signing_key(config)
    if signer.algorithm != "Ed25519" and any(
        c.format == "ldp_vc" for c in config.configurations.values()
    ):
        raise ConfigError("ldp_vc credentials (eddsa-rdfc-2022) need an Ed25519 signing key")
    app = web.Application(client_max_size=config.max_body_bytes, middlewares=[error_middleware])
    app[CONFIG_KEY] = config

    async def service_ctx(app: web.Application) -> AsyncIterator[None]:
        async with _store(config, deps) as store:
            app[SERVICE_KEY] = IssuerService.build(
                config, store, signer, clock=deps.clock, rng=deps.rng, loader=deps.loader
            )
            purger = asyncio.create_task(_purge(store, deps.purge_interval))
            try:
                yield
            finally:
                purger.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await purger

    app.cleanup_ctx.append(service_ctx)
    add_routes(app, config)
    return app


@contextlib.asynccontextmanager
async def _store(config: IssuerConfig, deps: Deps) -> AsyncIterator[IssuerStore]:
    if deps.store is not None:
        yield deps.store
        return
    store = open_store(config.store_dsn, clock=deps.clock, rng=deps.rng)
    await store.open()
    try:
        yield store
    finally:
        await store.close()


async def _purge(store: IssuerStore, interval: float) -> None:
    while True:
        await asyncio.sleep(interval)
        try:
            removed = await store.purge_expired()
        except PidmError as exc:
            log.warning("purge of expired offers, tokens and nonces failed: %s", exc)
        else:
            if removed:
                log.info("purged %d expired rows", removed)
