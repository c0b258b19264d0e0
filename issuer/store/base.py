"""The issuer's persistence ports: one small Protocol per aggregate, plain frozen records.

Every backend (``sqlite.py``, ``postgres.py``) is one class implementing all of them; code
against :class:`IssuerStore` (or the single aggregate Protocol you need), never a backend.

Rules every backend keeps:

* Times are tz-aware datetimes passed in with the records; wherever a store must compare with
  "now" (expiry of offers, tokens, nonces) it asks the :class:`pidm.clock.Clock` it was given.
* Secrets never reach the store in clear: pre-authorized codes, transaction codes and access
  tokens are stored as :func:`secret_hash` digests; callers hash before they store or look up.
* Issued-credential records hold bookkeeping only (ids, thumbprint, status entry), never the
  personal data that went into the credential.
* Errors: an unreachable or broken database raises :class:`pidm.errors.StoreUnavailable`
  (``STORE_UNAVAILABLE``); a uniqueness or state-transition clash raises
  :class:`pidm.errors.Conflict` (``CONFLICT``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from types import TracebackType
from typing import Any, Protocol, Self

from pidm.encoding import b64url_encode
from pidm.errors import Conflict

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
    "read_entry",
    "secret_hash",
    "write_entry",
]


def secret_hash(secret: str) -> str:
    """Return the digest a secret (code, tx_code, token) is stored under: SHA-256, base64url."""
    return b64url_encode(hashlib.sha256(secret.encode("utf-8")).digest())


class StatusListFull(Conflict):
    """Every index of a status list is allocated; the caller should open a new list.

    Carries the code ``CONFLICT`` (it is a :class:`pidm.errors.Conflict`).
    """


class CredentialStatus(StrEnum):
    """Lifecycle of an issued credential. ``REVOKED`` is final."""

    VALID = "valid"
    SUSPENDED = "suspended"
    REVOKED = "revoked"


# --- records -------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Offer:
    """A credential offer (OpenID4VCI §4.1) with its pre-authorized code grant.

    ``subject`` holds the claims to be issued (JSON object). ``pre_auth_code_hash`` and
    ``tx_code_hash`` are :func:`secret_hash` digests. ``used_at`` is set once, when the code is
    redeemed at the token endpoint. ``tx_failures`` counts wrong transaction codes given for it
    (see :meth:`OfferStore.record_tx_failure`).
    """

    offer_id: str
    configuration_ids: tuple[str, ...]
    subject: Mapping[str, Any]
    pre_auth_code_hash: str
    created_at: datetime
    expires_at: datetime
    tx_code_hash: str | None = None
    used_at: datetime | None = None
    tx_failures: int = 0


@dataclass(frozen=True, slots=True)
class AccessToken:
    """An access token issued for a redeemed offer; stored by :func:`secret_hash` digest."""

    token_hash: str
    offer_id: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class CredentialRecord:
    """Bookkeeping for one issued credential (no personal data).

    ``holder_thumbprint`` is the RFC 7638 thumbprint of the holder binding key (None when the
    credential is not key-bound); ``status_list_id``/``status_index`` locate its status entry.
    """

    credential_id: str
    configuration_id: str
    format: str
    issued_at: datetime
    holder_thumbprint: str | None = None
    status_list_id: str | None = None
    status_index: int | None = None
    status: CredentialStatus = CredentialStatus.VALID
    expires_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class StatusList:
    """Parameters of a status list when it is created.

    ``size`` is the number of entries, ``status_size`` the bits per entry (1, 2, 4 or 8;
    Bitstring Status List ``statusSize``); ``size * status_size`` must be a multiple of 8.
    ``purpose`` is free text for the publisher (``revocation``, ``suspension``, ``message``…).
    """

    list_id: str
    purpose: str
    size: int
    created_at: datetime
    status_size: int = 1


@dataclass(frozen=True, slots=True)
class StatusListState:
    """A status list as stored: its parameters, the raw bits and a version counter.

    Bit order is the W3C Bitstring Status List one: entry ``i`` occupies the ``status_size``
    bits starting at bit ``i * status_size``, bits counted from the most significant bit of
    byte 0. ``version`` starts at 0 and grows by one on every status change, so a publisher can
    tell whether it must re-sign. ``allocated`` is the number of indices handed out.
    """

    list_id: str
    purpose: str
    size: int
    status_size: int
    bits: bytes
    version: int
    allocated: int
    created_at: datetime
    updated_at: datetime

    def value(self, index: int) -> int:
        """Return the status value stored at ``index``."""
        return read_entry(self.bits, index, self.status_size)


def read_entry(bits: bytes, index: int, status_size: int) -> int:
    """Return entry ``index`` of a bitstring (MSB-first, ``status_size`` bits per entry)."""
    start = index * status_size
    byte, shift = divmod(start, 8)
    mask = (1 << status_size) - 1
    return (bits[byte] >> (8 - shift - status_size)) & mask


def write_entry(bits: bytearray, index: int, status_size: int, value: int) -> None:
    """Set entry ``index`` of a bitstring in place (MSB-first, ``status_size`` bits per entry)."""
    start = index * status_size
    byte, shift = divmod(start, 8)
    mask = (1 << status_size) - 1
    offset = 8 - shift - status_size
    bits[byte] = (bits[byte] & ~(mask << offset) & 0xFF) | ((value & mask) << offset)


# --- ports ---------------------------------------------------------------------------------------
class OfferStore(Protocol):
    """Credential offers and their single-use pre-authorized codes."""

    async def create_offer(self, offer: Offer) -> None:
        """Store a new offer. Raises Conflict if the offer id or code hash exists."""
        ...

    async def get_offer(self, offer_id: str) -> Offer | None:
        """Return the offer (used or not, expired or not), or None."""
        ...

    async def find_offer_by_code(self, code_hash: str) -> Offer | None:
        """Return the offer whose pre-authorized code has this digest, or None."""
        ...

    async def redeem_offer(self, code_hash: str) -> Offer | None:
        """Atomically mark the offer with this code digest used and return it.

        Returns None when no such offer exists, it has expired (per the store's clock) or it
        was already redeemed — so of two concurrent redemptions exactly one succeeds. Check the
        tx_code (via :meth:`find_offer_by_code`) before calling this.
        """
        ...

    async def record_tx_failure(self, code_hash: str, *, limit: int) -> int | None:
        """Atomically count one wrong tx_code against the offer with this code digest.

        Returns the new count; the statement that brings it to ``limit`` also marks the offer
        used (void), so every replica sharing the store sees one count. Returns None when no
        such offer exists or it is used, void or expired — nothing is counted then.
        """
        ...


class TokenStore(Protocol):
    """Access tokens of the token endpoint (OpenID4VCI §6)."""

    async def save_token(self, token: AccessToken) -> None:
        """Store a token. Raises Conflict if the digest exists."""
        ...

    async def get_token(self, token_hash: str) -> AccessToken | None:
        """Return the unexpired token with this digest, or None (unknown or expired)."""
        ...


class NonceStore(Protocol):
    """Single-use ``c_nonce`` values for key proofs (OpenID4VCI §7)."""

    async def add_nonce(self, nonce: str, *, expires: datetime) -> None:
        """Remember a freshly issued nonce until ``expires``. Raises Conflict on a duplicate."""
        ...

    async def consume_nonce(self, nonce: str) -> bool:
        """Atomically use a nonce: True exactly once if it is known and unexpired, else False."""
        ...


class CredentialStore(Protocol):
    """Records of issued credentials and their status (revocation admin)."""

    async def record_credential(self, record: CredentialRecord) -> None:
        """Store a record. Raises Conflict if the id, or the status list entry, is taken."""
        ...

    async def get_credential(self, credential_id: str) -> CredentialRecord | None:
        """Return the record, or None."""
        ...

    async def list_credentials(
        self,
        *,
        holder_thumbprint: str | None = None,
        status: CredentialStatus | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[CredentialRecord]:
        """Return records, newest first, optionally filtered by holder key and status."""
        ...

    async def set_credential_status(
        self, credential_id: str, status: CredentialStatus, *, list_value: int | None = None
    ) -> CredentialRecord | None:
        """Change a credential's status and return the updated record (None if unknown).

        When ``list_value`` is given and the record has a status entry, the entry's bits are set
        to it in the same transaction (and the list version grows), so record and published
        list never disagree. ``REVOKED`` is final: changing a revoked credential to another
        status raises Conflict (revoking it again is a no-op).
        """
        ...


class StatusListStore(Protocol):
    """Status lists: random, never-reused index allocation and atomic bit updates."""

    async def create_status_list(self, status_list: StatusList) -> StatusListState:
        """Create a list with every entry 0 and return it.

        Raises Conflict if the id exists, MalformedValueError for bad size parameters.
        """
        ...

    async def allocate_index(self, list_id: str) -> int:
        """Hand out a random unused index of the list (herd privacy); never the same one twice.

        Safe across concurrent tasks, processes and replicas sharing the database. Raises
        StatusListFull when every index is taken, Conflict if the list does not exist.
        """
        ...

    async def set_status(self, list_id: str, index: int, value: int) -> int:
        """Atomically set entry ``index`` to ``value`` and return the new list version.

        Raises Conflict if the list does not exist, MalformedValueError if the index or value
        is out of range.
        """
        ...

    async def load(self, list_id: str) -> StatusListState | None:
        """Return the list with its bits and version, or None if it does not exist."""
        ...

    async def list_status_lists(self, *, purpose: str | None = None) -> list[StatusListState]:
        """Return every list (optionally of one purpose), oldest first."""
        ...


class IssuerStore(OfferStore, TokenStore, NonceStore, CredentialStore, StatusListStore, Protocol):
    """Everything the issuer persists, plus lifecycle.

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

    async def purge_expired(self) -> int:
        """Delete expired tokens and nonces, and expired offers no live token refers to.

        Returns how many rows went. Expiry is judged by the store's clock.
        """
        ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
