"""A Data Integrity proof (VC Data Integrity 1.0 §2.1), parsed once into a frozen value.

The exact JSON is kept in ``raw``: the proof configuration that is hashed is those bytes, not
a re-serialization.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pidm.did.model import RELATIONSHIPS
from pidm.errors import MalformedProofError, shorten
from pidm.integrity.suite import PROOF_TYPE
from pidm.integrity.xsd import parse_datetime

__all__ = ["Proof"]


def _str(data: Mapping[str, Any], name: str, *, required: bool = False) -> str | None:
    value = data.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value:
        raise MalformedProofError(f"proof '{name}' must be a non-empty string, "
                                  f"got {shorten(value)}")
    return value


def _strings(data: Mapping[str, Any], name: str) -> tuple[str, ...]:
    value = data.get(name)
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) and v for v in items):
        raise MalformedProofError(f"proof '{name}' must be a string or a list of strings")
    return tuple(items)


def _time(data: Mapping[str, Any], name: str) -> datetime | None:
    if data.get(name) is None:
        return None
    return parse_datetime(data[name], field=name, require_offset=False,
                          error=MalformedProofError)


@dataclass(frozen=True, slots=True)
class Proof:
    """One proof of a secured document."""

    raw: Mapping[str, Any]
    type: str
    cryptosuite: str
    verification_method: str
    proof_purpose: str
    proof_value: str
    created: datetime | None
    expires: datetime | None
    challenge: str | None
    domain: tuple[str, ...]
    id: str | None
    previous_proof: tuple[str, ...]

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> Proof:
        """Parse a ``DataIntegrityProof``; MALFORMED_PROOF_ERROR for anything missing or
        mistyped (type, cryptosuite, verificationMethod, proofPurpose, proofValue required)."""
        if not isinstance(data, Mapping):
            raise MalformedProofError("a proof must be a JSON object")
        if data.get("type") != PROOF_TYPE:
            raise MalformedProofError(f"proof type must be {PROOF_TYPE}, "
                                      f"got {shorten(data.get('type'))}")
        purpose = _str(data, "proofPurpose", required=True)
        if purpose not in RELATIONSHIPS:
            raise MalformedProofError(f"unknown proof purpose {shorten(purpose)}")
        return cls(
            raw=data,
            type=PROOF_TYPE,
            cryptosuite=_str(data, "cryptosuite", required=True) or "",
            verification_method=_str(data, "verificationMethod", required=True) or "",
            proof_purpose=purpose or "",
            proof_value=_str(data, "proofValue", required=True) or "",
            created=_time(data, "created"),
            expires=_time(data, "expires"),
            challenge=_str(data, "challenge"),
            domain=_strings(data, "domain"),
            id=_str(data, "id"),
            previous_proof=_strings(data, "previousProof"),
        )
