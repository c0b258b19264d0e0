"""Rules both verifier backends apply the same way."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pidm.errors import Conflict, shorten
from pidm.verification import VerificationResult

from .base import Transaction, TxStatus


def result_json(result: Mapping[str, Any] | VerificationResult) -> dict[str, Any]:
    """The JSON object stored as a transaction's result."""
    if isinstance(result, VerificationResult):
        return result.to_json()
    return dict(result)


def not_pending(tx_id: str, tx: Transaction | None, now: datetime) -> Conflict:
    """Explain why a transaction could not move on: unknown, finished or expired."""
    if tx is None:
        return Conflict(f"unknown transaction {shorten(tx_id)}")
    if tx.status is TxStatus.PENDING and tx.expires_at <= now:
        return Conflict(f"transaction {shorten(tx_id)} expired at {tx.expires_at.isoformat()}")
    return Conflict(f"transaction {shorten(tx_id)} is already {tx.status.value}")


def no_webhook(tx_id: str) -> Conflict:
    return Conflict(f"no webhook delivery for transaction {shorten(tx_id)}")
