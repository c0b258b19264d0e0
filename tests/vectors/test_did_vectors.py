"""did:key and did:jwk against the public vectors (../shared/vectors, README §1, §2, §5, §6).

The Multikey did:key vectors are the keys of the W3C Data Integrity suites (z6Mk… Ed25519,
zDna… P-256, z82L… P-384). The CCG did-key vectors use the 2018-2020
representations, so we check what is representation-independent: seed -> Ed25519 public key ->
DID, the key bytes, and the verification method ids. The did:jwk vectors are the spec's examples.
"""

from __future__ import annotations

import json
from typing import Any

import base58
import pytest

from pidm.did.jwk import did_jwk, did_jwk_document, did_jwk_public_jwk
from pidm.did.key import did_key, did_key_document, did_key_public_key, did_key_vm_id
from pidm.did.resolver import MethodRouter, resolve_method
from pidm.errors import UnsupportedAlgorithm
from pidm.keys import KeyPair, PublicKey
from tests.spec_vectors import load_vector, vector_path

KEY_PAIRS = [
    ("vc-di-eddsa", "TestVectors", "keyPair.json"),
    ("vc-di-ecdsa", "TestVectors", "p256KeyPair.json"),
    ("vc-di-ecdsa", "TestVectors", "p384KeyPair.json"),
]
REL = ("authentication", "assertionMethod", "capabilityInvocation", "capabilityDelegation")


@pytest.mark.parametrize("parts", KEY_PAIRS, ids=lambda p: p[-1])
def test_data_integrity_key_pairs(parts: tuple[str, ...]) -> None:
    data = load_vector(*parts)
    secret = data.get("privateKeyMultibase") or data["secretKeyMultibase"]
    pair = KeyPair.from_multikey(secret)
    multikey = data["publicKeyMultibase"]
    did = "did:key:" + multikey
    assert did_key(pair.public) == did
    assert did_key_vm_id(pair.public) == f"{did}#{multikey}"
    doc = did_key_document(did)
    for rel in REL:
        assert doc.authorized(f"{did}#{multikey}", rel).public_key == pair.public
    assert doc.to_json()["verificationMethod"] == [
        {"id": f"{did}#{multikey}", "type": "Multikey", "controller": did,
         "publicKeyMultibase": multikey}
    ]


def _verification_methods() -> list[str]:
    """Every did:key verificationMethod used by a signed Data Integrity / status-list vector."""
    found: set[str] = set()
    for folder in ("vc-di-eddsa", "vc-di-ecdsa", "status-list"):
        for path in sorted(vector_path(folder).rglob("*.json")):
            try:
                data = json.loads(path.read_text())
            except ValueError:
                continue  # README: some spec examples are not strict JSON
            _collect(data, found)
    return sorted(found)


def _collect(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        vm = node.get("verificationMethod")
        if isinstance(vm, str) and vm.startswith("did:key:"):
            found.add(vm)
        for value in node.values():
            _collect(value, found)
    elif isinstance(node, list):
        for value in node:
            _collect(value, found)


def test_vector_verification_methods_are_collected() -> None:
    vms = _verification_methods()
    assert len(vms) == 9
    assert "did:key:z6MkeVw6bAm59CopQquZcVLUpapvEEELqfpdWfHkSont8HR6" in vms  # bare DID


@pytest.mark.parametrize("vm_id", _verification_methods())
async def test_vector_verification_methods_resolve(vm_id: str) -> None:
    did, _, fragment = vm_id.partition("#")
    vm = await resolve_method(MethodRouter(), vm_id, "assertionMethod")
    assert vm.public_key == did_key_public_key(did)
    assert vm.id == did + "#" + did.removeprefix("did:key:")
    assert vm.controller == did


def test_ccg_spec_example_ed25519() -> None:
    data = load_vector("did-key", "spec-example-ed25519-2020.json")
    expected = data["didDocument"]
    doc = did_key_document(data["did"])
    (vm,) = doc.verification_methods
    assert vm.id == expected["verificationMethod"][0]["id"]
    assert vm.to_json()["publicKeyMultibase"] == expected["verificationMethod"][0][
        "publicKeyMultibase"
    ]
    for rel in REL:
        assert list(doc.relationships[rel]) == expected[rel]


def test_ccg_ed25519_seeds() -> None:
    vectors = load_vector("did-key", "test-vectors", "ed25519-x25519.json")
    assert len(vectors) == 5
    for did, entry in vectors.items():
        pair = KeyPair.from_private_bytes("Ed25519", bytes.fromhex(entry["seed"]))
        assert did_key(pair.public) == did
        assert pair.public == _vm_public_key(entry["verificationKeyPair"])
        doc = did_key_document(did)
        expected = entry["didDocument"]
        vm_id = _absolute(did, entry["verificationKeyPair"]["id"])
        assert doc.verification_methods[0].id == vm_id
        assert doc.verification_methods[0].public_key == pair.public
        for rel in REL:
            assert list(doc.relationships[rel]) == expected[rel]


def _absolute(did: str, vm_id: str) -> str:
    return did + vm_id if vm_id.startswith("#") else vm_id


def _vm_public_key(vm: dict[str, Any]) -> PublicKey:
    """The key of a 2018-2021 style verification method (publicKeyBase58 or publicKeyJwk)."""
    if "publicKeyJwk" in vm:
        return PublicKey.from_jwk(vm["publicKeyJwk"])
    raw = base58.b58decode(vm["publicKeyBase58"])
    return PublicKey("Ed25519" if len(raw) == 32 else "ES256", raw)


@pytest.mark.parametrize("prefix, algorithm, count", [("zDna", "ES256", 3), ("z82L", "ES384", 2)])
def test_ccg_nist_curves(prefix: str, algorithm: str, count: int) -> None:
    vectors = load_vector("did-key", "test-vectors", "nist-curves.json")
    dids = [d for d in vectors if d.startswith("did:key:" + prefix)]
    assert len(dids) == count
    for did in dids:
        vm = vectors[did]["verificationMethod"]
        public = _vm_public_key(vm)
        assert public.algorithm == algorithm
        assert did_key(public) == did
        assert did_key_public_key(did) == public
        if "privateKeyJwk" in vm:
            assert KeyPair.from_jwk(vm["privateKeyJwk"]).public == public
        else:
            secret = base58.b58decode(vm["privateKeyBase58"])
            assert KeyPair.from_private_bytes("ES256", secret).public == public
        assert did_key_document(did).verification_methods[0].id == _absolute(did, vm["id"])


def test_ccg_nist_p521_is_unsupported() -> None:
    vectors = load_vector("did-key", "test-vectors", "nist-curves.json")
    p521 = [d for d in vectors if d.startswith("did:key:z2J9")]
    assert len(p521) == 2 and len(vectors) == 7
    for did in p521:
        with pytest.raises(UnsupportedAlgorithm):
            did_key_document(did)


@pytest.mark.parametrize(
    "name", ["x25519.json", "secp256k1.json", "bls12381.json", "rsa.json"]
)
def test_ccg_other_key_types_are_unsupported(name: str) -> None:
    vectors = load_vector("did-key", "test-vectors", name)
    dids = list(vectors["didDocument"]) if "didDocument" in vectors else list(vectors)
    assert dids
    for did in dids:
        with pytest.raises(UnsupportedAlgorithm) as info:
            did_key_document(did)
        assert info.value.code == "UNSUPPORTED_ALGORITHM"


def test_did_jwk_p256_example() -> None:
    data = load_vector("did-jwk", "p256.json")
    printed = load_vector("did-jwk", "p256.did-document.as-printed.json")
    jwk = data["checks"]["decoded_jwk_from_did"]
    assert did_jwk_public_jwk(data["did"]) == jwk
    assert did_jwk(PublicKey.from_jwk(jwk)) == data["did"]
    # Erratum (vectors README §5): a stray "$" in the printed authentication entry.
    assert printed["authentication"] == [data["did_url"].replace("did:jwk:", "did:jwk:$")]
    corrected = {**printed, "authentication": [data["did_url"]]}
    doc = did_jwk_document(data["did"])
    assert doc.to_json() == corrected
    for rel in (*REL, "keyAgreement"):
        assert doc.authorized(data["did_url"], rel).public_key == PublicKey.from_jwk(jwk)


def test_did_jwk_x25519_example() -> None:
    data = load_vector("did-jwk", "x25519.json")
    printed = load_vector("did-jwk", "x25519.did-document.as-printed.json")
    assert did_jwk_public_jwk(data["did"]) == data["checks"]["decoded_jwk_from_did"]
    doc = did_jwk_document(data["did"])
    assert doc.to_json() == printed
    assert doc.relationships["keyAgreement"] == (data["did_url"],)
    assert doc.verification_methods == ()  # X25519 cannot verify a signature
