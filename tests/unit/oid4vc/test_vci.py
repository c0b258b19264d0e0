from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from pidm.did.jwk import did_jwk, did_jwk_vm_id
from pidm.did.key import did_key_vm_id
from pidm.errors import (
    InvalidCredentialOffer,
    InvalidCredentialRequest,
    InvalidIssuerResponse,
    InvalidNonce,
    InvalidProof,
    InvalidTokenRequest,
    UnknownCredentialConfiguration,
    UnsupportedGrantType,
)
from pidm.jose import decode_jwt
from pidm.keys import KeyPair
from pidm.oid4vc.vci import (
    PRE_AUTHORIZED_GRANT,
    CredentialOffer,
    CredentialRequest,
    CredentialResponse,
    IssuerMetadata,
    NonceResponse,
    PreAuthorizedCodeGrant,
    TokenRequest,
    TokenResponse,
    TxCode,
    build_proof_jwt,
    metadata_url,
    oauth_metadata_url,
    offer_reference_uri,
    parse_offer_uri,
    verify_proof_jwt,
)

ISSUER = "https://issuer.example.com"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ED = KeyPair.generate("Ed25519", rng=lambda n: b"\x51" * n)
P256 = KeyPair.generate("ES256", rng=lambda n: b"\x52" * n)


def offer(**changes: Any) -> CredentialOffer:
    base: dict[str, Any] = {
        "credential_issuer": ISSUER,
        "credential_configuration_ids": ("pid_sd_jwt",),
        "pre_authorized_code": PreAuthorizedCodeGrant(
            "code-123", TxCode("numeric", 6, "Sent by SMS")
        ),
    }
    base.update(changes)
    return CredentialOffer(**base)


# --- offers ------------------------------------------------------------------------------------
def test_offer_by_value_round_trip() -> None:
    uri = offer().to_uri()
    assert uri.startswith("openid-credential-offer://?credential_offer=%7B%22credential_issuer")
    (text,) = parse_qs(urlsplit(uri).query)["credential_offer"]
    assert json.loads(text)["grants"][PRE_AUTHORIZED_GRANT] == {
        "pre-authorized_code": "code-123",
        "tx_code": {"length": 6, "input_mode": "numeric", "description": "Sent by SMS"},
    }
    assert parse_offer_uri(uri) == offer()


def test_offer_by_reference() -> None:
    uri = offer_reference_uri("https://issuer.example.com/offers/abc")
    assert uri == (
        "openid-credential-offer://?credential_offer_uri="
        "https%3A%2F%2Fissuer.example.com%2Foffers%2Fabc"
    )
    assert parse_offer_uri(uri) == "https://issuer.example.com/offers/abc"
    http = offer_reference_uri("http://127.0.0.1:8000/offers/abc")
    with pytest.raises(InvalidCredentialOffer):
        parse_offer_uri(http)
    assert parse_offer_uri(http, allow_http=True) == "http://127.0.0.1:8000/offers/abc"


def test_empty_tx_code_still_requires_a_code() -> None:
    parsed = CredentialOffer.parse(
        {
            "credential_issuer": ISSUER,
            "credential_configuration_ids": ["a"],
            "grants": {PRE_AUTHORIZED_GRANT: {"pre-authorized_code": "c", "tx_code": {}}},
        }
    )
    assert parsed.pre_authorized_code is not None
    assert parsed.pre_authorized_code.tx_code == TxCode()
    assert parsed.pre_authorized_code.tx_code.mode == "numeric"
    no_grants = CredentialOffer.parse(
        {"credential_issuer": ISSUER, "credential_configuration_ids": ["a"]}
    )
    assert no_grants.pre_authorized_code is None and "grants" not in no_grants.to_json()


@pytest.mark.parametrize(
    "change",
    [
        {"credential_issuer": "http://issuer.example.com"},
        {"credential_issuer": "https://issuer.example.com?x=1"},
        {"credential_configuration_ids": []},
        {"credential_configuration_ids": ["a", "a"]},
        {"grants": {PRE_AUTHORIZED_GRANT: {}}},
        {
            "grants": {
                PRE_AUTHORIZED_GRANT: {
                    "pre-authorized_code": "c",
                    "tx_code": {"input_mode": "emoji"},
                }
            }
        },
        {
            "grants": {
                PRE_AUTHORIZED_GRANT: {"pre-authorized_code": "c", "tx_code": {"length": "6"}}
            }
        },
        {
            "grants": {
                PRE_AUTHORIZED_GRANT: {
                    "pre-authorized_code": "c",
                    "tx_code": {"description": "x" * 301},
                }
            }
        },
        {"grants": []},
    ],
)
def test_bad_offers(change: dict[str, Any]) -> None:
    raw = offer().to_json()
    raw.update(change)
    with pytest.raises(InvalidCredentialOffer):
        CredentialOffer.parse(raw)


def test_offer_uri_needs_exactly_one_parameter() -> None:
    with pytest.raises(InvalidCredentialOffer):
        parse_offer_uri("openid-credential-offer://?x=1")
    both = offer().to_uri() + "&credential_offer_uri=https%3A%2F%2Fa.example"
    with pytest.raises(InvalidCredentialOffer):
        parse_offer_uri(both)


# --- token / nonce -----------------------------------------------------------------------------
def test_token_request_round_trip() -> None:
    request = TokenRequest("code-123", "493536")
    body = request.encode()
    assert parse_qs(body.decode()) == {
        "grant_type": [PRE_AUTHORIZED_GRANT],
        "pre-authorized_code": ["code-123"],
        "tx_code": ["493536"],
    }
    assert TokenRequest.parse(body) == request
    assert TokenRequest.parse(request.to_form()) == request


def test_token_request_errors_carry_oauth_codes() -> None:
    with pytest.raises(UnsupportedGrantType) as grant:
        TokenRequest.parse(b"grant_type=authorization_code&code=x")
    assert grant.value.to_oauth()["error"] == "unsupported_grant_type"
    with pytest.raises(InvalidTokenRequest) as missing:
        TokenRequest.parse({"grant_type": PRE_AUTHORIZED_GRANT})
    assert missing.value.to_oauth()["error"] == "invalid_request"
    with pytest.raises(InvalidTokenRequest):
        TokenRequest.parse(b"pre-authorized_code=x")


def test_token_and_nonce_responses() -> None:
    response = TokenResponse("at-1", "Bearer", 300)
    assert TokenResponse.parse(json.dumps(response.to_json())) == response
    assert NonceResponse.parse('{"c_nonce": "wKI4LT17ac15ES9bw8ac4"}').c_nonce == (
        "wKI4LT17ac15ES9bw8ac4"
    )
    with pytest.raises(InvalidIssuerResponse):
        TokenResponse.parse({"access_token": "x", "token_type": "MAC"})
    with pytest.raises(InvalidIssuerResponse):
        NonceResponse.parse({"c_nonce": 5})


# --- credential endpoint -----------------------------------------------------------------------
def test_credential_request_round_trip() -> None:
    request = CredentialRequest("pid_sd_jwt", proofs=("a.b.c", "d.e.f"))
    assert request.to_json() == {
        "credential_configuration_id": "pid_sd_jwt",
        "proofs": {"jwt": ["a.b.c", "d.e.f"]},
    }
    assert CredentialRequest.parse(json.dumps(request.to_json())) == request
    by_identifier = CredentialRequest.parse(
        {"credential_identifier": "CivilEngineeringDegree-2023"}
    )
    assert by_identifier.credential_identifier == "CivilEngineeringDegree-2023"
    assert by_identifier.proofs == ()


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({}, InvalidCredentialRequest),
        (
            {"credential_configuration_id": "a", "credential_identifier": "b"},
            InvalidCredentialRequest,
        ),
        ({"credential_configuration_id": "a", "proof": {"jwt": "x"}}, InvalidCredentialRequest),
        (
            {"credential_configuration_id": "a", "credential_response_encryption": {}},
            InvalidCredentialRequest,
        ),
        ({"credential_configuration_id": "a", "proofs": {"di_vp": [{}]}}, InvalidProof),
        ({"credential_configuration_id": "a", "proofs": {"jwt": []}}, InvalidProof),
        (
            {"credential_configuration_id": "a", "proofs": {"jwt": ["x"], "attestation": ["y"]}},
            InvalidProof,
        ),
        ({"credential_configuration_id": "a", "proofs": {"jwt": [7]}}, InvalidProof),
    ],
)
def test_bad_credential_requests(body: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        CredentialRequest.parse(body)


def test_batch_size_limits_proofs() -> None:
    body = {"credential_configuration_id": "a", "proofs": {"jwt": ["a.b.c"] * 3}}
    assert len(CredentialRequest.parse(body, max_proofs=3).proofs) == 3
    with pytest.raises(InvalidProof) as exc:
        CredentialRequest.parse(body, max_proofs=2)
    assert exc.value.to_oauth()["error"] == "invalid_proof"


def test_credential_responses() -> None:
    immediate = CredentialResponse(("eyJ.a.b~",), notification_id="n1")
    assert immediate.to_json() == {
        "credentials": [{"credential": "eyJ.a.b~"}],
        "notification_id": "n1",
    }
    assert CredentialResponse.parse(immediate.to_json()) == immediate
    deferred = CredentialResponse(transaction_id="8xLOxBtZp8", interval=3600)
    assert CredentialResponse.parse(deferred.to_json()) == deferred
    for bad in (
        {},
        {"credentials": []},
        {"credentials": [{"credential": 5}]},
        {"transaction_id": "t"},
        {"credentials": [{"credential": "x"}], "transaction_id": "t", "interval": 5},
    ):
        with pytest.raises(InvalidIssuerResponse):
            CredentialResponse.parse(bad)


# --- metadata ----------------------------------------------------------------------------------
def test_well_known_urls_follow_the_spec_examples() -> None:
    assert metadata_url("https://issuer.example.com/tenant") == (
        "https://issuer.example.com/.well-known/openid-credential-issuer/tenant"
    )
    assert metadata_url("https://tenant.issuer.example.com") == (
        "https://tenant.issuer.example.com/.well-known/openid-credential-issuer"
    )
    assert oauth_metadata_url("https://server.example.com/issuer1") == (
        "https://server.example.com/.well-known/oauth-authorization-server/issuer1"
    )


def minimal_metadata() -> dict[str, Any]:
    return {
        "credential_issuer": ISSUER,
        "credential_endpoint": f"{ISSUER}/credential",
        "nonce_endpoint": f"{ISSUER}/nonce",
        "token_endpoint": f"{ISSUER}/token",
        "credential_configurations_supported": {
            "pid_sd_jwt": {
                "format": "dc+sd-jwt",
                "vct": "https://pidm.dev/vct/pid",
                "cryptographic_binding_methods_supported": ["jwk", "did:key"],
                "proof_types_supported": {
                    "jwt": {"proof_signing_alg_values_supported": ["EdDSA", "ES256"]}
                },
            },
            "pid_ldp": {
                "format": "ldp_vc",
                "credential_definition": {
                    "@context": ["https://www.w3.org/ns/credentials/v2"],
                    "type": ["VerifiableCredential", "PersonCredential"],
                },
            },
        },
    }


def test_metadata_parse_and_lookup() -> None:
    metadata = IssuerMetadata.parse(minimal_metadata(), expected_issuer=ISSUER)
    assert metadata.token_endpoint == f"{ISSUER}/token"
    pid = metadata.configuration("pid_sd_jwt")
    assert pid.vct == "https://pidm.dev/vct/pid"
    assert pid.proof_types_supported["jwt"].proof_signing_alg_values_supported == ("EdDSA", "ES256")
    assert metadata.configuration("pid_ldp").types == ("VerifiableCredential", "PersonCredential")
    with pytest.raises(UnknownCredentialConfiguration) as exc:
        metadata.configuration("nope")
    assert exc.value.to_oauth()["error"] == "unknown_credential_configuration"
    assert IssuerMetadata.parse(metadata.to_json()) == metadata


@pytest.mark.parametrize(
    "change",
    [
        {"credential_issuer": "https://other.example.com"},
        {"credential_endpoint": "http://issuer.example.com/credential"},
        {"credential_configurations_supported": []},
        {"batch_credential_issuance": {"batch_size": 1}},
        {"batch_credential_issuance": {}},
        {"credential_configurations_supported": {"x": {"format": "dc+sd-jwt"}}},
        {
            "credential_configurations_supported": {
                "x": {
                    "format": "ldp_vc",
                    "credential_definition": {"type": ["VerifiableCredential"]},
                }
            }
        },
        {"credential_configurations_supported": {"x": {"format": "mso_mdoc"}}},
    ],
)
def test_bad_metadata(change: dict[str, Any]) -> None:
    raw = minimal_metadata()
    raw.update(change)
    with pytest.raises(InvalidIssuerResponse):
        IssuerMetadata.parse(raw, expected_issuer=ISSUER)


# --- key proofs --------------------------------------------------------------------------------
@pytest.mark.parametrize("pair", [ED, P256], ids=["Ed25519", "ES256"])
def test_proof_with_jwk_header(pair: KeyPair) -> None:
    token = build_proof_jwt(pair, audience=ISSUER, iat=NOW, nonce="c-1", public_key=pair.public)
    jwt = decode_jwt(token)
    assert jwt.header["typ"] == "openid4vci-proof+jwt"
    assert jwt.header["jwk"] == pair.public.to_jwk() and "kid" not in jwt.header
    assert jwt.payload == {"aud": ISSUER, "iat": int(NOW.timestamp()), "nonce": "c-1"}
    key, nonce = verify_proof_jwt(token, audience=ISSUER, now=NOW + timedelta(seconds=30))
    assert (key, nonce) == (pair.public, "c-1")


def test_proof_with_did_key_and_did_jwk_kid() -> None:
    for vm_id in (did_key_vm_id(ED.public), did_jwk_vm_id(P256.public)):
        pair = ED if vm_id.startswith("did:key") else P256
        token = build_proof_jwt(pair.with_key_id(vm_id), audience=ISSUER, iat=NOW, nonce="n")
        assert decode_jwt(token).header["kid"] == vm_id
        assert verify_proof_jwt(token, audience=ISSUER, now=NOW) == (pair.public, "n")
    bare = build_proof_jwt(
        P256.with_key_id(did_jwk(P256.public)), audience=ISSUER, iat=NOW, nonce="n"
    )
    assert verify_proof_jwt(bare, audience=ISSUER, now=NOW)[0] == P256.public


def test_proof_needs_a_key_reference() -> None:
    with pytest.raises(TypeError):
        build_proof_jwt(ED, audience=ISSUER, iat=NOW, nonce="n")


def test_proof_checks_audience_time_and_nonce() -> None:
    token = build_proof_jwt(ED, audience=ISSUER, iat=NOW, nonce="c-1", public_key=ED.public)
    with pytest.raises(InvalidProof, match="aud"):
        verify_proof_jwt(token, audience="https://other.example.com", now=NOW)
    with pytest.raises(InvalidProof, match="old"):
        verify_proof_jwt(token, audience=ISSUER, now=NOW + timedelta(minutes=10))
    with pytest.raises(InvalidProof, match="future"):
        verify_proof_jwt(token, audience=ISSUER, now=NOW - timedelta(minutes=2))
    with pytest.raises(InvalidNonce) as exc:
        verify_proof_jwt(token, audience=ISSUER, now=NOW, expected_nonce="c-2")
    assert exc.value.to_oauth()["error"] == "invalid_nonce"
    assert verify_proof_jwt(token, audience=ISSUER, now=NOW, expected_nonce="c-1")[1] == "c-1"
    no_nonce = build_proof_jwt(ED, audience=ISSUER, iat=NOW, public_key=ED.public)
    with pytest.raises(InvalidProof, match="nonce"):
        verify_proof_jwt(no_nonce, audience=ISSUER, now=NOW)
    assert verify_proof_jwt(no_nonce, audience=ISSUER, now=NOW, require_nonce=False)[1] is None


def test_proof_alg_must_be_in_metadata() -> None:
    token = build_proof_jwt(ED, audience=ISSUER, iat=NOW, nonce="n", public_key=ED.public)
    with pytest.raises(InvalidProof, match="alg"):
        verify_proof_jwt(token, audience=ISSUER, now=NOW, allowed_algs=["ES256"])
    assert verify_proof_jwt(token, audience=ISSUER, now=NOW, allowed_algs=["EdDSA"])[1] == "n"
