"""add_proof / verify_proof / verify_document: purposes, keys, dates, sets, chains, tampering."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from pidm.did.key import did_key, did_key_vm_id
from pidm.did.model import DIDDocument
from pidm.did.resolver import MethodRouter, StaticResolver
from pidm.errors import PidmError
from pidm.integrity import add_proof, verify_document, verify_proof
from pidm.keys import KeyPair

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
SUITES = ["eddsa-rdfc-2022", "eddsa-jcs-2022"]
V2 = "https://www.w3.org/ns/credentials/v2"
EX = "https://www.w3.org/ns/credentials/examples/v2"


def keypair(seed: int) -> KeyPair:
    pair = KeyPair.from_private_bytes("Ed25519", bytes([seed]) * 32)
    return pair.with_key_id(did_key_vm_id(pair.public))


ALICE, BOB, CAROL = keypair(1), keypair(2), keypair(3)


def credential() -> dict[str, Any]:
    return {
        "@context": [V2, EX],
        "id": "urn:uuid:0f4c3a1e-2b1d-4c1e-9a1b-1d2c3b4a5f6e",
        "type": ["VerifiableCredential", "AlumniCredential"],
        "issuer": did_key(ALICE.public),
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:abc", "alumniOf": "The School of Examples"},
    }


def sign(suite: str, doc: dict[str, Any] | None = None, signer: KeyPair = ALICE,
         **options: Any) -> dict[str, Any]:
    options.setdefault("created", NOW - timedelta(days=1))
    return add_proof(doc or credential(), signer=signer, cryptosuite=suite, **options)


async def verify(doc: dict[str, Any], **options: Any) -> Any:
    return await verify_document(doc, resolver=MethodRouter(), now=NOW, **options)


async def code_of(doc: dict[str, Any], **options: Any) -> str:
    with pytest.raises(PidmError) as info:
        await verify(doc, **options)
    return info.value.code


@pytest.fixture(params=SUITES)
def suite(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


async def test_round_trip(suite: str) -> None:
    secured = sign(suite)
    assert secured["proof"]["verificationMethod"] == ALICE.key_id
    assert secured["proof"]["proofValue"].startswith("z")
    [vm] = await verify(secured)
    assert vm.public_key == ALICE.public


@pytest.mark.parametrize("path, value", [
    (("credentialSubject", "alumniOf"), "The School of Forgery"),
    (("issuer",), "did:example:mallory"),
    (("validFrom",), "2020-01-01T00:00:00Z"),
])
async def test_rejects_tampered_claims(suite: str, path: tuple[str, ...], value: str) -> None:
    secured = sign(suite)
    target = secured
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    assert await code_of(secured) == "PROOF_VERIFICATION_ERROR"


async def test_rejects_tampered_proof_options(suite: str) -> None:
    secured = sign(suite)
    secured["proof"]["created"] = "2026-02-27T00:00:00Z"
    assert await code_of(secured) == "PROOF_VERIFICATION_ERROR"


async def test_key_order_does_not_matter(suite: str) -> None:
    secured = sign(suite)
    reordered = dict(reversed(list(secured.items())))
    reordered["proof"] = dict(reversed(list(secured["proof"].items())))
    reordered["credentialSubject"] = dict(reversed(list(secured["credentialSubject"].items())))
    assert len(await verify(reordered)) == 1


async def test_proof_set_order_does_not_matter(suite: str) -> None:
    both = sign(suite, sign(suite), signer=BOB)
    assert len(both["proof"]) == 2
    both["proof"].reverse()
    assert [vm.public_key for vm in await verify(both)] == [BOB.public, ALICE.public]


async def test_rejects_swapped_proof_values_in_a_set(suite: str) -> None:
    both = sign(suite, sign(suite), signer=BOB)
    first, second = both["proof"]
    first["proofValue"], second["proofValue"] = second["proofValue"], first["proofValue"]
    assert await code_of(both) == "PROOF_VERIFICATION_ERROR"


async def test_rejects_a_signature_by_another_key(suite: str) -> None:
    impostor = BOB.with_key_id(ALICE.key_id)  # Bob signs but names Alice's key
    assert await code_of(sign(suite, signer=impostor)) == "PROOF_VERIFICATION_ERROR"


async def test_rejects_the_wrong_purpose(suite: str) -> None:
    secured = sign(suite)
    assert await code_of(secured, expected_purpose="authentication") == (
        "MISMATCHED_PROOF_PURPOSE_ERROR")


async def test_rejects_a_key_not_authorized_for_the_purpose(suite: str) -> None:
    did = "did:example:issuer"
    vm_id = did + "#key-1"
    doc = {"id": did, "verificationMethod": [{"id": vm_id, "type": "Multikey", "controller": did,
                                              "publicKeyMultibase": ALICE.public.to_multikey()}],
           "authentication": [vm_id]}
    secured = sign(suite, signer=ALICE.with_key_id(vm_id))
    with pytest.raises(PidmError) as info:
        await verify_document(secured, resolver=StaticResolver({did: doc}), now=NOW)
    assert info.value.code == "VERIFICATION_METHOD_NOT_FOUND"
    doc["assertionMethod"] = [vm_id]
    assert len(await verify_document(secured, resolver=StaticResolver({did: doc}), now=NOW)) == 1


async def test_authentication_with_challenge_and_domain(suite: str) -> None:
    vp = {"@context": [V2], "type": ["VerifiablePresentation"], "holder": did_key(ALICE.public)}
    secured = sign(suite, vp, proof_purpose="authentication", challenge="n-0S6_WzA2Mj",
                   domain="https://verifier.example")
    ok = {"expected_purpose": "authentication", "challenge": "n-0S6_WzA2Mj",
          "domain": "https://verifier.example"}
    assert len(await verify(secured, **ok)) == 1
    assert await code_of(secured, **{**ok, "challenge": "other"}) == "INVALID_CHALLENGE_ERROR"
    assert await code_of(secured, **{**ok, "domain": "https://evil.example"}) == (
        "INVALID_DOMAIN_ERROR")
    unchallenged = sign(suite, vp, proof_purpose="authentication",
                        domain="https://verifier.example")
    assert await code_of(unchallenged, **ok) == "INVALID_CHALLENGE_ERROR"


async def test_rejects_an_expired_proof(suite: str) -> None:
    secured = sign(suite, expires=NOW - timedelta(hours=1))
    assert await code_of(secured) == "INVALID_PROOF_DATETIME"
    assert len(await verify(sign(suite, expires=NOW + timedelta(hours=1)))) == 1


async def test_rejects_a_proof_created_in_the_future(suite: str) -> None:
    assert await code_of(sign(suite, created=NOW + timedelta(hours=1))) == (
        "INVALID_PROOF_DATETIME")
    assert len(await verify(sign(suite, created=NOW + timedelta(minutes=1)))) == 1  # skew


async def test_dates_at_the_ends_of_the_calendar(suite: str) -> None:
    # now ± skew overflowed: pidm vc verify --at 9999-12-31T23:59:59 was an OverflowError
    latest, earliest = datetime(9999, 12, 31, 23, 59, tzinfo=UTC), datetime(1, 1, 1, tzinfo=UTC)
    assert len(await verify_document(sign(suite), resolver=MethodRouter(), now=latest)) == 1
    expiring = sign(suite, expires=NOW + timedelta(days=1))
    with pytest.raises(PidmError) as info:
        await verify_document(expiring, resolver=MethodRouter(), now=latest)
    assert str(info.value).startswith("proof expired at ")
    with pytest.raises(PidmError) as info:
        await verify_document(expiring, resolver=MethodRouter(), now=earliest)
    assert info.value.code == "INVALID_PROOF_DATETIME"
    assert str(info.value).endswith("is in the future")


@pytest.mark.parametrize("value", ["uAAAA", "z0OIl", "", "mAAAA", 7, "z2g\n"])
async def test_rejects_bad_multibase(suite: str, value: Any) -> None:
    secured = sign(suite)
    secured["proof"]["proofValue"] = value
    assert await code_of(secured) == "MALFORMED_PROOF_ERROR"


async def test_trailing_newline_in_the_proof_value_is_malformed(suite: str) -> None:
    # the base58 check let 'z…\n' through and the decoder raised KeyError (a CLI traceback)
    secured = sign(suite)
    secured["proof"]["proofValue"] += "\n"
    assert await code_of(secured) == "MALFORMED_PROOF_ERROR"


async def test_rejects_a_short_signature(suite: str) -> None:
    secured = sign(suite)
    secured["proof"]["proofValue"] = "z" + "2" * 10
    assert await code_of(secured) == "PROOF_VERIFICATION_ERROR"


@pytest.mark.parametrize("field", ["type", "verificationMethod", "proofPurpose", "proofValue",
                                   "cryptosuite"])
async def test_rejects_a_proof_missing_a_member(suite: str, field: str) -> None:
    secured = sign(suite)
    del secured["proof"][field]
    assert await code_of(secured) == "MALFORMED_PROOF_ERROR"


async def test_rejects_an_unknown_cryptosuite() -> None:
    secured = sign("eddsa-rdfc-2022")
    secured["proof"]["cryptosuite"] = "eddsa-2022"
    assert await code_of(secured) == "UNSUPPORTED_ALGORITHM"


async def test_rejects_a_document_without_proof() -> None:
    assert await code_of(credential()) == "MALFORMED_PROOF_ERROR"


async def test_chain_link_is_broken_by_changing_the_previous_proof(suite: str) -> None:
    first = sign(suite, proof_id="urn:uuid:first")
    chained = sign(suite, first, signer=BOB, previous_proof="urn:uuid:first")
    assert chained["proof"][1]["previousProof"] == "urn:uuid:first"
    assert len(await verify(chained)) == 2
    dangling = copy.deepcopy(chained)
    dangling["proof"][1]["previousProof"] = "urn:uuid:missing"
    assert await code_of(dangling) == "PROOF_VERIFICATION_ERROR"
    with pytest.raises(PidmError) as info:
        add_proof(first, signer=CAROL, cryptosuite=suite, created=NOW,
                  previous_proof="urn:uuid:missing")
    assert info.value.code == "PROOF_GENERATION_ERROR"


async def test_chain_needs_the_previous_proof_present(suite: str) -> None:
    first = sign(suite, proof_id="urn:uuid:first")
    chained = sign(suite, first, signer=BOB, previous_proof="urn:uuid:first")
    chained["proof"] = [chained["proof"][1]]
    assert await code_of(chained) == "PROOF_VERIFICATION_ERROR"


async def test_jcs_proof_context_must_prefix_the_document_context() -> None:
    secured = sign("eddsa-jcs-2022")
    assert secured["proof"]["@context"] == [V2, EX]
    secured["@context"] = [V2]
    secured["proof"]["@context"] = [V2, EX]
    assert await code_of(secured) == "PROOF_VERIFICATION_ERROR"


async def test_undefined_term_is_data_loss_on_issue_and_on_verify() -> None:
    doc = credential()
    doc["@context"] = [V2]
    with pytest.raises(PidmError) as info:
        sign("eddsa-rdfc-2022", doc)
    assert info.value.code == "DATA_LOSS_DETECTION_ERROR"
    secured = sign("eddsa-rdfc-2022")
    secured["unsignedClaim"] = "sneaked in"
    secured["@context"] = [V2, EX, {"@vocab": None}]
    assert await code_of(secured) == "DATA_LOSS_DETECTION_ERROR"


def _with_lone_surrogate(doc: dict[str, Any], where: str) -> dict[str, Any]:
    subject = doc["credentialSubject"]
    if where == "term":  # an undefined term the examples context's @vocab turns into an IRI
        subject["\ud800"] = "x"
    elif where == "id":
        subject["id"] = "urn:example:\udc00"
    else:
        subject["alumniOf"] = {"@value": "x", "@type": "https://example.org/\ud800"}
    return doc


SURROGATE_CODES = {"eddsa-rdfc-2022": "DATA_LOSS_DETECTION_ERROR",
                   "eddsa-jcs-2022": "MALFORMED_VALUE_ERROR"}


@pytest.mark.parametrize("where", ["term", "id", "datatype"])
async def test_lone_surrogate_in_an_iri_is_a_coded_error(suite: str, where: str) -> None:
    # eddsa-rdfc-2022 raised UnicodeEncodeError from hashing the N-Quads (a traceback in the CLI)
    with pytest.raises(PidmError) as info:
        sign(suite, _with_lone_surrogate(credential(), where))
    assert info.value.code == SURROGATE_CODES[suite]
    tampered = _with_lone_surrogate(sign(suite), where)
    assert await code_of(tampered) == SURROGATE_CODES[suite]


async def test_unknown_context_on_verify() -> None:
    secured = sign("eddsa-rdfc-2022")
    secured["@context"] = [V2, EX, "https://contexts.example/v1"]
    assert await code_of(secured) == "UNKNOWN_CONTEXT"


def test_context_injection_for_documents_without_data_integrity_terms() -> None:
    doc = {"@context": ["https://www.w3.org/2018/credentials/v1"], "id": "urn:x",
           "type": ["VerifiableCredential"], "issuer": did_key(ALICE.public),
           "issuanceDate": "2026-01-01T00:00:00Z", "credentialSubject": {"id": "did:example:1"}}
    secured = sign("eddsa-rdfc-2022", doc)
    assert secured["@context"][-1] == "https://w3id.org/security/data-integrity/v2"


def test_signer_algorithm_must_match_the_suite(suite: str) -> None:
    p256 = KeyPair.from_private_bytes("ES256", bytes([7]) * 32, "did:example:p#1")
    with pytest.raises(PidmError) as info:
        sign(suite, signer=p256)
    assert info.value.code == "UNSUPPORTED_ALGORITHM"


def test_verify_proof_with_a_given_controller_document(suite: str) -> None:
    secured = sign(suite)
    controller = DIDDocument.parse({
        "id": did_key(ALICE.public),
        "verificationMethod": [{"id": ALICE.key_id, "type": "Multikey",
                                "controller": did_key(ALICE.public),
                                "publicKeyMultibase": ALICE.public.to_multikey()}],
        "assertionMethod": [ALICE.key_id]})
    vm = verify_proof(secured, secured["proof"], controller=controller, now=NOW)
    assert vm.id == ALICE.key_id
    other = DIDDocument.parse({"id": "did:example:other"})
    with pytest.raises(PidmError) as info:
        verify_proof(secured, secured["proof"], controller=other, now=NOW)
    assert info.value.code == "VERIFICATION_METHOD_NOT_FOUND"


async def test_bare_did_key_verification_method(suite: str) -> None:
    secured = sign(suite, signer=ALICE.with_key_id(did_key(ALICE.public)))
    assert secured["proof"]["verificationMethod"] == did_key(ALICE.public)
    [vm] = await verify(secured)
    assert vm.id == ALICE.key_id
