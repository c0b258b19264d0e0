"""The did:key method (W3C CCG did:key v0.7, §3.1 Create / §3.2 Read) for Ed25519, P-256 and
P-384.

A did:key is ``did:key:`` + the key's Multikey value (multibase base58btc of the multicodec-
prefixed public key). Reading it is pure: the DID document is expanded from the DID alone, with one
``Multikey`` verification method whose fragment is the multibase value, referenced from
authentication, assertionMethod, capabilityInvocation and capabilityDelegation.
"""

from __future__ import annotations

from typing import Any

from pidm.did.model import DID, DIDDocument, VerificationMethod
from pidm.encoding import multibase_decode, multicodec_unwrap
from pidm.errors import (
    InvalidDID,
    KeyMaterialError,
    MalformedValueError,
    UnsupportedAlgorithm,
    shorten,
)
from pidm.keys import PublicKey

__all__ = [
    "CONTEXT",
    "did_key",
    "did_key_document",
    "did_key_public_key",
    "did_key_vm_id",
]

CONTEXT = ("https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1")
_RELATIONSHIPS = (
    "authentication",
    "assertionMethod",
    "capabilityInvocation",
    "capabilityDelegation",
)
#: Public-key multicodecs (multiformats table) other than Ed25519 / P-256 / P-384: a key we do not
#: support, rather than garbage. x25519, secp256k1, bls12_381-g1/g2, p521, ed448, x448, rsa, sm2.
_OTHER_KEY_CODECS = frozenset(
    {0xEC, 0xE7, 0xEA, 0xEB, 0xEE, 0x1202, 0x1203, 0x1204, 0x1205, 0x1206}
)
_MAX_ID = 2048  # RSA-4096 did:keys are ~750 characters; base58 decoding is quadratic


def did_key(public: PublicKey) -> str:
    """Return the did:key DID of ``public``."""
    return "did:key:" + public.to_multikey()


def did_key_vm_id(public: PublicKey) -> str:
    """Return the verification method id (``did:key:z…#z…``) of ``public``'s did:key."""
    multikey = public.to_multikey()
    return f"did:key:{multikey}#{multikey}"


def did_key_public_key(did: str | DID) -> PublicKey:
    """Decode the public key a did:key names.

    Raises INVALID_DID for a malformed DID or key encoding, METHOD_NOT_SUPPORTED for another
    method, UNSUPPORTED_ALGORITHM for a key type other than Ed25519, P-256 or P-384.
    """
    parsed = did if isinstance(did, DID) else DID.parse(did)
    if parsed.method != "key":
        raise InvalidDID(f"not a did:key: {shorten(str(parsed))}")
    value = parsed.method_id
    if len(value) > _MAX_ID or ":" in value or not value.startswith("z"):
        # §3.1.2: only the base58btc multibase form (no version prefix) is defined.
        raise InvalidDID(f"did:key value must be base58btc multibase ('z…'): {shorten(value)}")
    try:
        public = PublicKey.from_multikey(value)
    except UnsupportedAlgorithm as exc:
        if _codec(value) in _OTHER_KEY_CODECS:
            raise UnsupportedAlgorithm(
                f"did:key key type not supported (only Ed25519, P-256, P-384): {shorten(value)}"
            ) from exc
        raise InvalidDID(f"did:key value is not a public key multicodec: {shorten(value)}") from exc
    except (MalformedValueError, KeyMaterialError) as exc:
        raise InvalidDID(f"did:key has an invalid public key: {exc}") from exc
    if public.to_multikey() != value:
        raise InvalidDID(f"did:key value is not canonically encoded: {shorten(value)}")
    return public


def _codec(value: str) -> int:
    return multicodec_unwrap(multibase_decode(value, allowed="z"))[0]


def did_key_document(did: str | DID) -> DIDDocument:
    """Expand a did:key into its DID document (Multikey form).

    Raises as :func:`did_key_public_key`.
    """
    public = did_key_public_key(did)
    return _document(public)


def _document(public: PublicKey) -> DIDDocument:
    multikey = public.to_multikey()
    doc_id = "did:key:" + multikey
    vm_id = f"{doc_id}#{multikey}"
    raw: dict[str, Any] = {
        "@context": list(CONTEXT),
        "id": doc_id,
        "verificationMethod": [
            {
                "id": vm_id,
                "type": "Multikey",
                "controller": doc_id,
                "publicKeyMultibase": multikey,
            }
        ],
    }
    for rel in _RELATIONSHIPS:
        raw[rel] = [vm_id]
    vm = VerificationMethod(vm_id, "Multikey", doc_id, public)
    relationships: dict[str, tuple[str, ...]] = {rel: (vm_id,) for rel in _RELATIONSHIPS}
    relationships["keyAgreement"] = ()
    return DIDDocument(doc_id, (vm,), relationships, raw)
