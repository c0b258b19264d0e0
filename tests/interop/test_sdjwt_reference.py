"""Interop both ways with the reference implementation (sd-jwt 0.10.4, test-only).

The reference holder signs KB-JWTs with ``iat = time()``, so these tests verify at the real
current time. The reference verifier checks KB-JWTs with ES256 only, so holders are P-256 when
it verifies ours (issuers are Ed25519 or ES256).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from jwcrypto.jwk import JWK
from sd_jwt.common import SDObj
from sd_jwt.holder import SDJWTHolder
from sd_jwt.issuer import SDJWTIssuer
from sd_jwt.verifier import SDJWTVerifier

from pidm.clock import SystemClock
from pidm.keys import KeyPair, NoEncryption
from pidm.sdjwt import SdJwt, issue_sd_jwt, present_sd_jwt, verify_sd_jwt

AUD = "https://verifier.example.org"
NONCE = "XZOUco1u_gEPknxS78sWWg"
CLAIMS: dict[str, Any] = {
    "iss": "https://issuer.example.com",
    "iat": 1683000000,
    "exp": 4102444800,
    "sub": "user_42",
    "given_name": "John",
    "family_name": "Doe",
    "address": {"street_address": "123 Main St", "locality": "Anytown", "country": "US"},
    "nationalities": ["US", "DE"],
    "age_equal_or_over": {"18": True, "65": False},
}
OUR_PATHS = [
    "given_name", "family_name", "address", "address.street_address", "address.locality",
    "nationalities.*", "age_equal_or_over.18", "age_equal_or_over.65",
]
REF_CLAIMS: dict[Any, Any] = {
    "iss": CLAIMS["iss"], "iat": CLAIMS["iat"], "exp": CLAIMS["exp"], "sub": "user_42",
    SDObj("given_name"): "John",
    SDObj("family_name"): "Doe",
    SDObj("address"): {
        SDObj("street_address"): "123 Main St", SDObj("locality"): "Anytown", "country": "US"
    },
    "nationalities": [SDObj("US"), SDObj("DE")],
    "age_equal_or_over": {SDObj("18"): True, SDObj("65"): False},
}
REF_CHOICE = {"given_name": True, "address": {"locality": True}, "nationalities": [False, True],
              "age_equal_or_over": {"18": True}}
OUR_CHOICE = ["given_name", "address.locality", "nationalities.1", "age_equal_or_over.18"]
EXPECTED = {"given_name": "John", "address": {"locality": "Anytown", "country": "US"},
            "nationalities": ["DE"], "age_equal_or_over": {"18": True}}


def _jwk(pair: KeyPair) -> JWK:
    return JWK.from_json(json.dumps(pair.export_private_jwk(encrypt_with=NoEncryption())))


def _user(claims: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in claims.items() if k not in {"iss", "iat", "exp", "sub", "cnf"}}


def _now() -> datetime:
    return SystemClock().now()


@pytest.mark.parametrize("issuer_alg", ["ES256", "Ed25519"])
def test_reference_verifies_what_we_issue_and_present(issuer_alg: str) -> None:
    issuer = KeyPair.generate(issuer_alg)  # type: ignore[arg-type]
    holder = KeyPair.generate("ES256")
    issued = issue_sd_jwt(CLAIMS, signer=issuer, disclose=OUR_PATHS, holder_key=holder.public,
                          typ="example+sd-jwt")
    presentation = present_sd_jwt(issued, disclose=OUR_CHOICE, holder=holder, audience=AUD,
                                  nonce=NONCE, issued_at=_now())
    verifier = SDJWTVerifier(presentation, lambda iss, header: _jwk(issuer),
                             expected_aud=AUD, expected_nonce=NONCE)
    theirs = verifier.get_verified_payload()
    assert _user(theirs) == EXPECTED
    ours = verify_sd_jwt(presentation, issuer_key=issuer.public, now=_now(), audience=AUD,
                         nonce=NONCE, typ="example+sd-jwt")
    assert ours.valid and ours.claims == theirs


@pytest.mark.parametrize("alg", ["ES256", "Ed25519"])
def test_we_verify_what_the_reference_issues_and_presents(alg: str) -> None:
    issuer, holder = KeyPair.generate(alg), KeyPair.generate(alg)  # type: ignore[arg-type]
    sign_alg = "ES256" if alg == "ES256" else "EdDSA"
    ref_holder_jwk = JWK.from_json(json.dumps(holder.public.to_jwk()))
    issued = SDJWTIssuer(REF_CLAIMS, _jwk(issuer), ref_holder_jwk, sign_alg=sign_alg,
                         add_decoy_claims=True).sd_jwt_issuance
    ref_holder = SDJWTHolder(issued)
    ref_holder.create_presentation(REF_CHOICE, NONCE, AUD, _jwk(holder), sign_alg=sign_alg)
    result = verify_sd_jwt(ref_holder.sd_jwt_presentation, issuer_key=issuer.public, now=_now(),
                           audience=AUD, nonce=NONCE, typ="example+sd-jwt")
    assert result.valid, result.to_json()
    assert _user(result.claims) == EXPECTED
    everything = verify_sd_jwt(issued, issuer_key=issuer.public, now=_now(),
                               typ="example+sd-jwt")
    assert everything.valid and _user(everything.claims) == _user(CLAIMS)


def test_reference_holder_presents_our_credential() -> None:
    issuer, holder = KeyPair.generate("ES256"), KeyPair.generate("ES256")
    issued = issue_sd_jwt(CLAIMS, signer=issuer, disclose=OUR_PATHS, holder_key=holder.public,
                          typ="example+sd-jwt", decoys=3)
    ref_holder = SDJWTHolder(issued)
    ref_holder.create_presentation(REF_CHOICE, NONCE, AUD, _jwk(holder), sign_alg="ES256")
    result = verify_sd_jwt(ref_holder.sd_jwt_presentation, issuer_key=issuer.public,
                           now=_now(), audience=AUD, nonce=NONCE, typ="example+sd-jwt")
    assert result.valid, result.to_json()
    assert _user(result.claims) == EXPECTED


def test_we_present_the_reference_credential() -> None:
    issuer, holder = KeyPair.generate("ES256"), KeyPair.generate("ES256")
    ref_holder_jwk = JWK.from_json(json.dumps(holder.public.to_jwk()))
    issued = SDJWTIssuer(REF_CLAIMS, _jwk(issuer), ref_holder_jwk).sd_jwt_issuance
    presentation = present_sd_jwt(issued, disclose=OUR_CHOICE, holder=holder, audience=AUD,
                                  nonce=NONCE, issued_at=_now())
    assert len(SdJwt.parse(presentation).disclosures) == 5
    theirs = SDJWTVerifier(presentation, lambda iss, header: _jwk(issuer), expected_aud=AUD,
                           expected_nonce=NONCE).get_verified_payload()
    assert _user(theirs) == EXPECTED


def test_reference_rejects_our_tampered_presentation() -> None:
    issuer, holder = KeyPair.generate("ES256"), KeyPair.generate("ES256")
    issued = issue_sd_jwt(CLAIMS, signer=issuer, disclose=OUR_PATHS, holder_key=holder.public,
                          typ="example+sd-jwt")
    presentation = present_sd_jwt(issued, disclose=OUR_CHOICE, holder=holder, audience=AUD,
                                  nonce=NONCE, issued_at=_now())
    with pytest.raises(Exception, match="(?i)nonce"):
        SDJWTVerifier(presentation, lambda iss, header: _jwk(issuer), expected_aud=AUD,
                      expected_nonce="other")
