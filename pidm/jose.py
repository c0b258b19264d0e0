"""JWS compact serialization (RFC 7515) and JWTs (RFC 7519) over :mod:`pidm.keys`.

Only an explicit allow-list of algorithms is ever verified: ``EdDSA`` with an Ed25519 key and
``ES256`` with a P-256 key. ``none``, the HMAC family and every algorithm that does not match the
key's type are refused with ``UNSUPPORTED_ALGORITHM`` before any cryptography runs. Tokens are
size-limited (``PAYLOAD_TOO_LARGE``), headers carrying ``crit`` are refused, and JSON with
duplicate member names, ``NaN`` or runaway nesting is a ``PARSING_ERROR``.

No JOSE library is used: the format is three base64url segments and the signature is the one
:meth:`pidm.keys.PublicKey.verify` checks.
"""

from __future__ import annotations

import binascii
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pidm.encoding import b64url_encode
from pidm.errors import (
    MalformedValueError,
    ParsingError,
    PayloadTooLarge,
    ProofVerificationError,
    UnsupportedAlgorithm,
    VerificationMethodNotFound,
    shorten,
)
from pidm.keys import JOSE_ALG, PublicKey, Signer

if TYPE_CHECKING:
    from pidm.did.model import VerificationMethod
    from pidm.did.resolver import DIDResolver

__all__ = [
    "ALLOWED_ALGS",
    "JWT",
    "MAX_JWT_BYTES",
    "decode_jwt",
    "json_dumps",
    "json_loads",
    "sign_jwt",
    "verify_jwt",
    "verify_jwt_with_resolver",
]

#: The only JOSE ``alg`` values pidm verifies, mapped to the key algorithm they require.
ALLOWED_ALGS: dict[str, str] = {"EdDSA": "Ed25519", "ES256": "ES256"}
#: Largest compact JWS accepted, in characters (a PID with a portrait fits comfortably).
MAX_JWT_BYTES = 256 * 1024
#: Deepest JSON nesting accepted in a header or payload.
MAX_JSON_DEPTH = 64


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        dup = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        raise ParsingError(f"duplicate JSON member {shorten(dup)}")
    return out


def _no_constant(name: str) -> Any:
    raise ParsingError(f"JSON constant {name} is not allowed")


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):  # 1e999: no JSON writer could give it back
        raise ParsingError(f"JSON number {shorten(text)} is beyond a double")
    return value


_DECODER = json.JSONDecoder(object_pairs_hook=_no_duplicates, parse_constant=_no_constant,
                            parse_float=_finite_float)
_PLAIN_DECODER = json.JSONDecoder(parse_float=_finite_float)


def _depth(value: Any, limit: int, what: str) -> None:
    level: list[Any] = [value]
    for _ in range(limit):  # after the loop, level holds depth limit + 1
        nested: list[Any] = []
        for item in level:
            children = item.values() if type(item) is dict else item
            nested.extend(c for c in children if type(c) is dict or type(c) is list)
        if not nested:
            return
        level = nested
    raise ParsingError(f"{what} is nested deeper than {limit} levels")


def json_loads(data: bytes | str, *, what: str = "JSON") -> Any:
    """Strict JSON: UTF-8, no duplicate members, no NaN/Infinity (nor 1e999), nesting of at most
    :data:`MAX_JSON_DEPTH` levels. Raises ``PARSING_ERROR`` on anything else.
    """
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        if "{" in text or "NaN" in text or "Infinity" in text:
            value = _DECODER.decode(text)
        else:  # no object (no duplicate names) and no NaN/Infinity: the plain C decoder is exact
            value = _PLAIN_DECODER.decode(text)
    except ParsingError:
        raise
    except RecursionError as exc:  # far deeper than the limit: the decoder itself gave up
        raise ParsingError(f"{what} is nested deeper than {MAX_JSON_DEPTH} levels") from exc
    except ValueError as exc:  # UnicodeDecodeError is a ValueError
        raise ParsingError(f"{what} is not valid JSON") from exc
    # Only a text with more brackets than the limit can nest deeper than it.
    if (type(value) is dict or type(value) is list) and (
        text.count("[") + text.count("{") > MAX_JSON_DEPTH
    ):
        _depth(value, MAX_JSON_DEPTH, what)
    return value


def json_dumps(value: Any) -> bytes:
    """Compact UTF-8 JSON, as pidm writes every JOSE header and payload.

    Values that are not plain JSON (NaN, datetimes, sets...) are ``MALFORMED_VALUE_ERROR``.
    """
    try:
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        return text.encode("utf-8")
    except (TypeError, ValueError) as exc:
        raise MalformedValueError(f"value is not plain JSON: {exc}") from exc


@dataclass(frozen=True, slots=True)
class JWT:
    """A decoded compact JWS. Nothing here has been verified unless a ``verify_*`` returned it."""

    header: dict[str, Any]
    payload: dict[str, Any]
    signing_input: bytes
    signature: bytes

    @property
    def alg(self) -> str:
        return str(self.header.get("alg", ""))

    @property
    def kid(self) -> str | None:
        kid = self.header.get("kid")
        return kid if isinstance(kid, str) else None

    @classmethod
    def parse(cls, token: str) -> JWT:
        return decode_jwt(token)


# base64url -> standard alphabet; '+', '/' and '=' map to '!' so strict decoding refuses them.
_TO_STANDARD = bytes.maketrans(b"-_+/=", b"+/!!!")
_LAST_VALUE = {c: i for i, c in enumerate(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
)}


def b64url_strict(text: str) -> bytes | None:
    """Decode canonical unpadded base64url, or return None.

    Same acceptance as :func:`pidm.encoding.b64url_decode` (no padding, no other alphabet, zero
    unused bits in the last character) in one C call plus a table lookup, for the hot path of
    JWS and disclosure decoding.
    """
    rest = len(text) % 4
    if rest == 1:
        return None
    try:
        raw = text.encode("ascii").translate(_TO_STANDARD)
        data = binascii.a2b_base64(raw + b"=" * (-len(text) % 4), strict_mode=True)
    except (UnicodeEncodeError, binascii.Error):
        return None
    if rest and _LAST_VALUE.get(text[-1], 1) & (0x0F if rest == 2 else 0x03):
        return None
    return data


def _segment(text: str, name: str) -> bytes:
    data = b64url_strict(text)
    if data is None:
        raise ParsingError(f"JWS {name} is not base64url")
    return data


#: Decoded headers by their base64url text. Every credential of one issuer (and every KB-JWT
#: of one holder key type) repeats the same header, so it is parsed once. Only headers whose
#: values are all strings are kept, and callers always get a copy.
_HEADERS: dict[str, dict[str, str]] = {}
_HEADERS_MAX = 512


def _header(segment: str) -> dict[str, Any]:
    cached = _HEADERS.get(segment)
    if cached is not None:
        return dict(cached)
    header = json_loads(_segment(segment, "header"), what="JWS header")
    if not isinstance(header, dict):
        raise ParsingError("JWS header must be a JSON object")
    if not isinstance(header.get("alg"), str):
        raise ParsingError("JWS header has no string 'alg'")
    if "crit" in header:
        raise ParsingError("JWS header 'crit' is not supported")
    if len(segment) <= 2048 and all(type(v) is str for v in header.values()):
        if len(_HEADERS) >= _HEADERS_MAX:
            _HEADERS.clear()
        _HEADERS[segment] = header
        return dict(header)
    return header


def decode_jwt(token: str, *, max_bytes: int = MAX_JWT_BYTES) -> JWT:
    """Split and decode a compact JWS without verifying it.

    The header must be a JSON object with a string ``alg`` and no ``crit``; the payload a JSON
    object. Raises ``PAYLOAD_TOO_LARGE`` past ``max_bytes`` and ``PARSING_ERROR`` otherwise.
    """
    if not isinstance(token, str):
        raise ParsingError("a JWT must be a string")
    if len(token) > max_bytes:
        raise PayloadTooLarge(f"JWT of {len(token)} characters exceeds {max_bytes}")
    parts = token.split(".")
    if len(parts) != 3:
        raise ParsingError(f"a compact JWS has 3 segments, got {len(parts)}")
    head_b64, body_b64, sig_b64 = parts
    header = _header(head_b64)
    payload = json_loads(_segment(body_b64, "payload"), what="JWT payload")
    if not isinstance(payload, dict):
        raise ParsingError("JWT payload must be a JSON object")
    signature = _segment(sig_b64, "signature")
    signing_input = (head_b64 + "." + body_b64).encode("ascii")
    return JWT(header, payload, signing_input, signature)


def sign_jwt(
    header: Mapping[str, Any],
    payload: Mapping[str, Any],
    signer: Signer,
    *,
    set_kid: bool = True,
) -> str:
    """Sign ``payload`` as a compact JWS.

    ``alg`` comes from the signer (Ed25519 → EdDSA, ES256 → ES256); a conflicting ``alg`` in
    ``header`` is refused. ``kid`` is set to ``signer.key_id`` unless the header already has a
    ``kid`` or a ``jwk`` (or ``set_kid`` is False, as for a KB-JWT whose key is in ``cnf``).
    """
    alg = JOSE_ALG.get(signer.algorithm)
    if alg is None:
        raise UnsupportedAlgorithm(f"cannot sign with {shorten(signer.algorithm)}")
    if header.get("alg", alg) != alg:
        raise UnsupportedAlgorithm(f"header alg {shorten(header['alg'])} != signer alg {alg}")
    if "crit" in header:
        raise MalformedValueError("pidm does not emit 'crit'")
    full: dict[str, Any] = {"alg": alg}
    full.update({k: v for k, v in header.items() if k != "alg"})
    if set_kid and "kid" not in full and "jwk" not in full and signer.key_id:
        full["kid"] = signer.key_id
    signing_input = b64url_encode(json_dumps(full)) + "." + b64url_encode(json_dumps(payload))
    signature = signer.sign(signing_input.encode("ascii"))
    return signing_input + "." + b64url_encode(signature)


def _media_type(value: str) -> str:
    value = value.lower()
    return value[len("application/") :] if value.startswith("application/") else value


def check_alg(jwt: JWT, key: PublicKey) -> None:
    """Refuse any ``alg`` outside the allow-list or not matching ``key``'s type."""
    alg = jwt.alg
    if alg not in ALLOWED_ALGS:
        raise UnsupportedAlgorithm(f"JWS alg {shorten(alg)} is not allowed")
    if ALLOWED_ALGS[alg] != key.algorithm:
        raise UnsupportedAlgorithm(f"JWS alg {alg} does not match a {key.algorithm} key")


def check_typ(jwt: JWT, typ: str) -> None:
    """Refuse a header whose ``typ`` is not ``typ`` (media types compare case-insensitively)."""
    got = jwt.header.get("typ")
    if got == typ:  # the usual case, before case folding and the application/ prefix
        return
    if not isinstance(got, str) or _media_type(got) != _media_type(typ):
        raise MalformedValueError(f"JWS typ {shorten(got)} is not {typ!r}")


def verify_decoded(jwt: JWT, key: PublicKey, *, typ: str | None = None) -> JWT:
    """Check ``alg``, ``typ`` and the signature of an already decoded JWS; return it."""
    check_alg(jwt, key)
    if typ is not None:
        check_typ(jwt, typ)
    if not key.verify(jwt.signing_input, jwt.signature):
        raise ProofVerificationError("JWS signature is not valid for the key")
    return jwt


def verify_jwt(token: str, key: PublicKey, *, typ: str | None = None) -> JWT:
    """Decode and verify a compact JWS with ``key``; return the JWT.

    Raises ``PARSING_ERROR`` / ``PAYLOAD_TOO_LARGE`` for bad input, ``UNSUPPORTED_ALGORITHM`` for
    a refused ``alg``, ``MALFORMED_VALUE_ERROR`` for a wrong ``typ`` and
    ``PROOF_VERIFICATION_ERROR`` for a bad signature.
    """
    return verify_decoded(decode_jwt(token), key, typ=typ)


def issuer_key_id(jwt: JWT) -> str:
    """The DID URL naming the signing key: ``kid`` if it is a DID URL, else ``iss`` + ``#kid``,
    or the bare ``iss`` DID when there is no ``kid`` (did:key / did:jwk have a single key).

    When ``iss`` is a DID, the key must belong to it.
    """
    iss = jwt.payload.get("iss")
    iss_did = iss if isinstance(iss, str) and iss.startswith("did:") else None
    kid = jwt.kid
    if kid is None:
        if iss_did is None:
            raise VerificationMethodNotFound("JWS header has no 'kid' naming the issuer's key")
        return iss_did
    if kid.startswith("did:"):
        vm_id = kid
    elif iss_did is not None:
        vm_id = iss_did + (kid if kid.startswith("#") else "#" + kid)
    else:
        raise VerificationMethodNotFound(f"kid {shorten(kid)} is not a DID URL and iss no DID")
    if iss_did is not None and vm_id.split("#", 1)[0] != iss_did:
        raise ProofVerificationError(f"kid {shorten(kid)} is not a key of iss {shorten(iss_did)}")
    return vm_id


async def verify_jwt_with_resolver(
    token: str,
    resolver: DIDResolver,
    *,
    typ: str | None = None,
    relationship: str = "assertionMethod",
) -> tuple[JWT, VerificationMethod]:
    """Verify a JWS whose key is a DID verification method found through ``resolver``.

    ``kid`` is a DID URL, or a fragment relative to a DID ``iss``; the method must be listed
    under ``relationship`` in the DID document. Returns the JWT and the method used.
    """
    from pidm.did.resolver import resolve_method

    jwt = decode_jwt(token)
    vm = await resolve_method(resolver, issuer_key_id(jwt), relationship)
    return verify_decoded(jwt, vm.public_key, typ=typ), vm
