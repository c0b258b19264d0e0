"""Hostile input to the OpenID4VC message layer: every class of bad input gets a coded error."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pidm.did.key import did_key, did_key_document, did_key_vm_id
from pidm.encoding import b64url_encode
from pidm.errors import (
    ClientKeyMismatch,
    InvalidDcqlQuery,
    InvalidProof,
    PayloadTooLarge,
    PidmError,
)
from pidm.keys import KeyPair, NoEncryption
from pidm.oid4vc.consent import ConsentTerms
from pidm.oid4vc.dcql import DcqlQuery
from pidm.oid4vc.request_object import inspect_request_object, verify_request_object
from pidm.oid4vc.vci import (
    PRE_AUTHORIZED_GRANT,
    CredentialOffer,
    CredentialRequest,
    CredentialResponse,
    IssuerMetadata,
    TokenRequest,
    TokenResponse,
    parse_offer_uri,
    verify_proof_jwt,
)
from pidm.oid4vc.vp import AuthorizationRequest, RequestUri
from pidm.oid4vc.vp_response import DirectPostAnswer, parse_authorization_response
from tests.spec_vectors import load_vector

VCT = "https://credentials.example.com/identity_credential"


def simple() -> dict[str, Any]:
    return copy.deepcopy(load_vector("openid4vp-1.0", "examples", "query_lang", "simple.json"))


def code_of(fn: Any, *args: Any, **kwargs: Any) -> str:
    with pytest.raises(PidmError) as exc:
        fn(*args, **kwargs)
    return exc.value.code


# --- DCQL --------------------------------------------------------------------------------------
def test_rejects_duplicate_query_ids() -> None:
    q = simple()
    q["credentials"].append(copy.deepcopy(q["credentials"][0]))
    with pytest.raises(InvalidDcqlQuery, match="unique"):
        DcqlQuery.parse(q)


def test_rejects_duplicate_claim_ids_and_paths() -> None:
    q = load_vector("openid4vp-1.0", "examples", "query_lang", "claims_alternatives.json")
    q["credentials"][0]["claims"][1]["id"] = "a"
    assert code_of(DcqlQuery.parse, q) == "INVALID_DCQL_QUERY"
    q = simple()
    q["credentials"][0]["claims"].append({"path": ["family_name"]})
    assert code_of(DcqlQuery.parse, q) == "INVALID_DCQL_QUERY"


def test_rejects_empty_path() -> None:
    q = simple()
    q["credentials"][0]["claims"][0]["path"] = []
    with pytest.raises(InvalidDcqlQuery, match="non-empty"):
        DcqlQuery.parse(q)


@pytest.mark.parametrize("component", [-1, 1.5, True, {"a": 1}, ["x"], "", 2**40], ids=repr)
def test_rejects_bad_path_components(component: Any) -> None:
    q = simple()
    q["credentials"][0]["claims"][0]["path"] = ["address", component]
    assert code_of(DcqlQuery.parse, q) == "INVALID_DCQL_QUERY"


@pytest.mark.parametrize("bad", ["", "has space", "dot.ted", "ü", 7, None, "x" * 129])
def test_rejects_bad_query_ids(bad: Any) -> None:
    q = simple()
    q["credentials"][0]["id"] = bad
    assert code_of(DcqlQuery.parse, q) == "INVALID_DCQL_QUERY"


def test_rejects_huge_query() -> None:
    q = simple()
    one = q["credentials"][0]
    q["credentials"] = [dict(one, id=f"c{i}") for i in range(1000)]
    assert code_of(DcqlQuery.parse, q) == "PAYLOAD_TOO_LARGE"
    q = simple()
    q["credentials"][0]["claims"] = [{"path": [f"c{i}"]} for i in range(10_000)]
    assert code_of(DcqlQuery.parse, q) == "PAYLOAD_TOO_LARGE"
    q = simple()
    q["credentials"][0]["claims"][0]["path"] = ["a"] * 1000
    assert code_of(DcqlQuery.parse, q) == "PAYLOAD_TOO_LARGE"
    text = json.dumps(simple()) + " " * 70_000
    with pytest.raises(PayloadTooLarge):
        DcqlQuery.parse(text)


def test_rejects_deeply_nested_query_text() -> None:
    deep = '{"credentials": ' + "[" * 30_000 + "]" * 30_000 + "}"
    assert code_of(DcqlQuery.parse, deep) == "PAYLOAD_TOO_LARGE"
    nested = '{"credentials": ' + "[" * 200 + "]" * 200 + "}"
    assert code_of(DcqlQuery.parse, nested) == "PAYLOAD_TOO_LARGE"


def test_rejects_duplicate_json_members() -> None:
    text = '{"credentials": [], "credentials": ' + json.dumps(simple()["credentials"]) + "}"
    assert code_of(DcqlQuery.parse, text) == "INVALID_DCQL_QUERY"


def test_rejects_claim_sets_without_claims_or_with_unknown_ids() -> None:
    q = load_vector("openid4vp-1.0", "examples", "query_lang", "claims_alternatives.json")
    q["credentials"][0]["claim_sets"].append(["a", "zz"])
    assert code_of(DcqlQuery.parse, q) == "INVALID_DCQL_QUERY"
    q = simple()
    q["credentials"][0]["claim_sets"] = [["a"]]
    assert code_of(DcqlQuery.parse, q) == "INVALID_DCQL_QUERY"
    q = simple()
    del q["credentials"][0]["claims"]
    q["credentials"][0]["claim_sets"] = [["a"]]
    assert code_of(DcqlQuery.parse, q) == "INVALID_DCQL_QUERY"


def test_rejects_credential_sets_naming_unknown_queries() -> None:
    q = load_vector("openid4vp-1.0", "examples", "query_lang", "credentials_alternatives.json")
    q["credential_sets"][0]["options"].append(["pid", "ghost"])
    assert code_of(DcqlQuery.parse, q) == "INVALID_DCQL_QUERY"
    q["credential_sets"] = []
    assert code_of(DcqlQuery.parse, q) == "INVALID_DCQL_QUERY"


@pytest.mark.parametrize("values", [[1.5], [], [None], [{"a": 1}], "Doe"], ids=repr)
def test_rejects_bad_claim_values(values: Any) -> None:
    q = simple()
    q["credentials"][0]["claims"][0]["values"] = values
    assert code_of(DcqlQuery.parse, q) == "INVALID_DCQL_QUERY"


@pytest.mark.parametrize(
    ("fmt", "meta"),
    [
        ("dc+sd-jwt", {}),
        ("dc+sd-jwt", {"vct_values": []}),
        ("dc+sd-jwt", {"vct_values": VCT}),
        ("ldp_vc", {"type_values": ["IDCredential"]}),
        ("ldp_vc", {"type_values": [[]]}),
        ("mso_mdoc", {}),
        ("dc+sd-jwt", None),
    ],
)
def test_rejects_missing_or_malformed_meta(fmt: str, meta: Any) -> None:
    q = simple()
    q["credentials"][0]["format"] = fmt
    q["credentials"][0]["meta"] = meta
    assert code_of(DcqlQuery.parse, q) == "INVALID_DCQL_QUERY"


@pytest.mark.parametrize("value", [None, [], "x", 1, {"credentials": {}}])
def test_rejects_non_query_values(value: Any) -> None:
    assert code_of(DcqlQuery.parse, value) == "INVALID_DCQL_QUERY"


def test_rejects_mdoc_paths_that_are_not_namespace_element() -> None:
    q = load_vector("openid4vp-1.0", "examples", "query_lang", "simple_mdoc.json")
    q["credentials"][0]["claims"][0]["path"] = ["org.iso.7367.1", "vehicle_holder", "x"]
    assert code_of(DcqlQuery.parse, q) == "INVALID_DCQL_QUERY"


# --- OpenID4VP requests, request objects and responses -----------------------------------------
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ED = KeyPair.generate("Ed25519", rng=lambda n: b"\x41" * n)
MALLORY = KeyPair.generate("Ed25519", rng=lambda n: b"\x42" * n)
VERIFIER = did_key(ED.public)
VM = did_key_vm_id(ED.public)


def request_claims() -> dict[str, Any]:
    return {
        "client_id": f"decentralized_identifier:{VERIFIER}",
        "response_type": "vp_token",
        "response_mode": "direct_post",
        "response_uri": "https://verifier.example/response",
        "nonce": "n-0S6_WzA2Mj",
        "state": "tx1",
        "dcql_query": simple(),
        "purpose": "Age check",
        "retention": "P30D",
        "iat": int(NOW.timestamp()),
        "exp": int(NOW.timestamp()) + 300,
    }


def forge(header: dict[str, Any], payload: dict[str, Any], pair: KeyPair | None = ED) -> str:
    text = (
        b64url_encode(json.dumps(header).encode())
        + "."
        + b64url_encode(json.dumps(payload).encode())
    )
    signature = b"" if pair is None else pair.sign(text.encode())
    return text + "." + b64url_encode(signature)


def verify(token: str) -> Any:
    return verify_request_object(token, client_document=did_key_document(VERIFIER), now=NOW)


def test_forged_token_with_right_key_verifies() -> None:
    header = {"alg": "EdDSA", "typ": "oauth-authz-req+jwt", "kid": VM}
    assert verify(forge(header, request_claims())).nonce == "n-0S6_WzA2Mj"


@pytest.mark.parametrize(
    "client_id",
    [
        "redirect_uri:https://verifier.example/response",
        "x509_san_dns:verifier.example",
        "origin:https://verifier.example",
        "verifier.example",
        "decentralized_identifier:https://verifier.example",
        "unknown_prefix:did:key:z6Mk",
    ],
)
def test_rejects_wrong_client_id_prefix(client_id: str) -> None:
    claims = dict(request_claims(), client_id=client_id)
    assert code_of(AuthorizationRequest.parse, claims) == "INVALID_CLIENT_ID"
    header = {"alg": "EdDSA", "typ": "oauth-authz-req+jwt", "kid": VM}
    assert code_of(verify, forge(header, claims)) == "INVALID_CLIENT_ID"
    uri = "openid4vp://?" + urlencode({"client_id": client_id, "request_uri": "https://v.example"})
    assert code_of(RequestUri.parse, uri) == "INVALID_CLIENT_ID"


def test_rejects_alg_none_request_object() -> None:
    header = {"alg": "none", "typ": "oauth-authz-req+jwt", "kid": VM}
    assert code_of(verify, forge(header, request_claims(), None)) == "UNSUPPORTED_ALGORITHM"


def test_rejects_hmac_request_object_keyed_with_the_public_key() -> None:
    header = {"alg": "HS256", "typ": "oauth-authz-req+jwt", "kid": VM}
    text = (
        b64url_encode(json.dumps(header).encode())
        + "."
        + b64url_encode(json.dumps(request_claims()).encode())
    )
    mac = hmac.new(ED.public.raw, text.encode(), hashlib.sha256).digest()
    assert code_of(verify, text + "." + b64url_encode(mac)) == "UNSUPPORTED_ALGORITHM"


def test_rejects_unsigned_request_object() -> None:
    assert code_of(verify, json.dumps(request_claims())) == "PARSING_ERROR"
    unsigned = "openid4vp://?" + urlencode(
        {
            "client_id": f"decentralized_identifier:{VERIFIER}",
            "request": "x.y.z",
            "dcql_query": json.dumps(simple()),
        }
    )
    assert code_of(RequestUri.parse, unsigned) == "INVALID_AUTHORIZATION_REQUEST"


def test_rejects_kid_from_another_did() -> None:
    header = {"alg": "EdDSA", "typ": "oauth-authz-req+jwt", "kid": did_key_vm_id(MALLORY.public)}
    token = forge(header, request_claims(), MALLORY)
    with pytest.raises(ClientKeyMismatch) as exc:
        verify(token)
    assert exc.value.code == "CLIENT_KEY_MISMATCH"
    assert exc.value.to_oauth()["error"] == "invalid_request_object"
    for kid in ("not-a-did-url", VERIFIER, f"{VERIFIER}/path#x", None):
        header = {"alg": "EdDSA", "typ": "oauth-authz-req+jwt", "kid": kid}
        assert code_of(verify, forge(header, request_claims())) in {
            "CLIENT_KEY_MISMATCH",
            "INVALID_REQUEST_OBJECT",
        }


def test_rejects_unknown_key_fragment_and_bad_signature() -> None:
    header = {"alg": "EdDSA", "typ": "oauth-authz-req+jwt", "kid": "#nope"}
    assert code_of(verify, forge(header, request_claims())) == "VERIFICATION_METHOD_NOT_FOUND"
    header = {"alg": "EdDSA", "typ": "oauth-authz-req+jwt", "kid": VM}
    token = forge(header, request_claims(), MALLORY)
    assert code_of(verify, token) == "PROOF_VERIFICATION_ERROR"


@pytest.mark.parametrize("typ", [None, "JWT", "oauth-authz-req+JWT2", "openid4vci-proof+jwt"])
def test_rejects_request_object_with_wrong_typ(typ: str | None) -> None:
    header: dict[str, Any] = {"alg": "EdDSA", "kid": VM}
    if typ is not None:
        header["typ"] = typ
    assert code_of(verify, forge(header, request_claims())) == "INVALID_REQUEST_OBJECT"


def test_rejects_oversized_request_object_and_uri() -> None:
    claims = dict(request_claims(), purpose="x" * 300_000)
    header = {"alg": "EdDSA", "typ": "oauth-authz-req+jwt", "kid": VM}
    assert code_of(verify, forge(header, claims)) == "PAYLOAD_TOO_LARGE"
    assert code_of(RequestUri.parse, "openid4vp://?" + "a" * 10_000) == "PAYLOAD_TOO_LARGE"


def test_rejects_request_object_with_non_numeric_times() -> None:
    header = {"alg": "EdDSA", "typ": "oauth-authz-req+jwt", "kid": VM}
    claims = dict(request_claims(), exp="tomorrow")
    assert code_of(verify, forge(header, claims)) == "INVALID_REQUEST_OBJECT"


@pytest.mark.parametrize(
    "offer",
    [
        {"kind": "money", "amount": 2.5, "unit": "EUR"},
        {"kind": "points", "amount": 10, "unit": "points"},
        {"kind": "points", "amount": "1e3", "unit": "points"},
        {"kind": "points", "amount": "-5", "unit": "points"},
        {"kind": "points", "amount": "010", "unit": "points"},
        {"kind": "points", "amount": " 10", "unit": "points"},
        {"kind": "points", "amount": "10.", "unit": "points"},
        {"kind": "points", "amount": "0.1234567", "unit": "points"},
        {"kind": "points", "amount": "NaN", "unit": "points"},
        {"kind": "money", "amount": "5", "unit": "euro"},
        {"kind": "money", "amount": "5", "unit": "points"},
        {"kind": "points", "amount": "5", "unit": "EUR"},
        {"kind": "coupon", "amount": "5", "unit": "points"},
        {"kind": "points", "amount": "5", "unit": "points", "description": "x" * 501},
        {"kind": "points", "amount": "5", "unit": "points", "description": "a\x00b"},
        ["points", "5"],
    ],
    ids=repr,
)
def test_rejects_bad_offer_amounts(offer: Any) -> None:
    claims = dict(request_claims(), offer=offer)
    assert code_of(AuthorizationRequest.parse, claims) == "INVALID_CONSENT_TERMS"


@pytest.mark.parametrize(
    ("name", "value"),
    [("purpose", ""), ("purpose", "x" * 1001), ("purpose", 7), ("retention", "30 days")],
)
def test_rejects_bad_purpose_and_retention(name: str, value: Any) -> None:
    claims = dict(request_claims(), **{name: value})
    assert code_of(AuthorizationRequest.parse, claims) == "INVALID_CONSENT_TERMS"


def test_rejects_oversized_response_body() -> None:
    body = b"vp_token=" + b"a" * (1_048_576 + 10)
    assert code_of(parse_authorization_response, body) == "PAYLOAD_TOO_LARGE"


def test_rejects_too_many_presentations_or_queries() -> None:
    many_ids = json.dumps({f"q{i}": ["x"] for i in range(100)})
    assert code_of(parse_authorization_response, {"vp_token": many_ids}) == "PAYLOAD_TOO_LARGE"
    many = json.dumps({"q": ["x"] * 100})
    assert code_of(parse_authorization_response, {"vp_token": many}) == "PAYLOAD_TOO_LARGE"


def test_rejects_repeated_or_malformed_form_fields() -> None:
    token = urlencode({"vp_token": json.dumps({"q": ["x"]})})
    assert code_of(parse_authorization_response, f"{token}&{token}".encode()) == (
        "INVALID_AUTHORIZATION_RESPONSE"
    )
    assert code_of(parse_authorization_response, b"\xff\xfe=1") == "INVALID_AUTHORIZATION_RESPONSE"
    fields = "&".join(f"f{i}=1" for i in range(100)).encode()
    assert code_of(parse_authorization_response, fields) == "INVALID_AUTHORIZATION_RESPONSE"
    dup = urlencode({"vp_token": '{"q": ["x"], "q": ["y"]}'}).encode()
    assert code_of(parse_authorization_response, dup) == "INVALID_AUTHORIZATION_RESPONSE"


# --- OpenID4VCI key proofs and messages --------------------------------------------------------
ISSUER = "https://issuer.example.com"
HOLDER = KeyPair.generate("ES256", rng=lambda n: b"\x43" * n)


def proof_claims(**changes: Any) -> dict[str, Any]:
    claims: dict[str, Any] = {"aud": ISSUER, "iat": int(NOW.timestamp()), "nonce": "c-1"}
    claims.update(changes)
    return claims


def proof_header(**changes: Any) -> dict[str, Any]:
    header: dict[str, Any] = {
        "alg": "ES256",
        "typ": "openid4vci-proof+jwt",
        "jwk": HOLDER.public.to_jwk(),
    }
    header.update(changes)
    return {k: v for k, v in header.items() if v is not None}


def check_proof(token: str) -> Any:
    return verify_proof_jwt(token, audience=ISSUER, now=NOW)


def proof_code(token: str) -> tuple[str, Any]:
    with pytest.raises(InvalidProof) as exc:
        check_proof(token)
    assert exc.value.to_oauth()["error"] == "invalid_proof"
    return exc.value.code, exc.value.detail


def test_forged_key_proof_with_right_key_verifies() -> None:
    assert check_proof(forge(proof_header(), proof_claims(), HOLDER)) == (HOLDER.public, "c-1")


def test_rejects_alg_none_key_proof() -> None:
    token = forge(proof_header(alg="none"), proof_claims(), None)
    assert proof_code(token) == ("INVALID_PROOF", "UNSUPPORTED_ALGORITHM")


def test_rejects_hmac_key_proof() -> None:
    header = proof_header(alg="HS256")
    text = (
        b64url_encode(json.dumps(header).encode())
        + "."
        + b64url_encode(json.dumps(proof_claims()).encode())
    )
    mac = hmac.new(HOLDER.public.raw, text.encode(), hashlib.sha256).digest()
    assert proof_code(text + "." + b64url_encode(mac)) == ("INVALID_PROOF", "UNSUPPORTED_ALGORITHM")


def test_rejects_key_proof_carrying_a_private_key() -> None:
    jwk = HOLDER.export_private_jwk(encrypt_with=NoEncryption())
    token = forge(proof_header(jwk=jwk), proof_claims(), HOLDER)
    assert proof_code(token)[0] == "INVALID_PROOF"


@pytest.mark.parametrize(
    "header",
    [
        {"jwk": None},
        {"kid": "did:key:z6MkpTHR8VNsBxYAAWHut2Geadd9jSwuBV8xRoAnwWsdvktH#x"},
        {"jwk": None, "x5c": ["MIIB"]},
        {"jwk": None, "kid": "did:web:evil.example#key-1"},
        {"jwk": None, "kid": "not a did"},
        {"jwk": None, "kid": 5},
        {"jwk": "a string"},
        {"jwk": {"kty": "RSA", "n": "x", "e": "AQAB"}},
        {"typ": None},
        {"typ": "JWT"},
        {"typ": "application/openid4vci-proof+jwt"},
        {"alg": "EdDSA"},
    ],
    ids=repr,
)
def test_rejects_key_proof_with_bad_header(header: dict[str, Any]) -> None:
    token = forge(proof_header(**header), proof_claims(), HOLDER)
    assert proof_code(token)[0] == "INVALID_PROOF"


def test_rejects_key_proof_signed_by_another_key() -> None:
    token = forge(
        proof_header(), proof_claims(), KeyPair.generate("ES256", rng=lambda n: b"\x44" * n)
    )
    assert proof_code(token) == ("INVALID_PROOF", "PROOF_VERIFICATION_ERROR")


@pytest.mark.parametrize(
    "claims",
    [
        {"aud": [ISSUER]},
        {"aud": None},
        {"iat": "now"},
        {"iat": True},
        {"iat": None},
        {"nonce": 7},
        {"nonce": ""},
        {"iss": 5},
    ],
    ids=repr,
)
def test_rejects_key_proof_with_bad_claims(claims: dict[str, Any]) -> None:
    body = {k: v for k, v in proof_claims(**claims).items() if v is not None}
    assert proof_code(forge(proof_header(), body, HOLDER))[0] == "INVALID_PROOF"


def test_rejects_oversized_or_garbage_key_proof() -> None:
    token = forge(proof_header(), proof_claims(pad="x" * 20_000), HOLDER)
    assert proof_code(token) == ("INVALID_PROOF", "PAYLOAD_TOO_LARGE")
    assert proof_code("not-a-jwt") == ("INVALID_PROOF", "PARSING_ERROR")


def test_rejects_token_request_abuse() -> None:
    form = urlencode({"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": "c"})
    assert code_of(TokenRequest.parse, f"{form}&pre-authorized_code=d") == "INVALID_TOKEN_REQUEST"
    assert code_of(TokenRequest.parse, b"x" * 70_000) == "PAYLOAD_TOO_LARGE"
    assert code_of(TokenRequest.parse, b"grant_type=\xff") == "INVALID_TOKEN_REQUEST"
    long_code = urlencode(
        {"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": "c", "tx_code": "1" * 100}
    )
    assert code_of(TokenRequest.parse, long_code) == "INVALID_TOKEN_REQUEST"
    assert code_of(TokenRequest.parse, "grant_type=password&username=a") == "UNSUPPORTED_GRANT_TYPE"


def test_rejects_oversized_or_malformed_offers() -> None:
    big = {
        "credential_issuer": ISSUER,
        "credential_configuration_ids": ["a"],
        "pad": "x" * 40_000,
    }
    assert code_of(CredentialOffer.parse, json.dumps(big)) == "PAYLOAD_TOO_LARGE"
    assert code_of(parse_offer_uri, "openid-credential-offer://?" + "a" * 200_000) == (
        "PAYLOAD_TOO_LARGE"
    )
    assert code_of(parse_offer_uri, "openid-credential-offer://?credential_offer=%7B") == (
        "INVALID_CREDENTIAL_OFFER"
    )
    dup = '{"credential_issuer": "https://a.example", "credential_issuer": "https://b.example"}'
    assert code_of(CredentialOffer.parse, dup) == "INVALID_CREDENTIAL_OFFER"


def test_rejects_credential_request_with_too_many_proofs() -> None:
    body = {"credential_configuration_id": "a", "proofs": {"jwt": ["a.b.c"] * 101}}
    assert code_of(CredentialRequest.parse, body) == "INVALID_PROOF"
    assert code_of(CredentialRequest.parse, "[1, 2]") == "INVALID_CREDENTIAL_REQUEST"


# --- random input: coded errors only -----------------------------------------------------------
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)
KEYS = st.sampled_from(
    [
        "credentials", "id", "format", "meta", "claims", "path", "values", "claim_sets",
        "credential_sets", "options", "required", "client_id", "response_type", "response_mode",
        "response_uri", "nonce", "state", "dcql_query", "offer", "purpose", "retention",
        "credential_issuer", "credential_configuration_ids", "grants", "proofs", "jwt",
        "credential_configuration_id", "credential_endpoint", "credential_configurations_supported",
    ]
)  # fmt: skip
SHAPED = st.recursive(
    JSON,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=6),
    max_leaves=30,
)
PARSERS = [
    DcqlQuery.parse,
    AuthorizationRequest.parse,
    CredentialOffer.parse,
    CredentialRequest.parse,
    IssuerMetadata.parse,
    CredentialResponse.parse,
    TokenResponse.parse,
    DirectPostAnswer.parse,
    ConsentTerms.parse,
]


def _only_coded(fn: Any, value: Any) -> None:
    try:
        fn(value)
    except PidmError:
        pass


@settings(max_examples=150, deadline=None)
@given(value=SHAPED, index=st.integers(0, len(PARSERS) - 1))
def test_rejects_random_json_with_coded_errors(value: Any, index: int) -> None:
    fn = PARSERS[index]
    if fn == ConsentTerms.parse and not isinstance(value, dict):
        value = {"offer": value}
    _only_coded(fn, value)


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=200) | st.binary(max_size=200).map(lambda b: b.decode("latin-1")))
def test_rejects_random_text_with_coded_errors(text: str) -> None:
    for fn in (
        RequestUri.parse,
        parse_offer_uri,
        TokenRequest.parse,
        parse_authorization_response,
        check_proof,
        inspect_request_object,
        DcqlQuery.parse,
        CredentialOffer.parse,
    ):
        _only_coded(fn, text)
        _only_coded(fn, "openid4vp://?" + text)
    _only_coded(parse_authorization_response, text.encode("utf-8", "surrogatepass"))
