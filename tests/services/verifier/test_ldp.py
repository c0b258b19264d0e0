"""``ldp_vc`` over real HTTP: the real issuer issues a VCDM 2.0 credential (eddsa-rdfc-2022,
Bitstring status lists) about the holder's did:key; the holder presents it in a Data Integrity
VP (challenge = nonce, domain = client_id) built with pidm.integrity; the verifier accepts it or
refuses with the failing check's code."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from pidm.did.key import did_key_vm_id
from pidm.integrity.proof import add_proof
from pidm.keys import KeyPair
from pidm.oid4vc.vp import AuthorizationRequest
from tests.services.issuer.helpers import RunningIssuer, issue
from tests.services.verifier.helpers import RunningVerifier, Wallet, start_verifier
from tests.services.verifier.test_presentations import assert_refused

LDP_REQUEST = '''
[requests.age_ldp]
purpose = "Confirm you are over 18."
retention = "P7D"

[[requests.age_ldp.dcql_query.credentials]]
id = "age"
format = "ldp_vc"
meta = { type_values = [["AgeOver18Credential"]] }
claims = [{ path = ["credentialSubject", "age_over_18"] }]
'''


@pytest.fixture
async def ldp_verifier(tmp_path: Path, issuer: RunningIssuer) -> AsyncIterator[RunningVerifier]:
    running = await start_verifier(tmp_path / "verifier", trust=[issuer.config.did],
                                   extra_config=LDP_REQUEST)
    try:
        yield running
    finally:
        await running.stop()


@pytest.fixture
async def held_ldp(issuer: RunningIssuer) -> tuple[dict[str, Any], KeyPair]:
    key = KeyPair.generate()
    [credential] = await issue(issuer, "age_over_18_ldp_vc", {"age_over_18": True}, [key])
    return dict(credential), key.with_key_id(did_key_vm_id(key.public))


def present(credential: dict[str, Any], key: KeyPair, request: AuthorizationRequest, now: Any,
            *, challenge: str | None = None, domain: str | None = None) -> dict[str, Any]:
    vp = {"@context": ["https://www.w3.org/ns/credentials/v2"],
          "type": ["VerifiablePresentation"], "verifiableCredential": [credential]}
    return add_proof(vp, signer=key, cryptosuite="eddsa-rdfc-2022",
                     proof_purpose="authentication", created=now,
                     challenge=challenge or request.nonce,
                     domain=domain or str(request.client_id))


async def _run(verifier: RunningVerifier, wallet: Wallet, build: Any
               ) -> tuple[int, Any, dict[str, Any]]:
    tx = await verifier.start("age_ldp")
    request = await wallet.fetch_request(tx["authorization_request"], now=verifier.clock.now())
    status, answer = await wallet.post(request, {"age": [build(request)]})
    return status, answer, await verifier.transaction(tx["id"])


async def test_accepts_data_integrity_presentation(
    ldp_verifier: RunningVerifier, wallet: Wallet, held_ldp: tuple[dict[str, Any], KeyPair],
    issuer: RunningIssuer,
) -> None:
    credential, key = held_ldp
    now = ldp_verifier.clock.now()
    status, answer, tx = await _run(ldp_verifier, wallet,
                                    lambda r: present(credential, key, r, now))
    assert status == 200, answer
    result = tx["result"]
    assert result["valid"] is True
    assert result["claims"]["age"]["credentialSubject"]["age_over_18"] is True
    assert result["claims"]["age"]["issuer"] == issuer.config.did
    assert "proof" not in result["claims"]["age"]
    status_checks = [c for c in result["checks"] if c["check"] == "status"]
    assert [c["status"] for c in status_checks] == ["passed"]
    subject = answer["receipt"]["credentialSubject"]
    assert subject["holderKeyThumbprint"] == key.public.thumbprint()
    assert subject["claimsReceived"][0]["claims"] == ["credentialSubject.age_over_18"]
    assert subject["claimsReceived"][0]["credentialType"] == "AgeOver18Credential"


async def test_rejects_wrong_challenge(ldp_verifier: RunningVerifier, wallet: Wallet,
                                       held_ldp: tuple[dict[str, Any], KeyPair]) -> None:
    credential, key = held_ldp
    now = ldp_verifier.clock.now()
    status, answer, tx = await _run(ldp_verifier, wallet, lambda r: present(
        credential, key, r, now, challenge="another-nonce"))
    assert_refused(status, answer, tx, "INVALID_CHALLENGE_ERROR")


async def test_rejects_wrong_domain(ldp_verifier: RunningVerifier, wallet: Wallet,
                                    held_ldp: tuple[dict[str, Any], KeyPair]) -> None:
    credential, key = held_ldp
    now = ldp_verifier.clock.now()
    status, answer, tx = await _run(ldp_verifier, wallet, lambda r: present(
        credential, key, r, now, domain="decentralized_identifier:did:web:evil.example"))
    assert_refused(status, answer, tx, "INVALID_DOMAIN_ERROR")


async def test_rejects_presenter_who_is_not_the_subject(
    ldp_verifier: RunningVerifier, wallet: Wallet, held_ldp: tuple[dict[str, Any], KeyPair]
) -> None:
    credential, _ = held_ldp
    thief = KeyPair.generate()
    thief = thief.with_key_id(did_key_vm_id(thief.public))
    now = ldp_verifier.clock.now()
    status, answer, tx = await _run(ldp_verifier, wallet,
                                    lambda r: present(credential, thief, r, now))
    assert_refused(status, answer, tx, "HOLDER_MISMATCH")


async def test_rejects_revoked_ldp_credential(
    ldp_verifier: RunningVerifier, wallet: Wallet, issuer: RunningIssuer,
    held_ldp: tuple[dict[str, Any], KeyPair],
) -> None:
    credential, key = held_ldp
    _, listing, _ = await issuer.json(
        "GET", f"/admin/credentials?holder={key.public.thumbprint()}", admin=True)
    cid = listing["credentials"][0]["credential_id"]
    status, body, _ = await issuer.json("POST", f"/admin/credentials/{cid}/revoke", admin=True)
    assert status == 200, body
    now = ldp_verifier.clock.now()
    status, answer, tx = await _run(ldp_verifier, wallet,
                                    lambda r: present(credential, key, r, now))
    assert_refused(status, answer, tx, "CREDENTIAL_REVOKED")


async def test_rejects_tampered_credential(
    ldp_verifier: RunningVerifier, wallet: Wallet, held_ldp: tuple[dict[str, Any], KeyPair]
) -> None:
    credential, key = held_ldp
    forged = dict(credential, credentialSubject=dict(credential["credentialSubject"],
                                                     age_over_18=False))
    now = ldp_verifier.clock.now()
    status, answer, tx = await _run(ldp_verifier, wallet, lambda r: present(forged, key, r, now))
    assert_refused(status, answer, tx, "PROOF_VERIFICATION_ERROR")


async def test_vc_api_verifies_a_data_integrity_credential(
    ldp_verifier: RunningVerifier, held_ldp: tuple[dict[str, Any], KeyPair]
) -> None:
    credential, _ = held_ldp
    status, result, _ = await ldp_verifier.call(
        "POST", "/credentials/verify", {"verifiableCredential": credential}, admin=True)
    assert status == 200, result
    assert result["claims"]["credentialSubject"]["age_over_18"] is True


async def test_vc_api_verifies_a_data_integrity_presentation(
    ldp_verifier: RunningVerifier, held_ldp: tuple[dict[str, Any], KeyPair]
) -> None:
    credential, key = held_ldp
    vp = add_proof({"@context": ["https://www.w3.org/ns/credentials/v2"],
                    "type": ["VerifiablePresentation"], "verifiableCredential": [credential]},
                   signer=key, cryptosuite="eddsa-rdfc-2022", proof_purpose="authentication",
                   created=ldp_verifier.clock.now(), challenge="c-123",
                   domain="https://shop.example")
    good = {"challenge": "c-123", "domain": "https://shop.example"}
    status, result, _ = await ldp_verifier.call(
        "POST", "/presentations/verify", {"verifiablePresentation": vp, "options": good},
        admin=True)
    assert status == 200, result
    assert result["valid"] is True
    assert result["claims"]["credentialSubject"]["age_over_18"] is True
    passed = {c["check"] for c in result["checks"] if c["status"] == "passed"}
    assert {"signature", "holder_binding", "issuer_trust", "status"} <= passed
    for options, code in (({**good, "challenge": "other"}, "INVALID_CHALLENGE_ERROR"),
                          ({**good, "domain": "https://evil.example"}, "INVALID_DOMAIN_ERROR")):
        status, result, _ = await ldp_verifier.call(
            "POST", "/presentations/verify", {"verifiablePresentation": vp, "options": options},
            admin=True)
        assert status == 400, options
        assert result["valid"] is False and result["claims"] == {}
        assert code in {c.get("code") for c in result["checks"]}, result


@pytest.mark.parametrize("suite", ["ecdsa-rdfc-2019", "ecdsa-jcs-2019"])
async def test_a_p256_holder_presents_with_an_ecdsa_suite(
    ldp_verifier: RunningVerifier, issuer: RunningIssuer, wallet: Wallet, suite: str
) -> None:
    """The verifier announces every Data Integrity suite it checks, and accepts a VP that a
    P-256 holder signs with one of the ECDSA suites."""
    key = KeyPair.generate("ES256")
    [credential] = await issue(issuer, "age_over_18_ldp_vc", {"age_over_18": True}, [key])
    holder = key.with_key_id(did_key_vm_id(key.public))
    tx = await ldp_verifier.start("age_ldp")
    request = await wallet.fetch_request(tx["authorization_request"],
                                         now=ldp_verifier.clock.now())
    assert request.client_metadata is not None
    assert suite in request.client_metadata.vp_formats_supported["ldp_vc"]["cryptosuite_values"]
    vp = add_proof({"@context": ["https://www.w3.org/ns/credentials/v2"],
                    "type": ["VerifiablePresentation"], "verifiableCredential": [credential]},
                   signer=holder, cryptosuite=suite, proof_purpose="authentication",
                   created=ldp_verifier.clock.now(), challenge=request.nonce,
                   domain=str(request.client_id))
    status, answer = await wallet.post(request, {"age": [vp]})
    assert status == 200, answer
    result = (await ldp_verifier.transaction(tx["id"]))["result"]
    assert result["valid"] is True
    assert result["claims"]["age"]["credentialSubject"]["age_over_18"] is True
