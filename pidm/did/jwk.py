"""The did:jwk method (quartzjer/did-jwk spec, §Create and §Read).

A did:jwk is ``did:jwk:`` + base64url(UTF-8 JSON of a public JWK). Reading it is pure: one
``JsonWebKey2020`` verification method ``did#0``; a key with ``use: sig`` is not listed under
keyAgreement, one with ``use: enc`` only under keyAgreement.

pidm's decisions: Ed25519, P-256 and P-384 keys become usable verification methods; an X25519 key
still resolves (its document lists ``#0`` under keyAgreement, as the spec example shows) but
carries no signature-capable method, so dereferencing ``#0`` for a proof fails with
VERIFICATION_METHOD_NOT_FOUND. Any other key type, private key members or symmetric keys are
refused. The vector's stray ``$`` in the P-256 example's authentication entry is an erratum; we
emit ``did#0`` everywhere.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from pidm.did.model import DID, DIDDocument, VerificationMethod
from pidm.encoding import b64url_decode, b64url_encode
from pidm.errors import (
    InvalidDID,
    KeyMaterialError,
    MalformedValueError,
    UnsupportedAlgorithm,
    shorten,
)
from pidm.keys import PublicKey

__all__ = ["CONTEXT", "did_jwk", "did_jwk_document", "did_jwk_public_jwk", "did_jwk_vm_id"]

CONTEXT = ("https://www.w3.org/ns/did/v1", "https://w3id.org/security/suites/jws-2020/v1")
_SIGNING_RELATIONSHIPS = (
    "assertionMethod",
    "authentication",
    "capabilityInvocation",
    "capabilityDelegation",
)
_PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})
_MAX_ID = 2048  # an EC P-256 JWK is ~150 characters of base64url


def did_jwk(public: PublicKey) -> str:
    """Return the did:jwk DID of ``public`` (its JWK serialized with sorted members)."""
    text = json.dumps(public.to_jwk(), sort_keys=True, separators=(",", ":"))
    return "did:jwk:" + b64url_encode(text.encode("utf-8"))


def did_jwk_vm_id(public: PublicKey) -> str:
    """Return the verification method id (``did:jwk:…#0``) of ``public``'s did:jwk."""
    return did_jwk(public) + "#0"


def _not_json(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # NaN / Infinity: echoed back, invalid JSON


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e999
        raise ValueError(f"{text} is out of range")
    return value


def did_jwk_public_jwk(did: str | DID) -> dict[str, Any]:
    """Decode and check the JWK a did:jwk carries.

    Raises INVALID_DID (bad encoding, not a public JWK, invalid key), UNSUPPORTED_ALGORITHM
    (a key type other than Ed25519, P-256, P-384 or X25519).
    """
    parsed = did if isinstance(did, DID) else DID.parse(did)
    if parsed.method != "jwk":
        raise InvalidDID(f"not a did:jwk: {shorten(str(parsed))}")
    value = parsed.method_id
    if len(value) > _MAX_ID:
        raise InvalidDID("did:jwk value is too long")
    try:
        jwk = json.loads(b64url_decode(value, field="did:jwk").decode("utf-8"),
                         parse_constant=_not_json, parse_float=_finite)
    except (MalformedValueError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise InvalidDID(f"did:jwk value is not base64url JSON: {shorten(value)}") from exc
    if not isinstance(jwk, dict) or not isinstance(jwk.get("kty"), str):
        raise InvalidDID("did:jwk value is not a JWK object with 'kty'")
    if _PRIVATE_MEMBERS & jwk.keys() or jwk["kty"] == "oct":
        raise InvalidDID("did:jwk must carry a public asymmetric key, not private or secret parts")
    use = jwk.get("use")
    if use is not None and use not in ("sig", "enc"):
        raise InvalidDID(f"did:jwk 'use' must be 'sig' or 'enc': {shorten(use)}")
    _check_key(jwk)
    return jwk


def did_jwk_document(did: str | DID) -> DIDDocument:
    """Expand a did:jwk into its DID document. Raises as :func:`did_jwk_public_jwk`."""
    parsed = did if isinstance(did, DID) else DID.parse(did)
    jwk = did_jwk_public_jwk(parsed)
    doc_id = str(parsed)
    vm_id = doc_id + "#0"
    raw: dict[str, Any] = {
        "@context": list(CONTEXT),
        "id": doc_id,
        "verificationMethod": [
            {"id": vm_id, "type": "JsonWebKey2020", "controller": doc_id, "publicKeyJwk": jwk}
        ],
    }
    use = jwk.get("use")
    relationships: dict[str, tuple[str, ...]] = {}
    for rel in _SIGNING_RELATIONSHIPS:
        relationships[rel] = (vm_id,) if use != "enc" else ()
    relationships["keyAgreement"] = (vm_id,) if use != "sig" else ()
    for rel, ids in relationships.items():
        if ids:
            raw[rel] = list(ids)
    methods: tuple[VerificationMethod, ...] = ()
    if jwk.get("crv") != "X25519":
        public = PublicKey.from_jwk(jwk)
        methods = (VerificationMethod(vm_id, "JsonWebKey2020", doc_id, public),)
    return DIDDocument(doc_id, methods, relationships, raw)


def _check_key(jwk: Mapping[str, Any]) -> None:
    kty, crv = jwk.get("kty"), jwk.get("crv")
    if kty == "OKP" and crv == "X25519":
        x = jwk.get("x")
        try:
            raw = b64url_decode(x, field="x") if isinstance(x, str) else b""
        except MalformedValueError:
            raw = b""
        if len(raw) != 32:
            raise InvalidDID("did:jwk X25519 key 'x' must be 32 bytes of base64url")
        return
    try:
        PublicKey.from_jwk(jwk)
    except UnsupportedAlgorithm as exc:
        raise UnsupportedAlgorithm(
            f"did:jwk key type not supported (Ed25519, P-256, P-384, X25519): "
            f"{shorten(kty)}/{shorten(crv)}"
        ) from exc
    except KeyMaterialError as exc:
        raise InvalidDID(f"did:jwk has an invalid public key: {exc}") from exc
