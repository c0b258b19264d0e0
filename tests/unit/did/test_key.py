"""did:key create / read for Ed25519 and P-256 (Multikey form)."""

from __future__ import annotations

import pytest

from pidm.did.key import CONTEXT, did_key, did_key_document, did_key_public_key, did_key_vm_id
from pidm.encoding import multibase_encode, multicodec_wrap
from pidm.errors import InvalidDID, UnsupportedAlgorithm
from pidm.keys import KeyPair

ED = "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
P256 = "did:key:zDnaepBuvsQ8cpsWrVKw8fbpGpvPeNSjVPTWoq6cRqaYzBKVP"


@pytest.mark.parametrize("algorithm", ["Ed25519", "ES256"])
def test_create_and_read_round_trip(algorithm: str) -> None:
    pair = KeyPair.generate(algorithm, rng=lambda n: bytes(range(1, n + 1)))  # type: ignore[arg-type]
    did = did_key(pair.public)
    assert did_key_public_key(did) == pair.public
    assert did_key_vm_id(pair.public) == f"{did}#{did.removeprefix('did:key:')}"
    doc = did_key_document(did)
    assert doc.method(did_key_vm_id(pair.public)).public_key == pair.public


def test_document_shape_ed25519() -> None:
    doc = did_key_document(ED)
    fragment = ED.removeprefix("did:key:")
    vm_id = f"{ED}#{fragment}"
    assert doc.to_json() == {
        "@context": list(CONTEXT),
        "id": ED,
        "verificationMethod": [
            {"id": vm_id, "type": "Multikey", "controller": ED, "publicKeyMultibase": fragment}
        ],
        "authentication": [vm_id],
        "assertionMethod": [vm_id],
        "capabilityInvocation": [vm_id],
        "capabilityDelegation": [vm_id],
    }
    assert doc.relationships["keyAgreement"] == ()
    assert doc.authorized("#" + fragment, "assertionMethod").public_key.algorithm == "Ed25519"


def test_document_p256() -> None:
    doc = did_key_document(P256)
    (vm,) = doc.verification_methods
    assert vm.public_key.algorithm == "ES256"
    assert len(vm.public_key.raw) == 33
    assert vm.to_json()["publicKeyMultibase"] == P256.removeprefix("did:key:")


def test_rejects_other_method() -> None:
    with pytest.raises(InvalidDID):
        did_key_public_key("did:web:example.com")


def test_rejects_x25519_multicodec() -> None:
    x25519 = "did:key:" + multibase_encode(multicodec_wrap(0xEC, bytes(32)))
    with pytest.raises(UnsupportedAlgorithm) as info:
        did_key_document(x25519)
    assert info.value.code == "UNSUPPORTED_ALGORITHM"


@pytest.mark.parametrize("codec", [0xEC, 0xE7, 0xEB, 0x1202, 0x1205])
def test_rejects_unsupported_key_types(codec: int) -> None:
    with pytest.raises(UnsupportedAlgorithm):
        did_key_document("did:key:" + multibase_encode(multicodec_wrap(codec, bytes(33))))


@pytest.mark.parametrize(
    "bad",
    [
        "did:key:u7QE",  # base64url multibase is not allowed for did:key
        "did:key:z",  # empty
        "did:key:z0OIl",  # not base58btc
        "did:key:1:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",  # version prefix
        "did:key:" + multibase_encode(multicodec_wrap(0xED, bytes(31))),  # short key
        "did:key:" + multibase_encode(multicodec_wrap(0x1200, b"\x02" + b"\xff" * 32)),  # off curve
        "did:key:z1" + ED.removeprefix("did:key:z"),  # leading zero byte: codec 0
        "did:key:" + multibase_encode(multicodec_wrap(0x55, bytes(32))),  # raw, not a key
    ],
)
def test_rejects_bad_encoding(bad: str) -> None:
    with pytest.raises(InvalidDID) as info:
        did_key_document(bad)
    assert info.value.code == "INVALID_DID"
