"""The SD-JWT container (RFC 9901 §4 and §8): the issuer-signed JWT, its disclosures and an
optional key-binding JWT, in the compact form ``<JWT>~<D1>~...~<Dn>~[<KB-JWT>]`` or the JWS JSON
serialization (flattened or general, disclosures and ``kb_jwt`` in the first unprotected header).

Parsing checks the container only; disclosures stay as text until :meth:`SdJwt.decoded` so that
a bad disclosure is reported by the ``disclosures`` check, not mistaken for a bad signature.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from pidm.errors import DisclosureInvalid, ParsingError, PayloadTooLarge
from pidm.jose import JWT, decode_jwt, json_loads
from pidm.sdjwt.disclosure import Disclosure, parse_disclosures, sd_digest

#: Largest serialized SD-JWT (with disclosures and KB-JWT) accepted, in characters.
MAX_SD_JWT_BYTES = 1024 * 1024
#: Most disclosures accepted in one SD-JWT.
MAX_DISCLOSURES = 1024
#: Most signatures looked at in a general JWS JSON serialization.
MAX_SIGNATURES = 8


@dataclass(frozen=True, slots=True)
class SdJwt:
    """A parsed SD-JWT or SD-JWT+KB. ``jwt`` is decoded but not verified.

    ``issuer_jwt`` is the compact issuer-signed JWT (for the JSON serialization, built from the
    first signature, as RFC 9901 §8.1 prescribes for ``sd_hash``); ``signatures`` holds every
    signature's JWT (just ``jwt`` for the compact form).
    """

    issuer_jwt: str
    jwt: JWT
    disclosures: tuple[str, ...]
    kb_jwt: str | None = None
    signatures: tuple[JWT, ...] = ()

    @classmethod
    def parse(cls, text: str) -> SdJwt:
        """Parse either serialization; ``PARSING_ERROR`` / ``PAYLOAD_TOO_LARGE`` on bad input."""
        if not isinstance(text, str):
            raise ParsingError("an SD-JWT must be a string")
        text = text.strip()
        if len(text) > MAX_SD_JWT_BYTES:
            raise PayloadTooLarge(f"SD-JWT of {len(text)} characters exceeds {MAX_SD_JWT_BYTES}")
        if text.startswith("{"):
            return _parse_json(text)
        parts = text.split("~")
        if len(parts) < 2:
            raise ParsingError("an SD-JWT has at least one '~'")
        if len(parts) - 2 > MAX_DISCLOSURES:
            raise PayloadTooLarge(f"more than {MAX_DISCLOSURES} disclosures")
        jwt = decode_jwt(parts[0])
        return cls(parts[0], jwt, tuple(parts[1:-1]), parts[-1] or None, (jwt,))

    def decoded(self) -> tuple[Disclosure, ...]:
        """Decode every disclosure (``DISCLOSURE_INVALID`` for a bad one)."""
        if "" in self.disclosures:
            raise DisclosureInvalid("empty disclosure between '~' separators")
        return parse_disclosures(self.disclosures)

    @property
    def payload(self) -> dict[str, Any]:
        return self.jwt.payload

    @property
    def unbound(self) -> str:
        """``<JWT>~<D1>~...~<Dn>~``: the SD-JWT without KB-JWT, the input of ``sd_hash``."""
        return "~".join((self.issuer_jwt, *self.disclosures, ""))

    def sd_hash(self) -> str:
        return sd_digest(self.unbound)

    def serialize(self) -> str:
        """The compact serialization."""
        return self.unbound + (self.kb_jwt or "")

    def with_disclosures(self, disclosures: tuple[str, ...], kb_jwt: str | None = None) -> SdJwt:
        return replace(self, disclosures=disclosures, kb_jwt=kb_jwt)

    def __str__(self) -> str:
        return self.serialize()


def _string(obj: dict[str, Any], name: str) -> str:
    value = obj.get(name)
    if not isinstance(value, str):
        raise ParsingError(f"JWS JSON serialization needs a string '{name}'")
    return value


def _parse_json(text: str) -> SdJwt:
    data = json_loads(text, what="SD-JWT JSON serialization")
    if not isinstance(data, dict):
        raise ParsingError("SD-JWT JSON serialization must be an object")
    payload = _string(data, "payload")
    if "signatures" in data:
        sigs = data["signatures"]
        if not isinstance(sigs, list) or not sigs or not all(isinstance(s, dict) for s in sigs):
            raise ParsingError("'signatures' must be a non-empty array of objects")
        if len(sigs) > MAX_SIGNATURES:
            raise PayloadTooLarge(f"more than {MAX_SIGNATURES} signatures")
    else:
        sigs = [data]
    jwts: list[JWT] = []
    compact: list[str] = []
    for sig in sigs:
        token = f"{_string(sig, 'protected')}.{payload}.{_string(sig, 'signature')}"
        compact.append(token)
        jwts.append(decode_jwt(token))
    header = sigs[0].get("header", {})
    if not isinstance(header, dict):
        raise ParsingError("unprotected 'header' must be an object")
    disclosures = header.get("disclosures", [])
    if not isinstance(disclosures, list) or not all(isinstance(d, str) for d in disclosures):
        raise ParsingError("'disclosures' must be an array of strings")
    if len(disclosures) > MAX_DISCLOSURES:
        raise PayloadTooLarge(f"more than {MAX_DISCLOSURES} disclosures")
    kb_jwt = header.get("kb_jwt")
    if kb_jwt is not None and not isinstance(kb_jwt, str):
        raise ParsingError("'kb_jwt' must be a string")
    return SdJwt(compact[0], jwts[0], tuple(disclosures), kb_jwt or None, tuple(jwts))
