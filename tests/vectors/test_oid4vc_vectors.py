"""OpenID4VP 1.0 / OpenID4VCI 1.0 example files (../shared/vectors) through the message models."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from pidm.did.model import DIDDocument
from pidm.encoding import b64url_encode
from pidm.errors import InvalidAuthorizationRequest, UnsupportedAlgorithm
from pidm.keys import KeyPair
from pidm.oid4vc.dcql import DcqlQuery
from pidm.oid4vc.request_object import (
    REQUEST_OBJECT_TYP,
    inspect_request_object,
    verify_request_object,
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
