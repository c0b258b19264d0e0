"""IETF Token Status List (draft-ietf-oauth-status-list-20), JWT form, for SD-JWT VC.

* Status List (§4): ``{"bits": 1|2|4|8, "lst": base64url(ZLIB(bytes))}``, statuses packed
  LSB-first (index 0 = bit 0 of byte 0).
* Status List Token (§5.1): a JWT with ``typ`` ``statuslist+jwt`` and claims ``sub`` (its own
  URI), ``iat``, optional ``exp`` and ``ttl`` (seconds), and ``status_list``.
* Referenced Token (§6.2): ``"status": {"status_list": {"idx": n, "uri": "..."}}``.
* Status Types (§7): VALID 0, INVALID 1, SUSPENDED 2; 3 and 0x0C-0x0F application-specific.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from pidm.encoding import b64url_decode, b64url_encode
from pidm.errors import MalformedValueError, shorten
from pidm.jose import sign_jwt
from pidm.keys import Signer
from pidm.status.inflate import (
    DEFAULT_LEVEL,
    DEFAULT_MAX_INFLATED,
    Container,
    deflate,
    inflate,
)
from pidm.status.packed import BitOrder, MutableStatusList, StatusList

__all__ = [
    "ALLOWED_BITS",
    "STATUS_LIST_TYP",
    "StatusListToken",
    "TokenStatus",
    "TokenStatusReference",
    "decode_lst",
    "encode_lst",
    "new_token_list",
    "sign_status_list_token",
    "status_claim",
    "status_list_token_claims",
]

STATUS_LIST_TYP = "statuslist+jwt"
ALLOWED_BITS = (1, 2, 4, 8)


class TokenStatus(IntEnum):
    VALID = 0
    INVALID = 1
    SUSPENDED = 2


def _bits(value: object) -> int:
    if type(value) is not int or value not in ALLOWED_BITS:
        raise MalformedValueError(f"status list 'bits' must be 1, 2, 4 or 8: {shorten(value)}")
    return value


def new_token_list(entries: int, bits: int = 1) -> MutableStatusList:
    """An all-VALID list of ``entries`` statuses of ``bits`` bits."""
    return MutableStatusList.new(entries, _bits(bits), BitOrder.LSB_FIRST)


def encode_lst(status_list: StatusList | MutableStatusList, *, level: int = DEFAULT_LEVEL) -> str:
    """The ``lst`` value: base64url of the ZLIB-compressed byte array (§4.1)."""
    if status_list.order is not BitOrder.LSB_FIRST:
        raise MalformedValueError("a Token Status List is LSB-first")
    _bits(status_list.bits)
    return b64url_encode(deflate(status_list.data, Container.ZLIB, level=level))


def decode_lst(lst: object, bits: object, *, max_bytes: int = DEFAULT_MAX_INFLATED) -> StatusList:
    """Decode ``lst`` (strict base64url, one complete ZLIB stream of at most ``max_bytes``)."""
    if not isinstance(lst, str):
        raise MalformedValueError(f"status list 'lst' must be a string: {shorten(lst)}")
    width = _bits(bits)
    compressed = b64url_decode(lst, field="lst")
    data = inflate(compressed, Container.ZLIB, max_bytes=max_bytes, field="status list 'lst'")
    return StatusList(data, width, BitOrder.LSB_FIRST)


def _numeric_date(value: object, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1e11:
        raise MalformedValueError(f"status list token '{key}' must be a NumericDate: {value!r}")
    return float(value)


@dataclass(frozen=True, slots=True)
class StatusListToken:
    """The claims of a Status List Token (signature checked elsewhere)."""

    sub: str
    iat: float
    exp: float | None
    ttl: float | None
    iss: str | None
    bits: int
    lst: str

    @classmethod
    def parse(cls, payload: Mapping[str, Any]) -> StatusListToken:
        sub = payload.get("sub")
        if not isinstance(sub, str) or not sub:
            raise MalformedValueError("status list token needs a string 'sub' (its URI)")
        iat = _numeric_date(payload.get("iat"), "iat")
        exp = None if payload.get("exp") is None else _numeric_date(payload["exp"], "exp")
        ttl = payload.get("ttl")
        if ttl is not None and (type(ttl) not in (int, float) or ttl <= 0):
            raise MalformedValueError(f"status list token 'ttl' must be a positive number: {ttl!r}")
        iss = payload.get("iss")
        if iss is not None and not isinstance(iss, str):
            raise MalformedValueError(f"status list token 'iss' must be a string: {shorten(iss)}")
        claim = payload.get("status_list")
        if not isinstance(claim, Mapping):
            raise MalformedValueError("status list token needs a 'status_list' object")
        lst = claim.get("lst")
        if not isinstance(lst, str):
            raise MalformedValueError(f"status list 'lst' must be a string: {shorten(lst)}")
        ttl_s = None if ttl is None else float(ttl)
        return cls(sub, iat, exp, ttl_s, iss, _bits(claim.get("bits")), lst)

    def decode(self, *, max_bytes: int = DEFAULT_MAX_INFLATED) -> StatusList:
        return decode_lst(self.lst, self.bits, max_bytes=max_bytes)


def status_list_token_claims(
    *,
    uri: str,
    status_list: StatusList | MutableStatusList,
    iat: int,
    exp: int | None = None,
    ttl: int | None = None,
    iss: str | None = None,
    level: int = DEFAULT_LEVEL,
) -> dict[str, Any]:
    """The claims of a Status List Token served at ``uri`` (``sub`` = ``uri``)."""
    claims: dict[str, Any] = {"sub": uri, "iat": iat}
    if iss is not None:
        claims["iss"] = iss
    if exp is not None:
        claims["exp"] = exp
    if ttl is not None:
        claims["ttl"] = ttl
    claims["status_list"] = {"bits": status_list.bits, "lst": encode_lst(status_list, level=level)}
    StatusListToken.parse(claims)
    return claims


def sign_status_list_token(claims: Mapping[str, Any], signer: Signer) -> str:
    """Sign Status List Token claims as a JWT with ``typ`` ``statuslist+jwt``."""
    StatusListToken.parse(claims)
    return sign_jwt({"typ": STATUS_LIST_TYP}, claims, signer)


@dataclass(frozen=True, slots=True)
class TokenStatusReference:
    """The ``status.status_list`` reference inside a Referenced Token."""

    uri: str
    idx: int

    @classmethod
    def parse(cls, status: object) -> TokenStatusReference:
        """Parse the Referenced Token's ``status`` claim (the object holding ``status_list``)."""
        if not isinstance(status, Mapping) or not isinstance(status.get("status_list"), Mapping):
            raise MalformedValueError("'status' claim needs a 'status_list' object")
        ref = status["status_list"]
        idx, uri = ref.get("idx"), ref.get("uri")
        if type(idx) is not int or idx < 0:
            raise MalformedValueError(f"status_list 'idx' must be a non-negative integer: {idx!r}")
        if not isinstance(uri, str) or ":" not in uri:
            raise MalformedValueError(f"status_list 'uri' must be a URI: {shorten(uri)}")
        return cls(uri, idx)

    def to_json(self) -> dict[str, Any]:
        return {"status_list": {"idx": self.idx, "uri": self.uri}}


def status_claim(uri: str, idx: int) -> dict[str, Any]:
    """The ``status`` claim an issuer puts in a Referenced Token (SD-JWT VC payload)."""
    return TokenStatusReference.parse({"status_list": {"idx": idx, "uri": uri}}).to_json()
