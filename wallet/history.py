"""The consumer's transparency log: who received which claims, when, why, and for what reward.

One :class:`HistoryEntry` per presentation transaction, stored as a sealed ``history`` record
under its transaction id (a later receipt check replaces the entry). Rewards follow the wire
shape of DESIGN.md's ``offer``: ``{"kind": "points" | "money", "amount": "10", "unit": ...}``
with amounts as decimal strings, summed with :class:`decimal.Decimal`, never floats.
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, cast

from pidm.errors import MalformedValueError, shorten

if TYPE_CHECKING:
    from wallet.locker import Locker

ClaimPath = tuple[str | int | None, ...]
ReceiptStatus = Literal["verified", "missing", "invalid"]
RECEIPT_STATUSES: frozenset[str] = frozenset({"verified", "missing", "invalid"})
#: What became of a request: ``pending`` (written before the presentation is posted),
#: ``shared`` (the verifier accepted it), ``rejected`` (the verifier refused it), ``failed``
#: (no answer: the verifier may have received it), ``declined`` (the consumer said no).
Outcome = Literal["pending", "shared", "rejected", "failed", "declined"]
OUTCOMES: frozenset[str] = frozenset({"pending", "shared", "rejected", "failed", "declined"})
REWARD_KINDS: frozenset[str] = frozenset({"points", "money"})

_AMOUNT = re.compile(r"(0|[1-9][0-9]{0,20})(\.[0-9]{1,12})?")
_CURRENCY = re.compile(r"[A-Z]{3}")
_MAX_TEXT = 2048


def _text(value: Any, name: str, *, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value or len(value) > _MAX_TEXT:
        raise MalformedValueError(f"'{name}' must be a non-empty string, got {shorten(value)}")
    return value


def _required(value: Any, name: str) -> str:
    return cast(str, _text(value, name))


@dataclass(frozen=True, slots=True)
class Reward:
    """A reward offered or granted: ``kind``, ``amount`` (a decimal string) and ``unit``."""

    kind: str
    amount: str
    unit: str
    description: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in REWARD_KINDS:
            raise MalformedValueError(f"reward 'kind' is not points or money: {shorten(self.kind)}")
        if not isinstance(self.amount, str) or not _AMOUNT.fullmatch(self.amount):
            raise MalformedValueError(f"reward 'amount' is not a decimal: {shorten(self.amount)}")
        _required(self.unit, "unit")
        if self.kind == "money" and not _CURRENCY.fullmatch(self.unit):
            raise MalformedValueError(f"money 'unit' is not ISO 4217: {shorten(self.unit)}")
        _text(self.description, "description", optional=True)

    @property
    def value(self) -> Decimal:
        return Decimal(self.amount)

    @classmethod
    def parse(cls, value: Any) -> Reward:
        """Parse the wire object; raises MALFORMED_VALUE_ERROR naming the bad member."""
        if not isinstance(value, Mapping):
            raise MalformedValueError("a reward must be a JSON object")
        return cls(
            kind=_required(value.get("kind"), "kind"),
            amount=_required(value.get("amount"), "amount"),
            unit=_required(value.get("unit"), "unit"),
            description=_text(value.get("description"), "description", optional=True),
        )

    def to_dict(self) -> dict[str, str]:
        out = {"kind": self.kind, "amount": self.amount, "unit": self.unit}
        if self.description is not None:
            out["description"] = self.description
        return out


def _claim_path(value: Any) -> ClaimPath:
    if isinstance(value, str) and value:
        return (value,)
    if isinstance(value, list | tuple) and value and all(
        (isinstance(p, str) and p) or p is None or (type(p) is int and p >= 0) for p in value
    ):
        return tuple(value)
    raise MalformedValueError(f"'claims' entry is not a claim name or path: {shorten(value)}")


def _time(value: Any) -> datetime:
    if isinstance(value, datetime):
        when = value
    else:
        try:
            when = datetime.fromisoformat(_required(value, "time"))
        except ValueError:
            raise MalformedValueError(f"'time' is not ISO 8601: {shorten(value)}") from None
    if when.tzinfo is None:
        raise MalformedValueError("'time' must carry a time zone")
    return when.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One data-sharing event as the consumer saw it. ``claims`` are DCQL-style paths."""

    transaction_id: str
    time: datetime
    verifier_did: str
    verifier_name: str | None
    purpose: str
    claims: tuple[ClaimPath, ...]
    credential_ids: tuple[str, ...]
    offer: Reward | None = None
    granted: Reward | None = None
    receipt: ReceiptStatus = "missing"
    retention: str | None = None
    receipt_id: str | None = None
    outcome: Outcome = "shared"
    error: str | None = None

    def __post_init__(self) -> None:
        _required(self.transaction_id, "transaction_id")
        _required(self.verifier_did, "verifier_did")
        _text(self.verifier_name, "verifier_name", optional=True)
        _required(self.purpose, "purpose")
        if self.receipt not in RECEIPT_STATUSES:
            raise MalformedValueError(f"'receipt' must be one of {sorted(RECEIPT_STATUSES)}")
        if self.outcome not in OUTCOMES:
            raise MalformedValueError(f"'outcome' must be one of {sorted(OUTCOMES)}")
        _text(self.error, "error", optional=True)
        if not isinstance(self.time, datetime) or self.time.tzinfo is None:
            raise MalformedValueError("'time' must be a datetime with a time zone")
        for credential_id in self.credential_ids:
            _required(credential_id, "credential_ids")

    @classmethod
    def parse(cls, value: Any) -> HistoryEntry:
        """Parse the stored JSON form; raises MALFORMED_VALUE_ERROR naming the bad member."""
        if not isinstance(value, Mapping):
            raise MalformedValueError("a history entry must be a JSON object")
        claims, credential_ids = value.get("claims", []), value.get("credential_ids", [])
        if not isinstance(claims, list) or not isinstance(credential_ids, list):
            raise MalformedValueError("'claims' and 'credential_ids' must be arrays")
        offer, granted = value.get("offer"), value.get("granted")
        return cls(
            transaction_id=_required(value.get("transaction_id"), "transaction_id"),
            time=_time(value.get("time")),
            verifier_did=_required(value.get("verifier_did"), "verifier_did"),
            verifier_name=_text(value.get("verifier_name"), "verifier_name", optional=True),
            purpose=_required(value.get("purpose"), "purpose"),
            claims=tuple(_claim_path(claim) for claim in claims),
            credential_ids=tuple(_required(c, "credential_ids") for c in credential_ids),
            offer=None if offer is None else Reward.parse(offer),
            granted=None if granted is None else Reward.parse(granted),
            receipt=value.get("receipt", "missing"),
            retention=_text(value.get("retention"), "retention", optional=True),
            receipt_id=_text(value.get("receipt_id"), "receipt_id", optional=True),
            outcome=value.get("outcome", "shared"),
            error=_text(value.get("error"), "error", optional=True),
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form :meth:`parse` reads (time as UTC ``...Z``)."""
        return {
            "transaction_id": self.transaction_id,
            "time": self.time.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "verifier_did": self.verifier_did,
            "verifier_name": self.verifier_name,
            "purpose": self.purpose,
            "claims": [list(path) for path in self.claims],
            "credential_ids": list(self.credential_ids),
            "offer": None if self.offer is None else self.offer.to_dict(),
            "granted": None if self.granted is None else self.granted.to_dict(),
            "receipt": self.receipt,
            "retention": self.retention,
            "receipt_id": self.receipt_id,
            "outcome": self.outcome,
            "error": self.error,
        }


def record_history(locker: Locker, entry: HistoryEntry) -> None:
    """Seal ``entry`` into the locker under its transaction id (replacing an older version)."""
    locker.put("history", entry.transaction_id, entry.to_dict())


def load_history(locker: Locker) -> list[HistoryEntry]:
    """Return every history entry, oldest first."""
    entries = [HistoryEntry.parse(record.data) for record in locker.list("history")]
    entries.sort(key=lambda entry: (entry.time, entry.transaction_id))
    return entries


class RewardKey(NamedTuple):
    verifier_did: str
    kind: str
    unit: str


def rewards_by_verifier(
    entries: Iterable[HistoryEntry], *, verified_only: bool = False
) -> dict[RewardKey, Decimal]:
    """Sum the granted rewards per (verifier DID, kind, unit), exactly, with Decimal.

    With ``verified_only`` only entries whose receipt verified count (a reward backed by a
    signed receipt, rather than one merely announced).
    """
    totals: dict[RewardKey, Decimal] = {}
    with decimal.localcontext() as context:
        context.prec = 100
        context.traps[decimal.Inexact] = True
        for entry in entries:
            if entry.granted is None or (verified_only and entry.receipt != "verified"):
                continue
            key = RewardKey(entry.verifier_did, entry.granted.kind, entry.granted.unit)
            totals[key] = totals.get(key, Decimal(0)) + entry.granted.value
    return totals
