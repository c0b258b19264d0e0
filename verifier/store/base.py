"""The verifier's persistence ports: transactions (OpenID4VP requests), used nonces, webhooks.

Every backend (``sqlite.py``, ``postgres.py``) is one class implementing all of them; code
against :class:`VerifierStore` (or the single aggregate Protocol you need), never a backend.

A transaction is a small state machine: it is created ``pending`` with its nonce, ``state`` and
signed request object; the response endpoint moves it to ``done`` exactly once with the
verification result (:meth:`TransactionStore.save_result`); one not answered in time becomes
``expired`` (:meth:`TransactionStore.expire_due`). Times are tz-aware datetimes passed in with
the records; wherever a store compares with "now" it asks the injected :class:`pidm.clock.Clock`.

Errors: an unreachable or broken database raises :class:`pidm.errors.StoreUnavailable`
(``STORE_UNAVAILABLE``); a uniqueness or state-transition clash raises
:class:`pidm.errors.Conflict` (``CONFLICT``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from types import TracebackType
from typing import Any, Protocol, Self

from pidm.verification import VerificationResult

__all__ = [
    "Transaction",
    "TransactionStore",
    "TxStatus",
    "VerifierStore",
    "WebhookDelivery",
    "WebhookStore",
]


class TxStatus(StrEnum):
    """Where a transaction stands: ``pending`` until answered, then ``done`` or ``expired``."""

    PENDING = "pending"
    DONE = "done"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class Transaction:
    """One presentation request and, once answered, its result.

    ``request_name`` names the configured request (what is asked, purpose, offer);
    ``request_jwt`` is the signed request object served at ``request_uri`` (None until
    signed); ``metadata`` is a JSON object for service bookkeeping (e.g. a ``response_code``,
    the DCQL query, the offer) — never credentials. ``result`` is the JSON saved by
    :meth:`TransactionStore.save_result`.
    """

    tx_id: str
    request_name: str
    nonce: str
    state: str
    created_at: datetime
    expires_at: datetime
    request_jwt: str | None = None
    status: TxStatus = TxStatus.PENDING
    metadata: Mapping[str, Any] = field(default_factory=dict)
    result: Mapping[str, Any] | None = None
    completed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class WebhookDelivery:
    """A notification of a finished transaction to the relying party's webhook.

    ``next_attempt_at`` is None once delivered or given up.
    """

    tx_id: str
    url: str
    attempts: int
    next_attempt_at: datetime | None
    delivered_at: datetime | None = None
    last_error: str | None = None


class TransactionStore(Protocol):
    """Presentation transactions and the replay guard for their nonces."""

    async def create(self, tx: Transaction) -> None:
        """Store a new transaction. Raises Conflict if its id, state or nonce exists."""
        ...

    async def get(self, tx_id: str) -> Transaction | None:
        """Return the transaction by id, or None."""
        ...

    async def get_by_state(self, state: str) -> Transaction | None:
        """Return the transaction whose OAuth ``state`` this is (direct_post lookup), or None."""
        ...

    async def set_request_jwt(self, tx_id: str, request_jwt: str) -> None:
        """Store (or replace) the signed request object of a pending transaction.

        Raises Conflict if the transaction is unknown or no longer pending.
        """
        ...

    async def consume_nonce(self, nonce: str, *, expires: datetime) -> bool:
        """Record that a presentation used ``nonce``: True the first time, False on any replay.

        Atomic across tasks, processes and replicas. The record is kept at least until
        ``expires`` (after which :meth:`purge` may drop it).
        """
        ...

    async def save_result(
        self, tx_id: str, result: Mapping[str, Any] | VerificationResult
    ) -> Transaction:
        """Move a pending transaction to ``done`` with its result and return it.

        ``result`` is a JSON object (a VerificationResult is stored as its ``to_json()``).
        Exactly one call succeeds: raises Conflict if the transaction is unknown, already
        done, or expired (by status, or by ``expires_at`` per the clock).
        """
        ...

    async def expire_due(self) -> int:
        """Mark pending transactions past their expiry (per the clock) ``expired``; return count."""
        ...

    async def purge(self, *, before: datetime) -> int:
        """Delete transactions that expired before ``before`` and used nonces past their
        ``expires`` (per the clock), with their webhook rows; return how many rows went."""
        ...


class WebhookStore(Protocol):
    """At-least-once webhook bookkeeping, shareable by several replicas."""

    async def enqueue_webhook(self, tx_id: str, url: str) -> None:
        """Schedule a delivery for the transaction, due now. Raises Conflict on a duplicate."""
        ...

    async def claim_webhooks(self, *, limit: int = 20, lease: timedelta) -> list[WebhookDelivery]:
        """Claim up to ``limit`` undelivered deliveries that are due (per the clock).

        Each claimed delivery's next attempt is pushed ``lease`` into the future in the same
        transaction, so another replica does not pick it up meanwhile.
        """
        ...

    async def record_webhook_attempt(
        self, tx_id: str, *, delivered: bool, retry_at: datetime | None = None, error: str = ""
    ) -> None:
        """Count an attempt: mark it delivered, or store the error and when to retry.

        Not delivered with ``retry_at`` None means give up: the delivery is never claimed again.
        Raises Conflict if no delivery was enqueued for the transaction.
        """
        ...


class VerifierStore(TransactionStore, WebhookStore, Protocol):
    """Everything the verifier persists, plus lifecycle.

    Use as ``async with open_store(target) as store: ...`` or call :meth:`open` and
    :meth:`close` yourself. :meth:`open` creates the database and applies schema migrations.
    """

    async def open(self) -> None:
        """Connect and migrate the schema. Raises StoreUnavailable."""
        ...

    async def close(self) -> None:
        """Release connections; safe to call twice."""
        ...

    async def ping(self) -> None:
        """Round-trip to the database (readiness probe). Raises StoreUnavailable."""
        ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
