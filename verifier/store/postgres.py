"""The verifier store on PostgreSQL (asyncpg): shared by any number of verifier replicas."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import asyncpg

from pidm.clock import Clock, SystemClock
from pidm.verification import VerificationResult
from service_kit.db import PostgresDB, aware, opt_aware, rowcount
from service_kit.lifecycle import PostgresLifecycle

from . import _rules
from ._schema import POSTGRES_STEPS
from .base import Transaction, TxStatus, WebhookDelivery


def _tx(row: asyncpg.Record) -> Transaction:
    return Transaction(
        tx_id=row["tx_id"],
        request_name=row["request_name"],
        nonce=row["nonce"],
        state=row["state"],
        request_jwt=row["request_jwt"],
        status=TxStatus(row["status"]),
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        metadata=row["metadata"],
        result=row["result"],
        completed_at=row["completed_at"],
    )


def _webhook(row: asyncpg.Record) -> WebhookDelivery:
    return WebhookDelivery(
        tx_id=row["tx_id"],
        url=row["url"],
        attempts=row["attempts"],
        next_attempt_at=row["next_attempt_at"],
        delivered_at=row["delivered_at"],
        last_error=row["last_error"],
    )


class PostgresVerifierStore(PostgresLifecycle):
    """:class:`verifier.store.base.VerifierStore` on PostgreSQL.

    ``dsn`` is an asyncpg DSN; unknown query parameters become server settings, so
    ``?search_path=tenant`` selects a schema (or pass ``server_settings``).
    """

    COMPONENT = "verifier"
    STEPS = POSTGRES_STEPS

    def __init__(
        self,
        dsn: str,
        *,
        clock: Clock | None = None,
        min_size: int = 1,
        max_size: int = 10,
        server_settings: Mapping[str, str] | None = None,
    ) -> None:
        self._db = PostgresDB(
            dsn, min_size=min_size, max_size=max_size, server_settings=server_settings
        )
        self._clock: Clock = clock or SystemClock()


    # --- transactions --------------------------------------------------------------------------
    async def create(self, tx: Transaction) -> None:
        async with self._db.read() as conn:
            await conn.execute(
                "INSERT INTO transactions VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                tx.tx_id,
                tx.request_name,
                tx.nonce,
                tx.state,
                tx.request_jwt,
                TxStatus(tx.status).value,
                aware(tx.created_at),
                aware(tx.expires_at),
                tx.metadata,
                tx.result,
                opt_aware(tx.completed_at),
            )

    async def get(self, tx_id: str) -> Transaction | None:
        async with self._db.read() as conn:
            row = await conn.fetchrow("SELECT * FROM transactions WHERE tx_id = $1", tx_id)
        return None if row is None else _tx(row)

    async def get_by_state(self, state: str) -> Transaction | None:
        async with self._db.read() as conn:
            row = await conn.fetchrow("SELECT * FROM transactions WHERE state = $1", state)
        return None if row is None else _tx(row)

    async def set_request_jwt(self, tx_id: str, request_jwt: str) -> None:
        now = self._clock.now()
        async with self._db.read() as conn:
            tag = await conn.execute(
                """UPDATE transactions SET request_jwt = $2
                    WHERE tx_id = $1 AND status = 'pending'""",
                tx_id,
                request_jwt,
            )
            if rowcount(tag) != 1:
                row = await conn.fetchrow("SELECT * FROM transactions WHERE tx_id = $1", tx_id)
                raise _rules.not_pending(tx_id, None if row is None else _tx(row), now)

    async def consume_nonce(self, nonce: str, *, expires: datetime) -> bool:
        async with self._db.read() as conn:
            got = await conn.fetchval(
                """INSERT INTO used_nonces VALUES ($1, $2)
                    ON CONFLICT DO NOTHING RETURNING nonce""",
                nonce,
                aware(expires),
            )
        return got is not None

    async def save_result(
        self, tx_id: str, result: Mapping[str, Any] | VerificationResult
    ) -> Transaction:
        now = self._clock.now()
        async with self._db.read() as conn:
            row = await conn.fetchrow(
                """UPDATE transactions SET status = 'done', result = $2, completed_at = $3
                    WHERE tx_id = $1 AND status = 'pending' AND expires_at > $3 RETURNING *""",
                tx_id,
                _rules.result_json(result),
                now,
            )
            if row is None:
                old = await conn.fetchrow("SELECT * FROM transactions WHERE tx_id = $1", tx_id)
                raise _rules.not_pending(tx_id, None if old is None else _tx(old), now)
        return _tx(row)

    async def expire_due(self) -> int:
        async with self._db.read() as conn:
            tag = await conn.execute(
                """UPDATE transactions SET status = 'expired'
                    WHERE status = 'pending' AND expires_at <= $1""",
                self._clock.now(),
            )
        return rowcount(tag)

    async def purge(self, *, before: datetime) -> int:
        async with self._db.write() as conn:
            txs = await conn.execute(
                "DELETE FROM transactions WHERE expires_at < $1", aware(before)
            )
            nonces = await conn.execute(
                "DELETE FROM used_nonces WHERE expires_at <= $1", self._clock.now()
            )
        return rowcount(txs) + rowcount(nonces)

    # --- webhooks ------------------------------------------------------------------------------
    async def enqueue_webhook(self, tx_id: str, url: str) -> None:
        async with self._db.read() as conn:
            await conn.execute(
                "INSERT INTO webhooks (tx_id, url, next_attempt_at) VALUES ($1, $2, $3)",
                tx_id,
                url,
                self._clock.now(),
            )

    async def claim_webhooks(self, *, limit: int = 20, lease: timedelta) -> list[WebhookDelivery]:
        now = self._clock.now()
        async with self._db.read() as conn:
            rows = await conn.fetch(
                """UPDATE webhooks SET next_attempt_at = $1 WHERE tx_id IN (
                    SELECT tx_id FROM webhooks WHERE delivered_at IS NULL
                      AND next_attempt_at <= $2 ORDER BY next_attempt_at, tx_id LIMIT $3
                      FOR UPDATE SKIP LOCKED)
                    RETURNING *""",
                now + lease,
                now,
                limit,
            )
        return sorted((_webhook(r) for r in rows), key=lambda w: w.tx_id)

    async def record_webhook_attempt(
        self, tx_id: str, *, delivered: bool, retry_at: datetime | None = None, error: str = ""
    ) -> None:
        now = self._clock.now()
        async with self._db.read() as conn:
            tag = await conn.execute(
                """UPDATE webhooks SET attempts = attempts + 1, delivered_at = $2,
                    next_attempt_at = $3, last_error = $4 WHERE tx_id = $1""",
                tx_id,
                now if delivered else None,
                None if delivered else opt_aware(retry_at),
                None if delivered else error,
            )
        if rowcount(tag) != 1:
            raise _rules.no_webhook(tx_id)
