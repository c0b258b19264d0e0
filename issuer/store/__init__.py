"""Persistence of the issuer service: the Protocols in ``base`` and :func:`open_store`.

``open_store`` picks the backend from the target: ``postgresql://…`` (or ``postgres://…``)
selects PostgreSQL, anything else a SQLite file, created with its directory on first open:
``sqlite:///abs/issuer.db`` (absolute), ``sqlite://rel/issuer.db`` or a plain path.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping

from pidm.clock import Clock
from service_kit.db import is_postgres, sqlite_path

from ._rules import Rng
from .base import (
    AccessToken,
    CredentialRecord,
    CredentialStatus,
    CredentialStore,
    IssuerStore,
    NonceStore,
    Offer,
    OfferStore,
    StatusList,
    StatusListFull,
    StatusListState,
    StatusListStore,
    TokenStore,
    secret_hash,
)

__all__ = [
    "AccessToken",
    "CredentialRecord",
    "CredentialStatus",
    "CredentialStore",
    "IssuerStore",
    "NonceStore",
    "Offer",
    "OfferStore",
    "StatusList",
    "StatusListFull",
    "StatusListState",
    "StatusListStore",
    "TokenStore",
    "open_store",
    "secret_hash",
]


def open_store(
    target: str | os.PathLike[str],
    *,
    clock: Clock | None = None,
    rng: Rng = secrets.token_bytes,
    server_settings: Mapping[str, str] | None = None,
) -> IssuerStore:
    """Return an unopened issuer store for ``target``; use ``async with`` or ``await open()``.

    ``server_settings`` (PostgreSQL only) are passed to every connection, e.g.
    ``{"search_path": "tenant"}``. Raises StoreUnavailable for an unusable SQLite target.
    """
    text = os.fspath(target)
    if is_postgres(text):
        from .postgres import PostgresIssuerStore

        return PostgresIssuerStore(text, clock=clock, rng=rng, server_settings=server_settings)
    from .sqlite import SqliteIssuerStore

    return SqliteIssuerStore(sqlite_path(text), clock=clock, rng=rng)
