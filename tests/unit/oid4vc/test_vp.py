from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from pidm.did.key import did_key, did_key_document, did_key_vm_id
from pidm.did.resolver import MethodRouter
from pidm.errors import (
    ClientKeyMismatch,
    InvalidAuthorizationRequest,
    InvalidAuthorizationResponse,
    InvalidClientId,
    InvalidConsentTerms,
    InvalidRequestObject,
    PidmError,
)
from pidm.keys import KeyPair
from pidm.oid4vc.consent import ConsentTerms, Offer, parse_duration
from pidm.oid4vc.dcql import DcqlQuery
from pidm.oid4vc.request_object import (
    inspect_request_object,
    sign_request_object,
    verify_request_object,
    verify_request_object_with_resolver,
)
from pidm.oid4vc.vp import AuthorizationRequest, ClientId, ClientMetadata, RequestUri
from pidm.oid4vc.vp_response import (
    AuthorizationErrorResponse,
    AuthorizationResponse,
    DirectPostAnswer,
    parse_authorization_response,
)
from tests.spec_vectors import load_vector

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ED = KeyPair.generate("Ed25519", rng=lambda n: b"\x11" * n)
P256 = KeyPair.generate("ES256", rng=lambda n: b"\x22" * n)
OTHER = KeyPair.generate("Ed25519", rng=lambda n: b"\x33" * n)
VERIFIER_DID = did_key(ED.public)
SIGNER = ED.with_key_id(did_key_vm_id(ED.public))


def make_request(did: str = VERIFIER_DID, **changes: Any) -> AuthorizationRequest:
    query = DcqlQuery.parse(load_vector("openid4vp-1.0", "examples", "query_lang", "simple.json"))
    metadata = ClientMetadata.parse(
        load_vector(
            "openid4vp-1.0", "examples", "client_metadata", "sd_jwt_vc_verifier_metadata.json"
        )
    )
    base: dict[str, Any] = {
        "client_id": ClientId.for_did(did),
        "response_uri": "https://verifier.example/response/tx-1",
        "nonce": "n-0S6_WzA2Mj",
        "dcql_query": query,
        "state": "tx-1",
        "client_metadata": metadata,
        "terms": ConsentTerms(
            purpose="Age check for the loyalty programme",
            retention="P30D",
            offer=Offer("points", "10", "points", "Ten loyalty points"),
        ),
    }
    base.update(changes)
    return AuthorizationRequest(**base)


# --- client_id ---------------------------------------------------------------------------------
def test_client_id_with_did_prefix() -> None:
    cid = ClientId.parse("decentralized_identifier:did:example:123")
    assert (cid.prefix, cid.value, cid.did) == (
        "decentralized_identifier",
        "did:example:123",
        "did:example:123",
    )
    assert str(cid) == "decentralized_identifier:did:example:123"
    assert ClientId.for_did(VERIFIER_DID).did == VERIFIER_DID


@pytest.mark.parametrize(
    "value",
    [
        "redirect_uri:https://client.example.org/cb",
        "x509_san_dns:client.example.org",
        "origin:https://verifier.example.com",
        "did:example:123",
        "example-client",
        "decentralized_identifier:not-a-did",
        "decentralized_identifier:",
        "",
        None,
    ],
)
def test_client_id_refused(value: Any) -> None:
    with pytest.raises(InvalidClientId) as exc:
        ClientId.parse(value)
    assert exc.value.to_oauth()["error"] == "invalid_request"


def test_client_id_other_prefix_when_allowed() -> None:
    cid = ClientId.parse("x509_san_dns:client.example.org", allowed=frozenset({"x509_san_dns"}))
    assert cid.prefix == "x509_san_dns"
    with pytest.raises(TypeError):
        _ = cid.did


# --- request -----------------------------------------------------------------------------------
def test_request_round_trips_through_json() -> None:
    request = make_request()
    claims = request.to_json()
    assert claims["client_id"] == f"decentralized_identifier:{VERIFIER_DID}"
    assert claims["response_mode"] == "direct_post"
    assert claims["purpose"] == "Age check for the loyalty programme"
    assert claims["retention"] == "P30D"
    assert claims["offer"] == {
        "kind": "points",
        "amount": "10",
        "unit": "points",
        "description": "Ten loyalty points",
    }
    assert AuthorizationRequest.parse(claims) == request
    as_text = dict(claims, dcql_query=json.dumps(claims["dcql_query"]))
    assert AuthorizationRequest.parse(as_text) == request


def test_request_without_consent_terms_parses() -> None:
    claims = make_request(terms=ConsentTerms(), state=None, client_metadata=None).to_json()
    assert "purpose" not in claims and "state" not in claims
    parsed = AuthorizationRequest.parse(claims)
    assert parsed.terms == ConsentTerms() and parsed.state is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"response_mode": "fragment"}, "response_mode"),
        ({"response_type": "code"}, "response_type"),
        ({"redirect_uri": "https://x.example/cb"}, "redirect_uri"),
        ({"scope": "pid"}, "scope"),
        ({"transaction_data": ["eyJ0eXBlIjoieCJ9"]}, "transaction_data"),
        ({"nonce": "has space"}, "nonce"),
        ({"nonce": None}, "nonce"),
        ({"state": "a/b"}, "state"),
        ({"response_uri": "http://verifier.example/r"}, "response_uri"),
        ({"response_uri": "not a url"}, "response_uri"),
        ({"client_metadata": []}, "client_metadata"),
        ({"dcql_query": None}, "dcql_query"),
    ],
)
def test_request_refused(change: dict[str, Any], message: str) -> None:
    claims = make_request().to_json()
    claims.update(change)
    claims = {k: v for k, v in claims.items() if v is not None}
    with pytest.raises(PidmError, match=message):
        AuthorizationRequest.parse(claims)


def test_http_response_uri_only_when_allowed() -> None:
    claims = make_request(response_uri="http://127.0.0.1:8080/response").to_json()
    with pytest.raises(InvalidAuthorizationRequest):
        AuthorizationRequest.parse(claims)
    assert AuthorizationRequest.parse(claims, allow_http=True).response_uri.startswith("http:")


# --- consent terms -----------------------------------------------------------------------------
def test_consent_terms() -> None:
    terms = ConsentTerms.parse(
        {
            "purpose": "Newsletter",
            "retention": "P1Y2M3DT4H5M6S",
            "offer": {"kind": "money", "amount": "2.50", "unit": "EUR"},
        }
    )
    assert terms.offer is not None and str(terms.offer.decimal) == "2.50"
    assert terms.retention_period == timedelta(days=365 + 60 + 3, hours=4, minutes=5, seconds=6)
    assert parse_duration("P2W") == timedelta(weeks=2)
    assert parse_duration("PT36H") == timedelta(hours=36)
    assert terms.to_params()["offer"] == {"kind": "money", "amount": "2.50", "unit": "EUR"}


@pytest.mark.parametrize("value", ["P", "PT", "30D", "P1.5D", "P-1D", "P1DT", "p30d", 30, ""])
def test_bad_retention(value: Any) -> None:
    with pytest.raises(InvalidConsentTerms):
        ConsentTerms.parse({"retention": value})


# --- invocation URI ----------------------------------------------------------------------------
def test_request_uri_round_trip() -> None:
    uri = RequestUri(ClientId.for_did(VERIFIER_DID), "https://verifier.example/request/abc")
    text = uri.to_uri()
    assert text.startswith("openid4vp://?client_id=decentralized_identifier%3Adid%3Akey%3Az")
    query = parse_qs(urlsplit(text).query)
    assert query["request_uri"] == ["https://verifier.example/request/abc"]
    assert RequestUri.parse(text) == uri
    posted = RequestUri(uri.client_id, uri.request_uri, request_uri_method="post")
    assert RequestUri.parse(posted.to_uri("https://wallet.example/authorize")) == posted


@pytest.mark.parametrize(
    "query",
    [
        "client_id=decentralized_identifier%3Adid%3Aexample%3A1",
        "client_id=decentralized_identifier%3Adid%3Aexample%3A1&request_uri=https%3A%2F%2Fa.example"
        "&request=e.e.e",
        "client_id=decentralized_identifier%3Adid%3Aexample%3A1&request_uri=http%3A%2F%2Fa.example",
        "client_id=decentralized_identifier%3Adid%3Aexample%3A1&request_uri=https%3A%2F%2Fa.example"
        "&request_uri_method=put",
        "client_id=decentralized_identifier%3Adid%3Aexample%3A1&request_uri=https%3A%2F%2Fa.example"
        "&request_uri=https%3A%2F%2Fb.example",
        "client_id=decentralized_identifier%3Adid%3Aexample%3A1&request=e.e.e&dcql_query=%7B%7D",
    ],
)
def test_request_uri_refused(query: str) -> None:
    with pytest.raises(InvalidAuthorizationRequest):
        RequestUri.parse("openid4vp://?" + query)


# --- request object ----------------------------------------------------------------------------
@pytest.mark.parametrize("pair", [ED, P256], ids=["Ed25519", "ES256"])
def test_request_object_sign_and_verify(pair: KeyPair) -> None:
    did = did_key(pair.public)
    signer = pair.with_key_id(did_key_vm_id(pair.public))
    request = make_request(did)
    token = sign_request_object(request, signer, now=NOW)
    jwt, client, kid = inspect_request_object(token)
    assert jwt.header["typ"] == "oauth-authz-req+jwt"
    assert jwt.header["alg"] == pair.public.jose_alg
    assert jwt.payload["aud"] == "https://self-issued.me/v2"
    assert jwt.payload["exp"] - jwt.payload["iat"] == 600
    assert (client.did, kid) == (did, signer.key_id)
    verified = verify_request_object(
        token,
        client_document=did_key_document(did),
        now=NOW,
        expected_client_id=str(request.client_id),
    )
    assert verified == request


async def test_request_object_verified_through_resolver() -> None:
    request = make_request()
    token = sign_request_object(request, SIGNER, now=NOW)
    verified = await verify_request_object_with_resolver(token, resolver=MethodRouter(), now=NOW)
    assert verified.terms.offer == Offer("points", "10", "points", "Ten loyalty points")


def test_request_object_time_window() -> None:
    token = sign_request_object(make_request(), SIGNER, now=NOW)
    doc = did_key_document(VERIFIER_DID)
    with pytest.raises(InvalidRequestObject, match="expired"):
        verify_request_object(token, client_document=doc, now=NOW + timedelta(minutes=12))
    with pytest.raises(InvalidRequestObject, match="future"):
        verify_request_object(token, client_document=doc, now=NOW - timedelta(minutes=5))


def test_request_object_client_id_must_match_the_uri() -> None:
    token = sign_request_object(make_request(), SIGNER, now=NOW)
    with pytest.raises(InvalidRequestObject, match="differs"):
        inspect_request_object(
            token, expected_client_id="decentralized_identifier:did:web:x.example"
        )


def test_signer_must_be_a_key_of_the_client() -> None:
    stranger = OTHER.with_key_id(did_key_vm_id(OTHER.public))
    with pytest.raises(ClientKeyMismatch):
        sign_request_object(make_request(), stranger, now=NOW)


def test_document_of_another_did_is_refused() -> None:
    token = sign_request_object(make_request(), SIGNER, now=NOW)
    with pytest.raises(ClientKeyMismatch):
        verify_request_object(
            token, client_document=did_key_document(did_key(OTHER.public)), now=NOW
        )


# --- response ----------------------------------------------------------------------------------
def test_response_round_trip() -> None:
    vp = load_vector("openid4vp-1.0", "examples", "response", "ldp_vc.json")
    response = AuthorizationResponse({"example_ldp_vc": (vp,), "pid": ("eyJ.a.b~d~kb",)}, "tx-1")
    parsed = parse_authorization_response(response.encode())
    assert parsed == response
    assert parse_authorization_response(response.to_form()) == response
    assert parse_authorization_response(response.encode().decode()) == response


def test_error_response_round_trip() -> None:
    refusal = AuthorizationErrorResponse("access_denied", "The user said no", "tx-1")
    assert parse_authorization_response(refusal.encode()) == refusal


@pytest.mark.parametrize(
    "form",
    [
        {},
        {"vp_token": "[]"},
        {"vp_token": "{}"},
        {"vp_token": '{"pid": []}'},
        {"vp_token": '{"pid": "eyJ"}'},
        {"vp_token": '{"pid": [1]}'},
        {"vp_token": '{"pid": [""]}'},
        {"vp_token": '{"bad id": ["x"]}'},
        {"vp_token": "not json"},
        {"vp_token": '{"pid": ["x"]}', "state": "a b"},
        {"error": 'quote"inside'},
        {"error": ""},
    ],
)
def test_bad_responses(form: dict[str, str]) -> None:
    with pytest.raises(InvalidAuthorizationResponse):
        parse_authorization_response(form)


def test_direct_post_answer() -> None:
    receipt = {"type": ["VerifiableCredential", "DataSharingReceipt"]}
    answer = DirectPostAnswer("https://verifier.example/done#response_code=abc", receipt)
    assert DirectPostAnswer.parse(json.dumps(answer.to_json())) == answer
    assert DirectPostAnswer.parse({}) == DirectPostAnswer()
    with pytest.raises(InvalidAuthorizationResponse):
        DirectPostAnswer.parse({"redirect_uri": "javascript:alert(1)"})
    with pytest.raises(InvalidAuthorizationResponse):
        DirectPostAnswer.parse({"receipt": "signed?"})
