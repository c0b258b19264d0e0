"""ecdsa-rdfc-2019 / ecdsa-jcs-2019 with P-256 and P-384 keys: round trips, tampering, and keys
of the wrong curve or type refused with a code."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from pidm.did.jwk import did_jwk
from pidm.did.key import did_key, did_key_vm_id
from pidm.did.resolver import MethodRouter
from pidm.encoding import multibase_decode, multibase_encode
from pidm.errors import PidmError
from pidm.integrity import add_proof, get_suite, verify_document
from pidm.keys import KeyPair

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
V2 = "https://www.w3.org/ns/credentials/v2"
EX = "https://www.w3.org/ns/credentials/examples/v2"
SUITES = ["ecdsa-rdfc-2019", "ecdsa-jcs-2019"]


def keypair(algorithm: str, seed: int) -> KeyPair:
    size = 48 if algorithm == "ES384" else 32
    pair = KeyPair.from_private_bytes(algorithm, bytes([seed]) * size)  # type: ignore[arg-type]
    return pair.with_key_id(did_key_vm_id(pair.public))


P256, P384, ED = keypair("ES256", 1), keypair("ES384", 2), keypair("Ed25519", 3)
SIZES = {"ES256": 64, "ES384": 96}


def credential() -> dict[str, Any]:
    return {
        "@context": [V2, EX],
        "id": "urn:uuid:0f4c3a1e-2b1d-4c1e-9a1b-1d2c3b4a5f6e",
        "type": ["VerifiableCredential", "AlumniCredential"],
        "issuer": "did:example:issuer",
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:abc", "alumniOf": "The School of Examples"},
    }


def sign(suite: str, signer: KeyPair, doc: dict[str, Any] | None = None) -> dict[str, Any]:
    return add_proof(doc or credential(), signer=signer, cryptosuite=suite,
                     created=NOW - timedelta(days=1))


async def verify(doc: dict[str, Any]) -> Any:
    return await verify_document(doc, resolver=MethodRouter(), now=NOW)


async def code_of(doc: dict[str, Any]) -> str:
    with pytest.raises(PidmError) as info:
        await verify(doc)
    return info.value.code


@pytest.fixture(params=[(s, k) for s in SUITES for k in ("ES256", "ES384")],
                ids=lambda p: f"{p[0]}-{p[1]}")
def combo(request: pytest.FixtureRequest) -> tuple[str, KeyPair]:
    suite, algorithm = request.param
    return suite, P256 if algorithm == "ES256" else P384


async def test_round_trip(combo: tuple[str, KeyPair]) -> None:
    suite, pair = combo
    secured = sign(suite, pair)
    proof = secured["proof"]
    assert proof["cryptosuite"] == suite
    assert proof["verificationMethod"] == pair.key_id
    assert proof["proofValue"].startswith("z")  # base58btc of raw r||s
    assert len(_signature(secured)) == SIZES[pair.algorithm]
    assert ("@context" in proof) == (suite == "ecdsa-jcs-2019")
    [vm] = await verify(secured)
    assert vm.id == pair.key_id and vm.public_key == pair.public
    assert sign(suite, pair) == secured  # deterministic ECDSA (RFC 6979)


def _signature(secured: dict[str, Any]) -> bytes:
    return multibase_decode(secured["proof"]["proofValue"], allowed="z")


@pytest.mark.parametrize("path, value", [
    (("credentialSubject", "alumniOf"), "Another School"),
    (("issuer",), "did:example:mallory"),
])
async def test_rejects_a_tampered_document(combo: tuple[str, KeyPair], path: tuple[str, ...],
                                           value: str) -> None:
    secured = sign(*combo)
    target = secured
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    assert await code_of(secured) == "PROOF_VERIFICATION_ERROR"


async def test_rejects_tampered_proof_options(combo: tuple[str, KeyPair]) -> None:
    secured = sign(*combo)
    secured["proof"]["created"] = "2026-02-27T12:00:00Z"
    assert await code_of(secured) == "PROOF_VERIFICATION_ERROR"


async def test_rejects_a_short_signature(combo: tuple[str, KeyPair]) -> None:
    secured = sign(*combo)
    secured["proof"]["proofValue"] = multibase_encode(_signature(secured)[:-1], "z")
    assert await code_of(secured) == "PROOF_VERIFICATION_ERROR"


@pytest.mark.parametrize("suite", SUITES)
def test_rejects_an_ed25519_signer(suite: str) -> None:
    with pytest.raises(PidmError) as info:
        sign(suite, ED)
    assert info.value.code == "UNSUPPORTED_ALGORITHM"


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "eddsa-jcs-2022"])
def test_eddsa_suites_refuse_a_p384_signer(suite: str) -> None:
    with pytest.raises(PidmError) as info:
        sign(suite, P384)
    assert info.value.code == "UNSUPPORTED_ALGORITHM"


@pytest.mark.parametrize("suite", SUITES)
async def test_rejects_an_ecdsa_proof_naming_an_ed25519_key(suite: str) -> None:
    secured = sign(suite, P256)
    secured["proof"]["verificationMethod"] = ED.key_id
    assert await code_of(secured) == "PROOF_VERIFICATION_ERROR"


@pytest.mark.parametrize("suite", SUITES)
async def test_rejects_a_p384_signature_under_a_p256_key(suite: str) -> None:
    secured = sign(suite, P384)
    secured["proof"]["verificationMethod"] = P256.key_id
    assert await code_of(secured) == "PROOF_VERIFICATION_ERROR"


@pytest.mark.parametrize("suite", SUITES)
async def test_rejects_a_p256_signature_over_sha384_hash_data(suite: str) -> None:
    """The verifier takes the hash from the key's curve, not from anything in the proof."""
    secured = sign(suite, P256)
    options = {k: v for k, v in secured["proof"].items() if k != "proofValue"}
    unsecured = {k: v for k, v in secured.items() if k != "proof"}
    wrong = get_suite(suite).for_key("ES384")
    data = wrong.hash(wrong.transform(unsecured, loader=None),
                      wrong.configure(options, unsecured, loader=None))
    assert len(data) == 96
    secured["proof"]["proofValue"] = multibase_encode(P256.sign(data), "z")
    assert await code_of(secured) == "PROOF_VERIFICATION_ERROR"


def test_suite_binding() -> None:
    suite = get_suite("ecdsa-rdfc-2019")
    assert suite.key_algorithms == ("ES256", "ES384")
    with pytest.raises(PidmError) as info:
        suite.for_key("Ed25519")
    assert info.value.code == "UNSUPPORTED_ALGORITHM"
    with pytest.raises(TypeError, match="for_key"):
        suite.hash(b"", b"")  # unbound: the curve decides the hash
    assert len(suite.for_key("ES256").hash(b"", b"")) == 64
    assert len(suite.for_key("ES384").hash(b"", b"")) == 96


async def test_jcs_proof_context_must_prefix_the_document_context() -> None:
    secured = sign("ecdsa-jcs-2019", P256)
    assert secured["proof"]["@context"] == [V2, EX]
    secured["@context"] = [V2]
    assert await code_of(secured) == "PROOF_VERIFICATION_ERROR"


async def test_proof_set_mixing_eddsa_and_ecdsa() -> None:
    both = add_proof(sign("ecdsa-rdfc-2019", P384), signer=ED, cryptosuite="eddsa-jcs-2022",
                     created=NOW)
    assert [p["cryptosuite"] for p in both["proof"]] == ["ecdsa-rdfc-2019", "eddsa-jcs-2022"]
    assert [vm.id for vm in await verify(both)] == [P384.key_id, ED.key_id]
    swapped = copy.deepcopy(both)
    swapped["proof"][0]["verificationMethod"] = ED.key_id
    assert await code_of(swapped) == "PROOF_VERIFICATION_ERROR"


async def test_p384_did_jwk_signer() -> None:
    pair = P384.with_key_id(did_jwk(P384.public) + "#0")
    [vm] = await verify(sign("ecdsa-jcs-2019", pair))
    assert vm.id == pair.key_id and vm.public_key.algorithm == "ES384"
    assert did_key(P384.public).startswith("did:key:z82L")
