"""VCDM 2.0 / 1.1 structure, the validity window, and credential / presentation verification."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from pidm.did.key import did_key, did_key_vm_id
from pidm.did.resolver import MethodRouter
from pidm.errors import PidmError
from pidm.integrity import add_proof
from pidm.keys import KeyPair
from pidm.vc import (
    check_validity,
    issuer_id,
    validate_credential,
    validate_presentation,
    verify_credential,
    verify_presentation,
)
from tests.spec_vectors import load_vector

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
V2 = "https://www.w3.org/ns/credentials/v2"
V1 = "https://www.w3.org/2018/credentials/v1"
EX = "https://www.w3.org/ns/credentials/examples/v2"


def keypair(seed: int) -> KeyPair:
    pair = KeyPair.from_private_bytes("Ed25519", bytes([seed]) * 32)
    return pair.with_key_id(did_key_vm_id(pair.public))


ISSUER, HOLDER = keypair(11), keypair(12)


def credential(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "@context": [V2, EX],
        "id": "urn:uuid:5f1b8f6e-7a7e-4d4a-9a55-0d4b6d1d7c11",
        "type": ["VerifiableCredential", "AlumniCredential"],
        "issuer": did_key(ISSUER.public),
        "validFrom": "2026-01-01T00:00:00Z",
        "validUntil": "2027-01-01T00:00:00Z",
        "credentialSubject": {"id": did_key(HOLDER.public), "alumniOf": "Example University"},
    }
    doc.update(changes)
    return {k: v for k, v in doc.items() if v is not None}


def code(fn: Any, *args: Any) -> str:
    with pytest.raises(PidmError) as info:
        fn(*args)
    return info.value.code


def test_valid_credentials_pass() -> None:
    validate_credential(credential())
    validate_credential(credential(issuer={"id": "https://issuer.example", "name": "U"}))
    validate_credential(credential(credentialSubject=[{"id": "did:example:1"}, {"name": "x"}]))
    validate_credential(load_vector("vc-di-eddsa", "TestVectors", "employmentAuth.json"))
    validate_credential({"@context": [V1], "type": "VerifiableCredential",
                         "issuer": "https://issuer.example",
                         "issuanceDate": "2020-01-01T00:00:00", "credentialSubject": {"a": 1}})


@pytest.mark.parametrize("changes", [
    {"@context": None},
    {"@context": V2},
    {"@context": [EX, V2]},
    {"@context": [V2, 7]},
    {"type": ["AlumniCredential"]},
    {"type": None},
    {"issuer": None},
    {"issuer": "not a url"},
    {"issuer": {"name": "no id"}},
    {"credentialSubject": None},
    {"credentialSubject": {}},
    {"credentialSubject": []},
    {"credentialSubject": {"id": "relative/id"}},
    {"credentialSubject": {"id": "did:example:alice\n"}},
    {"validFrom": "2026-01-01T00:00:00Z\n"},
    {"id": "58172aac"},
    {"validFrom": "2026-01-01T00:00:00"},
    {"validFrom": "2026-01-01"},
    {"validUntil": "2025-01-01T00:00:00Z"},
    {"credentialStatus": {"id": "https://status.example/1#5"}},
])
def test_structure_errors(changes: dict[str, Any]) -> None:
    doc = credential(**{k: v for k, v in changes.items() if k != "@context"})
    if "@context" in changes:
        doc = {k: v for k, v in doc.items() if k != "@context"}
        if changes["@context"] is not None:
            doc["@context"] = changes["@context"]
    for key, value in changes.items():
        if value is None:
            doc.pop(key, None)
    assert code(validate_credential, doc) == "INVALID_CREDENTIAL"


def test_vcdm_1_1_needs_issuance_date() -> None:
    doc = {"@context": [V1], "type": ["VerifiableCredential"], "issuer": "did:example:1",
           "credentialSubject": {"id": "did:example:2"}}
    assert code(validate_credential, doc) == "INVALID_CREDENTIAL"


def test_issuer_id_reads_both_forms() -> None:
    assert issuer_id(credential()) == did_key(ISSUER.public)
    assert issuer_id(credential(issuer={"id": "https://u.example"})) == "https://u.example"


def test_validity_window() -> None:
    check_validity(credential(), NOW)
    assert code(check_validity, credential(validUntil="2026-02-01T00:00:00Z"), NOW) == (
        "CREDENTIAL_EXPIRED")
    assert code(check_validity, credential(validFrom="2026-06-01T00:00:00+02:00"), NOW) == (
        "CREDENTIAL_NOT_YET_VALID")
    just_expired = credential(validUntil="2026-03-01T11:58:00Z")
    check_validity(just_expired, NOW)  # within the default 5 minute skew
    with pytest.raises(PidmError):
        check_validity(just_expired, NOW, timedelta(0))


def test_validity_window_at_the_ends_of_the_calendar() -> None:
    # now ± skew overflowed (OverflowError) for a clock near year 1 or 9999
    latest, earliest = datetime(9999, 12, 31, 23, 59, tzinfo=UTC), datetime(1, 1, 1, tzinfo=UTC)
    doc = credential()
    assert code(check_validity, doc, latest) == "CREDENTIAL_EXPIRED"
    assert code(check_validity, doc, earliest) == "CREDENTIAL_NOT_YET_VALID"
    del doc["validUntil"]
    check_validity(doc, latest)


def test_validity_window_of_vcdm_1_1() -> None:
    doc = {"@context": [V1], "type": ["VerifiableCredential"], "issuer": "did:example:1",
           "issuanceDate": "2026-01-01T00:00:00Z", "expirationDate": "2026-02-01T00:00:00Z",
           "credentialSubject": {"id": "did:example:2"}}
    assert code(check_validity, doc, NOW) == "CREDENTIAL_EXPIRED"
    assert code(check_validity, {**doc, "issuanceDate": "2026-09-01T00:00:00Z",
                                 "expirationDate": None}, NOW) == "CREDENTIAL_NOT_YET_VALID"


def sign(doc: dict[str, Any], suite: str = "eddsa-rdfc-2022", signer: KeyPair = ISSUER,
         **options: Any) -> dict[str, Any]:
    return add_proof(doc, signer=signer, cryptosuite=suite, created=NOW - timedelta(days=1),
                     **options)


def statuses(result: Any) -> dict[str, tuple[str, str | None]]:
    return {c.name: (c.status.value, c.code) for c in result.checks}


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "eddsa-jcs-2022"])
async def test_verify_credential(suite: str) -> None:
    result = await verify_credential(sign(credential(), suite), resolver=MethodRouter(), now=NOW)
    assert result.valid
    assert statuses(result) == {"schema": ("passed", None), "signature": ("passed", None),
                                "validity_period": ("passed", None)}
    assert result.claims["credentialSubject"]["alumniOf"] == "Example University"


async def test_proof_must_come_from_the_issuer() -> None:
    forged = sign(credential(), signer=HOLDER)
    result = await verify_credential(forged, resolver=MethodRouter(), now=NOW)
    assert statuses(result)["signature"] == ("failed", "PROOF_VERIFICATION_ERROR")
    assert "issuer" in result.errors[0].message
    alone = await verify_credential(forged, resolver=MethodRouter(), now=NOW, proof_only=True)
    assert alone.valid


async def test_w3c_vector_needs_proof_only() -> None:
    signed = load_vector("vc-di-eddsa", "TestVectors", "eddsa-rdfc-2022", "signedDataInt.json")
    strict = await verify_credential(signed, resolver=MethodRouter(), now=NOW)
    assert not strict.valid
    assert (await verify_credential(signed, resolver=MethodRouter(), now=NOW,
                                    proof_only=True)).valid


async def test_expired_and_tampered_credentials_fail_their_checks() -> None:
    expired = sign(credential(validUntil="2026-02-01T00:00:00Z"))
    result = await verify_credential(expired, resolver=MethodRouter(), now=NOW)
    assert statuses(result)["validity_period"] == ("failed", "CREDENTIAL_EXPIRED")
    assert statuses(result)["signature"] == ("passed", None)
    tampered = sign(credential())
    tampered["credentialSubject"]["alumniOf"] = "Elsewhere"
    result = await verify_credential(tampered, resolver=MethodRouter(), now=NOW)
    assert statuses(result)["signature"] == ("failed", "PROOF_VERIFICATION_ERROR")


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "eddsa-jcs-2022"])
async def test_unknown_context_fails_schema_and_skips_the_rest(suite: str) -> None:
    doc = sign(credential(), suite)
    doc["@context"] = [*doc["@context"], "https://contexts.example/v9"]
    result = await verify_credential(doc, resolver=MethodRouter(), now=NOW)
    assert statuses(result) == {"schema": ("failed", "UNKNOWN_CONTEXT"),
                                "signature": ("skipped", None),
                                "validity_period": ("skipped", None)}


async def test_malformed_input_is_a_failed_check_not_an_exception() -> None:
    result = await verify_credential([1, 2], resolver=MethodRouter(), now=NOW)  # type: ignore
    assert statuses(result)["schema"] == ("failed", "INVALID_CREDENTIAL")
    unsigned = await verify_credential(credential(), resolver=MethodRouter(), now=NOW)
    assert statuses(unsigned)["signature"] == ("failed", "MALFORMED_PROOF_ERROR")


def presentation(*credentials: dict[str, Any], holder: str | None = None) -> dict[str, Any]:
    return {"@context": [V2], "type": ["VerifiablePresentation"],
            "holder": holder or did_key(HOLDER.public), "verifiableCredential": list(credentials)}


def sign_vp(vp: dict[str, Any], suite: str = "eddsa-rdfc-2022", **options: Any) -> dict[str, Any]:
    options = {"challenge": "c-123", "domain": "https://verifier.example", **options}
    return sign(vp, suite, signer=HOLDER, proof_purpose="authentication", **options)


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "eddsa-jcs-2022"])
async def test_verify_presentation(suite: str) -> None:
    vp = sign_vp(presentation(sign(credential(), suite)), suite)
    result = await verify_presentation(vp, resolver=MethodRouter(), now=NOW, challenge="c-123",
                                       domain="https://verifier.example")
    assert result.valid, result.errors
    assert [c.name for c in result.checks] == [
        "schema", "nonce", "audience", "holder_binding", "schema", "signature",
        "validity_period"]
    assert result.checks[-1].message == "verifiableCredential[0]"


async def test_presentation_with_the_wrong_challenge_or_domain() -> None:
    vp = sign_vp(presentation(sign(credential())))
    result = await verify_presentation(vp, resolver=MethodRouter(), now=NOW, challenge="other",
                                       domain="https://verifier.example")
    assert statuses(result)["nonce"] == ("failed", "INVALID_CHALLENGE_ERROR")
    assert statuses(result)["holder_binding"] == ("failed", "INVALID_CHALLENGE_ERROR")
    result = await verify_presentation(vp, resolver=MethodRouter(), now=NOW, challenge="c-123",
                                       domain="https://evil.example")
    assert statuses(result)["audience"] == ("failed", "INVALID_DOMAIN_ERROR")


async def test_presentation_must_be_signed_by_the_holder() -> None:
    vp = sign_vp(presentation(sign(credential()), holder=did_key(ISSUER.public)))
    result = await verify_presentation(vp, resolver=MethodRouter(), now=NOW, challenge="c-123",
                                       domain="https://verifier.example")
    assert statuses(result)["holder_binding"] == ("failed", "PROOF_VERIFICATION_ERROR")


async def test_presentation_with_an_assertion_proof_is_refused() -> None:
    vp = sign(presentation(), signer=HOLDER, challenge="c-123", domain="https://verifier.example")
    result = await verify_presentation(vp, resolver=MethodRouter(), now=NOW, challenge="c-123",
                                       domain="https://verifier.example")
    assert statuses(result)["holder_binding"] == ("failed", "MISMATCHED_PROOF_PURPOSE_ERROR")


async def test_tampered_embedded_credential_is_reported_with_its_index() -> None:
    good, bad = sign(credential()), sign(credential())
    bad = copy.deepcopy(bad)
    bad["credentialSubject"]["alumniOf"] = "Forged"
    vp = sign_vp(presentation(good, bad))
    result = await verify_presentation(vp, resolver=MethodRouter(), now=NOW, challenge="c-123",
                                       domain="https://verifier.example")
    assert statuses(result)["holder_binding"] == ("passed", None)
    [error] = result.errors
    assert error.name == "signature" and error.message.startswith("verifiableCredential[1]: ")


def test_presentation_structure() -> None:
    validate_presentation(presentation())
    assert code(validate_presentation, {**presentation(), "type": ["VerifiableCredential"]}) == (
        "INVALID_CREDENTIAL")
    assert code(validate_presentation, {**presentation(), "verifiableCredential": ["jwt"]}) == (
        "INVALID_CREDENTIAL")
    assert code(validate_presentation, {**presentation(), "holder": "no url"}) == (
        "INVALID_CREDENTIAL")
