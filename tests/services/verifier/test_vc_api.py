"""VC API style endpoints for the marketer's back end: the same VerificationResult object, 200
when valid and 400 when not, behind the bearer token."""

from __future__ import annotations

from typing import Any

from pidm.sdjwt import present_sd_jwt
from tests.services.issuer.helpers import RunningIssuer
from tests.services.verifier.conftest import Held
from tests.services.verifier.helpers import RunningVerifier


def codes(result: dict[str, Any]) -> set[str]:
    return {c["code"] for c in result["checks"] if c["status"] == "failed"}


async def test_verify_sd_jwt_credential(verifier: RunningVerifier, issuer: RunningIssuer,
                                        contact: Held) -> None:
    status, result, _ = await verifier.call(
        "POST", "/credentials/verify", {"verifiableCredential": contact.credential}, admin=True)
    assert status == 200, result
    assert result["valid"] is True
    assert result["claims"]["iss"] == issuer.config.did
    assert result["claims"]["vct"] == "urn:pidm:vct:contact_profile"
    assert result["claims"]["postal_code"] == "SW1A 1AA"
    names = {c["check"]: c["status"] for c in result["checks"]}
    assert names["signature"] == names["status"] == names["issuer_trust"] == "passed"
    assert names["holder_binding"] == "skipped"


async def test_verify_tampered_credential(verifier: RunningVerifier, contact: Held) -> None:
    jwt, rest = contact.credential.split("~", 1)
    head, body, sig = jwt.split(".")
    tampered = f"{head}.{body}.{sig[:-4]}AAAA~{rest}"
    status, result, _ = await verifier.call(
        "POST", "/credentials/verify", {"verifiableCredential": tampered}, admin=True)
    assert status == 400
    assert result["valid"] is False and result["claims"] == {}
    assert codes(result) == {"PROOF_VERIFICATION_ERROR"}


async def test_verify_sd_jwt_presentation(verifier: RunningVerifier, age: Held) -> None:
    now = verifier.clock.now()
    vp = present_sd_jwt(age.credential, disclose=["age_over_18"], holder=age.key,
                        audience="https://shop.example", nonce="n-123", issued_at=now)
    body = {"verifiablePresentation": vp,
            "options": {"challenge": "n-123", "domain": "https://shop.example"}}
    status, result, _ = await verifier.call("POST", "/presentations/verify", body, admin=True)
    assert status == 200, result
    assert result["claims"]["age_over_18"] is True
    body["options"] = {"challenge": "n-456", "domain": "https://other.example"}
    status, result, _ = await verifier.call("POST", "/presentations/verify", body, admin=True)
    assert status == 400
    assert codes(result) == {"NONCE_MISMATCH", "AUDIENCE_MISMATCH"}


async def test_verify_garbage(verifier: RunningVerifier) -> None:
    status, result, _ = await verifier.call(
        "POST", "/credentials/verify", {"verifiableCredential": 42}, admin=True)
    assert status == 400
    assert codes(result) == {"PARSING_ERROR"}
