"""did:jwk create / read (the vector checks live in tests/vectors/test_did_vectors.py)."""

from __future__ import annotations

import json

import pytest

from pidm.did.jwk import CONTEXT, did_jwk, did_jwk_document, did_jwk_public_jwk, did_jwk_vm_id
from pidm.encoding import b64url_encode
from pidm.errors import InvalidDID, UnsupportedAlgorithm, VerificationMethodNotFound
from pidm.keys import KeyPair, NoEncryption

ED = KeyPair.generate("Ed25519", rng=lambda n: b"\x01" * n)
P256 = KeyPair.generate("ES256", rng=lambda n: b"\x02" * n)


def _did(jwk: dict[str, str]) -> str:
    return "did:jwk:" + b64url_encode(json.dumps(jwk).encode())


@pytest.mark.parametrize("pair", [ED, P256], ids=["Ed25519", "ES256"])
def test_create_and_read_round_trip(pair: KeyPair) -> None:
    did = did_jwk(pair.public)
    assert did_jwk_public_jwk(did) == pair.public.to_jwk()
    doc = did_jwk_document(did)
    vm_id = did_jwk_vm_id(pair.public)
    assert vm_id == did + "#0"
    for rel in ("assertionMethod", "authentication", "capabilityInvocation",
                "capabilityDelegation", "keyAgreement"):
        assert doc.authorized(vm_id, rel).public_key == pair.public
    assert doc.to_json() == {
        "@context": list(CONTEXT),
        "id": did,
        "verificationMethod": [{"id": vm_id, "type": "JsonWebKey2020", "controller": did,
                                "publicKeyJwk": pair.public.to_jwk()}],
        "assertionMethod": [vm_id],
        "authentication": [vm_id],
        "capabilityInvocation": [vm_id],
        "capabilityDelegation": [vm_id],
        "keyAgreement": [vm_id],
    }


def test_did_uses_sorted_compact_json() -> None:
    did = did_jwk(ED.public)
    jwk = ED.public.to_jwk()
    assert did == "did:jwk:" + b64url_encode(
        ('{"crv":"Ed25519","kty":"OKP","x":"' + jwk["x"] + '"}').encode()
    )


def test_use_sig_has_no_key_agreement() -> None:
    did = _did({**ED.public.to_jwk(), "use": "sig"})
    doc = did_jwk_document(did)
    assert "keyAgreement" not in doc.to_json()
    assert doc.authorized(did + "#0", "assertionMethod").public_key == ED.public
    with pytest.raises(VerificationMethodNotFound):
        doc.authorized(did + "#0", "keyAgreement")


def test_use_enc_only_key_agreement() -> None:
    did = _did({**P256.public.to_jwk(), "use": "enc"})
    doc = did_jwk_document(did)
    assert doc.to_json()["keyAgreement"] == [did + "#0"]
    assert "assertionMethod" not in doc.to_json()
    with pytest.raises(VerificationMethodNotFound):
        doc.authorized(did + "#0", "assertionMethod")


def test_x25519_resolves_without_signing_method() -> None:
    did = _did({"kty": "OKP", "crv": "X25519", "use": "enc", "x": b64url_encode(bytes(32))})
    doc = did_jwk_document(did)
    assert doc.relationships["keyAgreement"] == (did + "#0",)
    assert doc.verification_methods == ()
    with pytest.raises(VerificationMethodNotFound):
        doc.method(did + "#0")


def test_rejects_private_key() -> None:
    jwk = P256.export_private_jwk(encrypt_with=NoEncryption())
    with pytest.raises(InvalidDID) as info:
        did_jwk_document(_did(jwk))
    assert info.value.code == "INVALID_DID"


@pytest.mark.parametrize(
    "jwk",
    [
        {"kty": "EC", "crv": "secp256k1", "x": b64url_encode(bytes(32)),
         "y": b64url_encode(bytes(32))},
        {"kty": "EC", "crv": "P-521", "x": b64url_encode(bytes(66)),
         "y": b64url_encode(bytes(66))},
        {"kty": "RSA", "n": "AQAB", "e": "AQAB"},
        {"kty": "OKP", "crv": "Ed448", "x": b64url_encode(bytes(57))},
    ],
)
def test_rejects_unsupported_key_type(jwk: dict[str, str]) -> None:
    with pytest.raises(UnsupportedAlgorithm):
        did_jwk_document(_did(jwk))


@pytest.mark.parametrize(
    "value",
    [
        "did:jwk:" + b64url_encode(b"not json"),
        "did:jwk:" + b64url_encode(b"[1,2]"),
        "did:jwk:" + b64url_encode(b'{"crv":"P-256"}'),
        "did:jwk:" + b64url_encode(b'{"kty":"oct","k":"AAAA"}'),
        "did:jwk:" + b64url_encode(b"\xff\xfe"),
        "did:jwk:eyJrdHkiOiJPS1AifQ==",  # padding is not base64url
        "did:jwk:" + b64url_encode(json.dumps({**ED.public.to_jwk(), "use": "x"}).encode()),
        "did:jwk:" + b64url_encode(json.dumps({**ED.public.to_jwk(), "x": "AAAA"}).encode()),
        "did:jwk:" + b64url_encode(
            json.dumps({"kty": "OKP", "crv": "X25519", "x": "AAAA"}).encode()
        ),
        "did:key:z6Mk",
        # NaN / Infinity / 1e999 were accepted and `pidm did resolve` printed them (not JSON)
        *("did:jwk:" + b64url_encode(json.dumps(ED.public.to_jwk())[:-1].encode()
                                     + b', "n": ' + constant + b"}")
          for constant in (b"NaN", b"-Infinity", b"1e999")),
    ],
)
def test_rejects_bad_encoding(value: str) -> None:
    with pytest.raises(InvalidDID):
        did_jwk_document(value)
