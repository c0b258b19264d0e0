"""OpenID4VP 1.0 / OpenID4VCI 1.0 example files (../shared/vectors) through the message models."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from pidm.did.model import DIDDocument
from pidm.encoding import b64url_encode
from pidm.errors import (
    InvalidAuthorizationRequest,
    InvalidCredentialRequest,
    UnsupportedAlgorithm,
)
from pidm.jose import decode_jwt, verify_jwt
from pidm.keys import KeyPair, PublicKey
from pidm.oid4vc.dcql import DcqlQuery
from pidm.oid4vc.request_object import (
    REQUEST_OBJECT_TYP,
    inspect_request_object,
    verify_request_object,
)
from pidm.oid4vc.vci import (
    AuthorizationCodeGrant,
    CredentialConfiguration,
    CredentialOffer,
    CredentialRequest,
    CredentialResponse,
    IssuerMetadata,
    PreAuthorizedCodeGrant,
    TokenResponse,
    TxCode,
    metadata_url,
    parse_offer_uri,
)
from pidm.oid4vc.vp import AuthorizationRequest, ClientMetadata
from pidm.oid4vc.vp_response import (
    AuthorizationErrorResponse,
    AuthorizationResponse,
    parse_authorization_response,
)
from tests.spec_vectors import load_vector, vector_path

VP = ("openid4vp-1.0", "examples")
VCI = ("openid4vci-1.0", "examples")
NOW = datetime(2026, 3, 1, tzinfo=UTC)


def _names(*parts: str, pattern: str = "*.json") -> list[str]:
    return sorted(p.name for p in Path(vector_path(*parts)).glob(pattern))


QUERY_FILES = [("query_lang", n) for n in _names(*VP, "query_lang")] + [
    ("request", n) for n in _names(*VP, "request", pattern="dcql_*.json")
]


@pytest.mark.parametrize(("folder", "name"), QUERY_FILES, ids=lambda v: str(v))
def test_dcql_examples_parse_and_round_trip(folder: str, name: str) -> None:
    raw: dict[str, Any] = load_vector(*VP, folder, name)
    query = DcqlQuery.parse(raw)
    assert query.to_json() == raw
    assert [c.id for c in query.credentials] == [c["id"] for c in raw["credentials"]]


def test_dcql_example_count() -> None:
    assert len(QUERY_FILES) == 9


def test_complex_mdoc_credential_sets() -> None:
    query = DcqlQuery.parse(load_vector(*VP, "query_lang", "complex_mdoc.json"))
    assert query.credential_sets is not None
    first, second = query.credential_sets
    assert first.required and first.options == (("mdl-id",), ("photo_card-id",))
    assert not second.required
    assert query.credential("mdl-id").doctype_value == "org.iso.18013.5.1.mDL"
    assert query.credential("mdl-id").claims is not None


def test_claims_alternatives_claim_sets() -> None:
    query = DcqlQuery.parse(load_vector(*VP, "query_lang", "claims_alternatives.json"))
    (pid,) = query.credentials
    assert pid.vct_values == ("https://credentials.example.com/identity_credential",)
    assert pid.claim_sets == (("a", "c", "d", "e"), ("a", "b", "e"))


def test_type_values_of_w3c_requests() -> None:
    ldp = DcqlQuery.parse(load_vector(*VP, "request", "dcql_ldp_vc.json"))
    assert ldp.credentials[0].type_values == (("IDCredential",),)
    assert ldp.credentials[0].require_cryptographic_holder_binding


# --- OpenID4VP requests and responses ----------------------------------------------------------
def _did_request_example() -> dict[str, Any]:
    """request_object_client_id_did.json elides its query as ``{ ... }`` (vectors README §8)."""
    text = vector_path(*VP, "request", "request_object_client_id_did.json").read_text()
    assert '"dcql_query": { ... },' in text
    simple = vector_path(*VP, "query_lang", "simple.json").read_text()
    return json.loads(text.replace("{ ... }", simple))


def test_did_request_example_needs_direct_post_in_pidm() -> None:
    example = _did_request_example()
    with pytest.raises(InvalidAuthorizationRequest, match="response_mode"):
        AuthorizationRequest.parse(example)
    del example["redirect_uri"]
    example.update(response_mode="direct_post", response_uri="https://client.example.org/post")
    request = AuthorizationRequest.parse(example)
    assert request.client_id.did == "did:example:123"
    assert request.nonce == "n-0S6_WzA2Mj"
    assert request.client_metadata is not None
    assert request.client_metadata.to_json() == load_vector(
        *VP, "client_metadata", "sd_jwt_vc_verifier_metadata.json"
    )
    assert request.to_json()["dcql_query"] == load_vector(*VP, "query_lang", "simple.json")


def test_did_request_example_header_alg_is_refused() -> None:
    header = load_vector(*VP, "request", "request_header_client_id_did.json")
    assert header["typ"] == REQUEST_OBJECT_TYP
    example = _did_request_example()
    del example["redirect_uri"]
    example.update(response_mode="direct_post", response_uri="https://client.example.org/post")
    key = KeyPair.generate("Ed25519", rng=lambda n: b"\x05" * n)
    document = DIDDocument.parse(
        {
            "id": "did:example:123",
            "verificationMethod": [
                {
                    "id": "did:example:123#1",
                    "type": "Multikey",
                    "controller": "did:example:123",
                    "publicKeyMultibase": key.public.to_multikey(),
                }
            ],
        }
    )
    signing_input = (
        b64url_encode(json.dumps(header).encode())
        + "."
        + b64url_encode(json.dumps(example).encode())
    )
    token = signing_input + "." + b64url_encode(key.sign(signing_input.encode()))
    _, client, kid = inspect_request_object(token)
    assert (client.did, kid) == ("did:example:123", "did:example:123#1")
    with pytest.raises(UnsupportedAlgorithm):  # RS256 is outside the EdDSA/ES256 allow-list
        verify_request_object(token, client_document=document, now=NOW)
    header["alg"] = "EdDSA"
    signing_input = (
        b64url_encode(json.dumps(header).encode())
        + "."
        + b64url_encode(json.dumps(example).encode())
    )
    token = signing_input + "." + b64url_encode(key.sign(signing_input.encode()))
    assert verify_request_object(token, client_document=document, now=NOW).state is None


@pytest.mark.parametrize("name", _names(*VP, "client_metadata"))
def test_client_metadata_examples(name: str) -> None:
    raw = load_vector(*VP, "client_metadata", name)
    metadata = ClientMetadata.parse(raw)
    assert metadata.to_json() == raw
    assert len(metadata.vp_formats_supported) == 1


def test_presentation_examples_travel_in_vp_token() -> None:
    ldp_vp = load_vector(*VP, "response", "ldp_vc.json")
    assert ldp_vp["proof"]["challenge"] == "n-0S6_WzA2Mj"
    response = AuthorizationResponse({"example_ldp_vc": (ldp_vp,)}, "eyJhb-6-sVA")
    parsed = parse_authorization_response(response.encode())
    assert isinstance(parsed, AuthorizationResponse)
    assert parsed.vp_token["example_ldp_vc"][0] == ldp_vp
    kb = load_vector(*VP, "sd_jwt_vcld", "01", "sd_jwt_presentation.txt").replace("\n", "")
    parsed = parse_authorization_response({"vp_token": json.dumps({"pid": [kb]})})
    assert isinstance(parsed, AuthorizationResponse) and parsed.vp_token["pid"] == (kb,)


def test_error_response_example() -> None:
    raw = load_vector(*VP, "digital_credentials_api", "error_invalid_request.json")
    assert parse_authorization_response(raw) == AuthorizationErrorResponse("invalid_request")


# --- OpenID4VCI --------------------------------------------------------------------------------
def _http_json(name: str) -> Any:
    """The JSON body of an example printed as an HTTP response, with the display line breaks
    inside string values removed (vectors README §8)."""
    text = vector_path(*VCI, name).read_text()
    return json.loads(re.sub(r"\n\s*", "", text[text.index("{") :]))


OFFER_FILES = _names(*VCI, pattern="credential_offer_*.json")


@pytest.mark.parametrize("name", OFFER_FILES)
def test_credential_offer_examples_round_trip(name: str) -> None:
    raw = load_vector(*VCI, name)
    offer = CredentialOffer.parse(raw)
    assert offer.to_json() == raw
    assert offer.pre_authorized_code is not None
    assert parse_offer_uri(offer.to_uri()) == offer


def test_credential_offer_details() -> None:
    multiple = CredentialOffer.parse(
        load_vector(*VCI, "credential_offer_multiple_credentials.json")
    )
    assert multiple.credential_configuration_ids == (
        "UniversityDegreeCredential",
        "org.iso.18013.5.1.mDL",
    )
    assert multiple.pre_authorized_code == PreAuthorizedCodeGrant(
        "oaKazRN8I0IbtZ0C7JuMn5",
        TxCode("numeric", 4, "Please provide the one-time code that was sent via e-mail"),
    )
    by_reference = CredentialOffer.parse(load_vector(*VCI, "credential_offer_by_reference.json"))
    assert by_reference.pre_authorized_code is not None
    assert by_reference.pre_authorized_code.tx_code == TxCode()
    authz = CredentialOffer.parse(_http_json("credential_offer_authz_code.txt"))
    assert authz.pre_authorized_code is None
    assert authz.authorization_code == AuthorizationCodeGrant("eyJhbGciOiJSU0Et...FYUaBy")
    assert authz.to_json() == _http_json("credential_offer_authz_code.txt")


def test_offer_uris_printed_in_the_spec() -> None:
    # OpenID4VCI 1.0 §4.1.2 / §4.1.3, display line breaks removed.
    by_value = (
        "openid-credential-offer://?credential_offer=%7B%22credential_issuer%22:%22https://"
        "credential-issuer.example.com%22,%22credential_configuration_ids%22:%5B%22org.iso.18013"
        ".5.1.mDL%22%5D,%22grants%22:%7B%22urn:ietf:params:oauth:grant-type:pre-authorized_code"
        "%22:%7B%22pre-authorized_code%22:%22oaKazRN8I0IbtZ0C7JuMn5%22,%22tx_code%22:%7B%22"
        "input_mode%22:%22text%22,%22description%22:%22Please%20enter%20the%20serial%20number"
        "%20of%20your%20physical%20drivers%20license%22%7D%7D%7D%7D"
    )
    offer = parse_offer_uri(by_value)
    assert isinstance(offer, CredentialOffer)
    assert offer.pre_authorized_code == PreAuthorizedCodeGrant(
        "oaKazRN8I0IbtZ0C7JuMn5",
        TxCode("text", None, "Please enter the serial number of your physical drivers license"),
    )
    by_reference = (
        "openid-credential-offer://?credential_offer_uri=https%3A%2F%2Fserver%2Eexample%2Ecom"
        "%2Fcredential-offer%2FGkurKxf5T0Y-mnPFCHqWOMiZi4VS138cQO_V7PZHAdM"
    )
    assert parse_offer_uri(by_reference) == (
        "https://server.example.com/credential-offer/GkurKxf5T0Y-mnPFCHqWOMiZi4VS138cQO_V7PZHAdM"
    )


def test_issuer_metadata_example() -> None:
    raw = load_vector(*VCI, "credential_issuer_metadata_sd_jwt_long.json")
    issuer = "https://credential-issuer.example.com"
    metadata = IssuerMetadata.parse(raw, expected_issuer=issuer)
    assert metadata.credential_endpoint == issuer + "/credential"
    assert metadata.nonce_endpoint == issuer + "/nonce"
    assert metadata.authorization_servers == ("https://server.example.com",)
    assert metadata.batch_size == 10
    assert [d["locale"] for d in metadata.display] == ["en-US", "fr-FR"]
    config = metadata.configuration("SD_JWT_VC_example_in_OpenID4VCI")
    assert (config.format, config.vct) == ("dc+sd-jwt", "SD_JWT_VC_example_in_OpenID4VCI")
    assert config.proof_types_supported["jwt"].proof_signing_alg_values_supported == ("ES256",)
    assert config.cryptographic_binding_methods_supported == ("jwk",)
    assert metadata.to_json() == raw
    assert metadata_url(issuer) == issuer + "/.well-known/openid-credential-issuer"


@pytest.mark.parametrize("name", _names(*VCI, pattern="credential_metadata_*.json"))
def test_credential_configuration_examples(name: str) -> None:
    raw = load_vector(*VCI, name)
    ((config_id, entry),) = raw["credential_configurations_supported"].items()
    config = CredentialConfiguration.parse(entry)
    assert config.format == entry["format"]
    assert config.to_json() == entry
    if config.format == "mso_mdoc":
        assert config.doctype == "org.iso.18013.5.1.mDL"
        assert config.credential_signing_alg_values_supported == (-7, -9)
    if config.format == "ldp_vc":
        assert config.types == ("VerifiableCredential", "UniversityDegreeCredential")


def test_signed_issuer_metadata_payload() -> None:
    token = "".join(load_vector(*VCI, "credential_issuer_metadata_sd_jwt_jwt.txt").split())
    jwt = decode_jwt(token)
    assert jwt.header["typ"] == "openidvci-issuer-metadata+jwt"
    metadata = IssuerMetadata.parse(jwt.payload, expected_issuer=jwt.payload["sub"])
    assert metadata.configuration("SD_JWT_VC_example_in_OpenID4VCI").vct == (
        "SD_JWT_VC_example_in_OpenID4VCI"
    )


def test_credential_request_example_predates_configuration_ids() -> None:
    raw = load_vector(*VCI, "credential_request_iso_mdl.json")
    with pytest.raises(InvalidCredentialRequest):
        CredentialRequest.parse(raw)
    upgraded = {"credential_configuration_id": "org.iso.18013.5.1.mDL", "proofs": raw["proofs"]}
    assert CredentialRequest.parse(upgraded).proofs == (raw["proofs"]["jwt"][0],)


@pytest.mark.parametrize("name", _names(*VCI, pattern="credential_response_*.txt"))
def test_credential_response_examples(name: str) -> None:
    raw = _http_json(name)
    response = CredentialResponse.parse(raw)
    assert len(response.credentials) == 1
    assert response.to_json() == raw


def test_jwt_vc_credential_verifies_with_the_issuer_jwk() -> None:
    text = vector_path(*VCI, "issuer_jwks.json").read_text()
    jwk = json.loads(re.sub(r"\n\s*", "", text))["jwks"]["keys"][0]
    key = PublicKey.from_jwk(jwk)
    assert jwk["kid"] == "urn:ietf:params:oauth:jwk-thumbprint:sha-256:" + key.thumbprint()
    response = CredentialResponse.parse(_http_json("credential_response_jwt_vc_json.txt"))
    credential = response.credentials[0]
    assert isinstance(credential, str)
    assert verify_jwt(credential, key).payload["iss"] == "https://credential-issuer.example.com"


def test_sd_jwt_credential_response_is_a_dc_sd_jwt() -> None:
    response = CredentialResponse.parse(_http_json("credential_response_sd_jwt_vc.txt"))
    credential = response.credentials[0]
    assert isinstance(credential, str)
    issuer_jwt, *disclosures = credential.split("~")
    assert decode_jwt(issuer_jwt).header["typ"] == "dc+sd-jwt"
    assert len(disclosures) == 10 and disclosures[-1] == ""


@pytest.mark.parametrize("name", _names(*VCI, pattern="authorization_details*.json"))
def test_authorization_details_travel_in_token_responses(name: str) -> None:
    details = load_vector(*VCI, name)
    raw = {"access_token": "eyJhbGciOiJSUzI1NiIsInR5cCI6Ikp..sHQ", "token_type": "Bearer"}
    response = TokenResponse.parse(dict(raw, authorization_details=details, expires_in=86400))
    assert response.to_json() == dict(raw, authorization_details=details, expires_in=86400)
