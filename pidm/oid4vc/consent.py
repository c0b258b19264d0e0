"""pidm's consent and reward parameters (DESIGN.md "Consent and reward on the wire").

Next to ``dcql_query`` an OpenID4VP request object from a pidm verifier carries ``purpose`` (the
text shown to the consumer), ``retention`` (an ISO 8601 duration such as ``P30D``) and optionally
``offer`` — ``{"kind": "points" | "money", "amount": "10", "unit": "points" | ISO 4217 code,
"description": "..."}``. Amounts are decimal strings, never JSON numbers, so no float rounding
ever touches money. A data-sharing receipt states the reward granted in the same shape.

A wallet that does not know these parameters ignores them (OpenID4VP 1.0 §5); a pidm wallet that
finds them malformed refuses the request with INVALID_CONSENT_TERMS.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any, Literal

from pidm.errors import InvalidConsentTerms, shorten
from pidm.oid4vc._fields import as_object

OfferKind = Literal["points", "money"]

MAX_PURPOSE = 1000
MAX_DESCRIPTION = 500
_E = InvalidConsentTerms
_AMOUNT = re.compile(r"^(0|[1-9][0-9]{0,17})(\.[0-9]{1,6})?$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_DURATION = re.compile(
    r"^P(?:(?P<w>\d{1,6})W|(?=\d|T\d)(?:(?P<y>\d{1,6})Y)?(?:(?P<mo>\d{1,6})M)?(?:(?P<d>\d{1,6})D)?"
    r"(?:T(?=\d)(?:(?P<h>\d{1,6})H)?(?:(?P<mi>\d{1,6})M)?(?:(?P<s>\d{1,6})S)?)?)$"
)


def _text(value: Any, name: str, max_len: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _E(f"'{name}' must be a non-empty string, got {shorten(value)}")
    if len(value) > max_len:
        raise _E(f"'{name}' is longer than {max_len} characters")
    if any(ord(ch) < 0x20 and ch != "\n" or 0x7F <= ord(ch) < 0xA0 for ch in value):
        raise _E(f"'{name}' contains control characters")
    return value


def parse_duration(text: str) -> timedelta:
    """Validate an ISO 8601 duration (``PnYnMnDTnHnMnS`` or ``PnW``, whole numbers) and return
    it as a timedelta, counting a year as 365 days and a month as 30 days.

    Raises INVALID_CONSENT_TERMS for anything else.
    """
    match = _DURATION.match(text) if isinstance(text, str) else None
    if not match:
        raise _E(f"'retention' must be an ISO 8601 duration such as P30D, got {shorten(text)}")
    n = {k: int(v) for k, v in match.groupdict().items() if v is not None}
    return timedelta(
        weeks=n.get("w", 0),
        days=n.get("y", 0) * 365 + n.get("mo", 0) * 30 + n.get("d", 0),
        hours=n.get("h", 0),
        minutes=n.get("mi", 0),
        seconds=n.get("s", 0),
    )


@dataclass(frozen=True, slots=True)
class Offer:
    """A reward offered (or, in a receipt, granted): points, or money in an ISO 4217 currency.

    Constructing one validates it: INVALID_CONSENT_TERMS for a bad kind, a non-string or
    negative amount, a unit that does not fit the kind, or an overlong description.
    """

    kind: OfferKind
    amount: str
    unit: str
    description: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in ("points", "money"):
            raise _E(f"'offer.kind' must be 'points' or 'money', got {shorten(self.kind)}")
        if not isinstance(self.amount, str):
            raise _E(f"'offer.amount' must be a decimal string, not {type(self.amount).__name__}")
        if not _AMOUNT.fullmatch(self.amount):
            raise _E(f"'offer.amount' must be a decimal string >= 0, got {shorten(self.amount)}")
        if self.kind == "points" and self.unit != "points":
            raise _E(f"'offer.unit' must be 'points' for kind points, got {shorten(self.unit)}")
        money_unit = isinstance(self.unit, str) and _CURRENCY.fullmatch(self.unit)
        if self.kind == "money" and not money_unit:
            raise _E(f"'offer.unit' must be an ISO 4217 currency code, got {shorten(self.unit)}")
        if self.description is not None:
            _text(self.description, "offer.description", MAX_DESCRIPTION)

    @property
    def decimal(self) -> Decimal:
        return Decimal(self.amount)

    @classmethod
    def parse(cls, data: Any) -> Offer:
        """Parse an ``offer`` object; raises INVALID_CONSENT_TERMS (a float amount included)."""
        obj = as_object(data, _E, "'offer'")
        return cls(obj.get("kind"), obj.get("amount"), obj.get("unit"), obj.get("description"))  # type: ignore[arg-type]

    def to_json(self) -> dict[str, str]:
        out = {"kind": self.kind, "amount": self.amount, "unit": self.unit}
        if self.description is not None:
            out["description"] = self.description
        return out


@dataclass(frozen=True, slots=True)
class ConsentTerms:
    """What the verifier says it will do with the data, and what it offers in return.

    Each member is optional on the wire; constructing validates the present ones.
    """

    purpose: str | None = None
    retention: str | None = None
    offer: Offer | None = None

    def __post_init__(self) -> None:
        if self.purpose is not None:
            _text(self.purpose, "purpose", MAX_PURPOSE)
        if self.retention is not None:
            parse_duration(self.retention)
        if self.offer is not None and not isinstance(self.offer, Offer):
            raise _E("'offer' must be an Offer")

    @property
    def retention_period(self) -> timedelta | None:
        return parse_duration(self.retention) if self.retention is not None else None

    @classmethod
    def parse(cls, params: Mapping[str, Any]) -> ConsentTerms:
        """Read ``purpose``, ``retention`` and ``offer`` from request parameters (each optional).

        Raises INVALID_CONSENT_TERMS when one is present but malformed.
        """
        params = as_object(params, _E, "request parameters")
        offer = Offer.parse(params["offer"]) if params.get("offer") is not None else None
        return cls(params.get("purpose"), params.get("retention"), offer)

    def to_params(self) -> dict[str, Any]:
        """The request-object members for these terms (absent ones left out)."""
        out: dict[str, Any] = {}
        if self.purpose is not None:
            out["purpose"] = self.purpose
        if self.retention is not None:
            out["retention"] = self.retention
        if self.offer is not None:
            out["offer"] = self.offer.to_json()
        return out
