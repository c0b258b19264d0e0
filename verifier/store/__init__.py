"""Persistence of the verifier service: the Protocols in ``base`` and :func:`open_store`.

``open_store`` picks the backend from the target: ``postgresql://…`` (or ``postgres://…``)
selects PostgreSQL, anything else a SQLite file, created with its directory on first open:
``sqlite:///abs/verifier.db`` (absolute), ``sqlite://rel/verifier.db`` or a plain path.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from pidm.clock import Clock
from service_kit.db import is_postgres, sqlite_path

from .base import (
    Transaction,
    TransactionStore,
    TxStatus,
    VerifierStore,
    WebhookDelivery,
    WebhookStore,
)

__all__ = [
    "Transaction",
    "TransactionStore",
    "TxStatus",
    "VerifierStore",
    "WebhookDelivery",
    "WebhookStore",
    "open_store",
]


def open_store(
    target: str | os.PathLike[str],
    *,
    clock: Clock | None = None,
    server_settings: Mapping[str, str] | None = None,
) -> VerifierStore:
    """Return an unopened verifier store for ``target``; use ``async with`` or ``await open()``.

    ``server_settings`` (PostgreSQL only) are passed to every connection, e.g.
    ``{"search_path": "tenant"}``. Raises StoreUnavailable for an unusable SQLite target.
    """
    text = os.fspath(target)
    if is_postgres(text):
        from .postgres import PostgresVerifierStore

        return PostgresVerifierStore(text, clock=clock, server_settings=server_settings)
    from .sqlite import SqliteVerifierStore

    return SqliteVerifierStore(sqlite_path(text), clock=clock)
