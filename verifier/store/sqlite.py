"""The verifier store on SQLite (aiosqlite): the default, one file created on first run."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import aiosqlite

from pidm.clock import Clock, SystemClock
from pidm.verification import VerificationResult
from service_kit.db import (
    SqliteDB,
    dump_json,
    opt_parse_time,
    opt_time_text,
    parse_time,
    time_text,
)
from service_kit.lifecycle import SqliteLifecycle

from . import _rules
from ._schema import SQLITE_STEPS
from .base import Transaction, TxStatus, WebhookDelivery


def _tx(row: Any) -> Transaction:
    return Transaction(
        tx_id=row["tx_id"],
        request_name=row["request_name"],
        nonce=row["nonce"],
        state=row["state"],
        request_jwt=row["request_jwt"],
        status=TxStatus(row["status"]),
        created_at=parse_time(row["created_at"]),
        expires_at=parse_time(row["expires_at"]),
        metadata=json.loads(row["metadata"]),
        result=None if row["result"] is None else json.loads(row["result"]),
        completed_at=opt_parse_time(row["completed_at"]),
    )


def _webhook(row: Any) -> WebhookDelivery:
    return WebhookDelivery(
        tx_id=row["tx_id"],
        url=row["url"],
        attempts=row["attempts"],
        next_attempt_at=opt_parse_time(row["next_attempt_at"]),
        delivered_at=opt_parse_time(row["delivered_at"]),
        last_error=row["last_error"],
    )


async def _one(conn: aiosqlite.Connection, sql: str, *args: Any) -> Any:
    async with conn.execute(sql, args) as cur:
        return await cur.fetchone()


class SqliteVerifierStore(SqliteLifecycle):
    """:class:`verifier.store.base.VerifierStore` on a SQLite file (WAL mode)."""

    COMPONENT = "verifier"
    STEPS = SQLITE_STEPS

    def __init__(self, path: str | Path, *, clock: Clock | None = None) -> None:
        self._db = SqliteDB(Path(path))
        self._clock: Clock = clock or SystemClock()


    # --- transactions --------------------------------------------------------------------------
    async def create(self, tx: Transaction) -> None:
        async with self._db.read() as conn:
            await conn.execute(
                "INSERT INTO transactions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    tx.tx_id,
                    tx.request_name,
                    tx.nonce,
                    tx.state,
                    tx.request_jwt,
                    TxStatus(tx.status).value,
                    time_text(tx.created_at),
                    time_text(tx.expires_at),
                    dump_json(tx.metadata),
                    None if tx.result is None else dump_json(tx.result),
                    opt_time_text(tx.completed_at),
                ),
            )

    async def get(self, tx_id: str) -> Transaction | None:
        async with self._db.read() as conn:
            row = await _one(conn, "SELECT * FROM transactions WHERE tx_id = ?", tx_id)
        return None if row is None else _tx(row)

    async def get_by_state(self, state: str) -> Transaction | None:
        async with self._db.read() as conn:
            row = await _one(conn, "SELECT * FROM transactions WHERE state = ?", state)
        return None if row is None else _tx(row)

    async def set_request_jwt(self, tx_id: str, request_jwt: str) -> None:
        now = self._clock.now()
        async with self._db.write() as conn:
            cur = await conn.execute(
                "UPDATE transactions SET request_jwt = ? WHERE tx_id = ? AND status = 'pending'",
                (request_jwt, tx_id),
            )
            if cur.rowcount != 1:
                row = await _one(conn, "SELECT * FROM transactions WHERE tx_id = ?", tx_id)
                raise _rules.not_pending(tx_id, None if row is None else _tx(row), now)

    async def consume_nonce(self, nonce: str, *, expires: datetime) -> bool:
        async with self._db.read() as conn:
            cur = await conn.execute(
                "INSERT OR IGNORE INTO used_nonces VALUES (?, ?)", (nonce, time_text(expires))
            )
            return cur.rowcount == 1

    async def save_result(
        self, tx_id: str, result: Mapping[str, Any] | VerificationResult
    ) -> Transaction:
        now = self._clock.now()
        async with self._db.write() as conn:
            row = await _one(
                conn,
                """UPDATE transactions SET status = 'done', result = ?, completed_at = ?
                    WHERE tx_id = ? AND status = 'pending' AND expires_at > ? RETURNING *""",
                dump_json(_rules.result_json(result)),
                time_text(now),
                tx_id,
                time_text(now),
            )
            if row is None:
                old = await _one(conn, "SELECT * FROM transactions WHERE tx_id = ?", tx_id)
                raise _rules.not_pending(tx_id, None if old is None else _tx(old), now)
        return _tx(row)

    async def expire_due(self) -> int:
        async with self._db.read() as conn:
            cur = await conn.execute(
                """UPDATE transactions SET status = 'expired'
                    WHERE status = 'pending' AND expires_at <= ?""",
                (time_text(self._clock.now()),),
            )
            return cur.rowcount

    async def purge(self, *, before: datetime) -> int:
        async with self._db.write() as conn:
            txs = await conn.execute(
                "DELETE FROM transactions WHERE expires_at < ?", (time_text(before),)
            )
            nonces = await conn.execute(
                "DELETE FROM used_nonces WHERE expires_at <= ?",
                (time_text(self._clock.now()),),
            )
            return txs.rowcount + nonces.rowcount

    # --- webhooks ------------------------------------------------------------------------------
    async def enqueue_webhook(self, tx_id: str, url: str) -> None:
        async with self._db.read() as conn:
            await conn.execute(
                "INSERT INTO webhooks (tx_id, url, next_attempt_at) VALUES (?, ?, ?)",
                (tx_id, url, time_text(self._clock.now())),
            )

    async def claim_webhooks(self, *, limit: int = 20, lease: timedelta) -> list[WebhookDelivery]:
        now = self._clock.now()
        async with self._db.write() as conn:
            cur = await conn.execute(
                """UPDATE webhooks SET next_attempt_at = ?1 WHERE tx_id IN (
                    SELECT tx_id FROM webhooks WHERE delivered_at IS NULL
                      AND next_attempt_at <= ?2 ORDER BY next_attempt_at, tx_id LIMIT ?3)
                    RETURNING *""",
                (time_text(now + lease), time_text(now), limit),
            )
            rows = await cur.fetchall()
        return sorted((_webhook(r) for r in rows), key=lambda w: w.tx_id)

    async def record_webhook_attempt(
        self, tx_id: str, *, delivered: bool, retry_at: datetime | None = None, error: str = ""
    ) -> None:
        now = self._clock.now()
        async with self._db.read() as conn:
            cur = await conn.execute(
                """UPDATE webhooks SET attempts = attempts + 1, delivered_at = ?,
                    next_attempt_at = ?, last_error = ? WHERE tx_id = ?""",
                (
                    time_text(now) if delivered else None,
                    None if delivered else opt_time_text(retry_at),
                    None if delivered else error,
                    tx_id,
                ),
            )
            if cur.rowcount != 1:
                raise _rules.no_webhook(tx_id)
