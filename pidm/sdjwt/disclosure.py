"""Disclosures (RFC 9901 §4.2): ``base64url(JSON [salt, name, value])`` for an object property,
``base64url(JSON [salt, value])`` for an array element, and their SHA-256 digests."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from typing import Any

from pidm.encoding import b64url_decode, b64url_encode
from pidm.errors import (
    DisclosureInvalid,
    MalformedValueError,
    PidmError,
    SdAlgUnsupported,
    shorten,
)
from pidm.jose import json_loads
from pidm.keys import Rng

#: The only digest algorithm pidm issues and accepts (RFC 9901 §4.1.1 default).
SD_ALG = "sha-256"
SD_KEY = "_sd"
SD_ALG_KEY = "_sd_alg"
ELLIPSIS = "..."
#: Salt length in bytes: 128 bits, as RFC 9901 §9.3 recommends.
SALT_BYTES = 16


def sd_digest(text: str) -> str:
    """base64url(SHA-256(ASCII(text))) — the digest of a disclosure, and the ``sd_hash``."""
    return b64url_encode(hashlib.sha256(text.encode("ascii")).digest())


def new_salt(rng: Rng = secrets.token_bytes) -> str:
    """A fresh salt: 128 bits from ``rng``, base64url."""
    return b64url_encode(rng(SALT_BYTES))


def decoy_digest(rng: Rng = secrets.token_bytes) -> str:
    """A digest that matches no disclosure (RFC 9901 §4.2.5)."""
    return sd_digest(new_salt(rng))


@dataclass(frozen=True, slots=True)
class Disclosure:
    """One disclosure: its encoded text, its parts and its digest.

    ``name`` is None for an array-element disclosure.
    """

    encoded: str
    salt: str
    name: str | None
    value: Any
    digest: str

    @classmethod
    def create(cls, salt: str, name: str | None, value: Any) -> Disclosure:
        """Encode a disclosure as the RFC's example generator does: ``json.dumps`` defaults,
        i.e. ``", "`` separators and non-ASCII escaped (``\\u00f6``), so the bytes are ASCII."""
        parts = [salt, value] if name is None else [salt, name, value]
        try:
            text = json.dumps(parts, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise MalformedValueError(f"claim {shorten(name)} is not plain JSON: {exc}") from exc
        encoded = b64url_encode(text.encode("ascii"))
        return cls(encoded, salt, name, value, sd_digest(encoded))

    @classmethod
    def parse(cls, encoded: str) -> Disclosure:
        """Decode one disclosure; anything but a well-formed one is ``DISCLOSURE_INVALID``."""
        try:
            raw = b64url_decode(encoded, field="disclosure")
            parts = json_loads(raw, what="disclosure")
        except PidmError as exc:
            raise DisclosureInvalid(f"disclosure {shorten(encoded, 40)}: {exc}") from exc
        if not isinstance(parts, list) or len(parts) not in (2, 3):
            raise DisclosureInvalid("a disclosure is a JSON array of 2 or 3 elements")
        salt = parts[0]
        if not isinstance(salt, str):
            raise DisclosureInvalid("disclosure salt must be a string")
        name: str | None = None
        if len(parts) == 3:
            name = parts[1]
            if not isinstance(name, str):
                raise DisclosureInvalid("disclosure claim name must be a string")
            if name in (SD_KEY, ELLIPSIS):
                raise DisclosureInvalid(f"disclosure claim name {name!r} is reserved")
        return cls(encoded, salt, name, parts[-1], sd_digest(encoded))

    def to_json(self) -> list[Any]:
        return [self.salt, self.value] if self.name is None else [self.salt, self.name, self.value]


def check_sd_alg(payload: dict[str, Any]) -> None:
    """Refuse any ``_sd_alg`` but sha-256 (absent means sha-256)."""
    alg = payload.get(SD_ALG_KEY, SD_ALG)
    if alg != SD_ALG:
        raise SdAlgUnsupported(f"_sd_alg {shorten(alg)} is not supported; only {SD_ALG}")


__all__ = [
    "ELLIPSIS",
    "SALT_BYTES",
    "SD_ALG",
    "SD_ALG_KEY",
    "SD_KEY",
    "Disclosure",
    "check_sd_alg",
    "decoy_digest",
    "new_salt",
    "sd_digest",
]
