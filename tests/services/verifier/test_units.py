"""The verifier's pure parts on their own: trust policy, transaction state machine, receipt
contents, presentation parsing, holder binding of a Data Integrity VP, the error middleware."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from pidm.did.key import did_key, did_key_document
from pidm.errors import HolderMismatch, IssuerNotTrusted, UnrequestedData
from pidm.keys import KeyPair
from pidm.oid4vc.consent import ConsentTerms, Offer
from pidm.oid4vc.request_object import verify_request_object
from tests.services.issuer.helpers import T0
from verifier import transactions as txs
from verifier.config import load_config, load_signing_key
from verifier.init import init_verifier
from verifier.ldp import check_holder_binding, the_credential
from verifier.middleware import error_middleware
from verifier.policy import TrustPolicy
from verifier.presentations import parse_credential, parse_presentations
from verifier.receipts import Received, build_receipt
from verifier.store.base import TxStatus

ISSUER = "did:web:issuer.example"


def _rng(seed: int = 1) -> Any:
    counter = iter(range(seed, 1 << 30))
    return lambda n: next(counter).to_bytes(n, "big")


def test_trust_policy_is_per_type() -> None:
    policy = TrustPolicy.from_config({"urn:a": [ISSUER], "TypeB": ["did:web:b.example"]})
    policy.check(ISSUER, ["urn:a"])
    policy.check("did:web:b.example", ["VerifiableCredential", "TypeB"])
    with pytest.raises(IssuerNotTrusted):
        policy.check(ISSUER, ["TypeB"])
    with pytest.raises(IssuerNotTrusted):
        policy.check(ISSUER, ["VerifiableCredential"])
    with pytest.raises(IssuerNotTrusted):
        policy.check("", [])


def test_transaction_lifecycle_and_signed_request(tmp_path: Path) -> None:
    config = load_config(init_verifier(tmp_path, did_method="key").config_path)
    signer = load_signing_key(config)
    request = config.requests["age_and_area"]
    tx = txs.new_transaction(config, request, signer, now=T0, rng=_rng())
    assert len({tx.tx_id, tx.nonce, tx.state}) == 3
    assert tx.expires_at - tx.created_at == timedelta(seconds=config.request_ttl)
    assert tx.metadata["dcql_query"] == request.dcql_query.to_json()
    assert tx.metadata["terms"]["offer"]["amount"] == "10"
    assert tx.request_jwt is not None
    auth = verify_request_object(tx.request_jwt, client_document=did_key_document(config.did),
                                 now=T0, allow_http=True)
    assert (auth.nonce, auth.state) == (tx.nonce, tx.state)
    assert auth.terms == request.terms
    assert txs.current_status(tx, T0) is TxStatus.PENDING
    assert txs.current_status(tx, tx.expires_at) is TxStatus.EXPIRED
    assert txs.at(tx, tx.expires_at).status is TxStatus.EXPIRED
    assert txs.redirect_uri(config, tx) is None
    with_redirect = replace(config, redirect_uri="https://shop.example/thanks?x=1")
    tx2 = txs.new_transaction(with_redirect, request, signer, now=T0, rng=_rng(99))
    assert txs.redirect_uri(with_redirect, tx2) == (
        "https://shop.example/thanks?x=1&response_code=" + tx2.metadata["response_code"])
    uri = txs.invocation_uri(config, tx)
    assert uri.startswith("openid4vp://?client_id=decentralized_identifier%3Adid%3Akey%3A")


def test_receipt_states_what_was_shared() -> None:
    terms = ConsentTerms("Age check", "P30D", Offer("money", "2.50", "EUR", "voucher"))
    received = [Received("age", "urn:pidm:vct:age_over_18", ISSUER, "thumb-1", ("age_over_18",)),
                Received("postcode", None, None, "thumb-2", ("postal_code",))]
    receipt = build_receipt(issuer="did:key:z6Mkv", issuer_name="Shop", transaction_id="tx-1",
                            terms=terms, received=received, now=T0, rng=_rng())
    assert receipt["type"] == ["VerifiableCredential", "DataSharingReceipt"]
    assert receipt["@context"] == ["https://www.w3.org/ns/credentials/v2",
                                  "https://www.w3.org/ns/credentials/undefined-terms/v2"]
    assert receipt["issuer"] == {"id": "did:key:z6Mkv", "name": "Shop"}
    assert receipt["validFrom"] == "2025-06-01T12:00:00Z"
    assert receipt["id"].startswith("urn:uuid:")
    assert receipt["credentialSubject"] == {
        "transactionId": "tx-1",
        "holderKeyThumbprint": "thumb-1",
        "purpose": "Age check",
        "retention": "P30D",
        "reward": {"kind": "money", "amount": "2.50", "unit": "EUR", "description": "voucher"},
        "sharedAt": "2025-06-01T12:00:00Z",
        "claimsReceived": [
            {"credentialQuery": "age", "credentialType": "urn:pidm:vct:age_over_18",
             "credentialIssuer": ISSUER, "holderKeyThumbprint": "thumb-1",
             "claims": ["age_over_18"]},
            {"credentialQuery": "postcode", "holderKeyThumbprint": "thumb-2",
             "claims": ["postal_code"]},
        ],
    }


def test_rejects_presentations_for_unknown_queries(tmp_path: Path) -> None:
    config = load_config(init_verifier(tmp_path).config_path)
    query = config.requests["age_and_area"].dcql_query
    with pytest.raises(UnrequestedData):
        parse_presentations({"age": ["a~"], "loyalty": ["b~"]}, query)
    items = parse_presentations({"age": [{"not": "a string"}], "postcode": ["garbage"]}, query)
    assert [i.error.code if i.error else None for i in items] == ["PARSING_ERROR",
                                                                 "PARSING_ERROR"]
    assert parse_credential("c", 42).error is not None


def _vp(holder: str, subject: str, *, count: int = 1) -> dict[str, Any]:
    vc = {"type": ["VerifiableCredential"], "credentialSubject": {"id": subject}}
    return {"type": ["VerifiablePresentation"], "holder": holder,
            "verifiableCredential": [vc] * count,
            "proof": {"verificationMethod": holder + "#key-1"}}


def test_holder_binding_of_a_data_integrity_vp() -> None:
    holder = did_key(KeyPair.generate().public)
    vp = _vp(holder, holder)
    assert check_holder_binding(vp, the_credential(vp)) == holder
    other = _vp(holder, "did:web:someone.example")
    with pytest.raises(HolderMismatch):
        check_holder_binding(other, the_credential(other))
    lying = dict(vp, holder="did:web:someone.example")
    with pytest.raises(HolderMismatch):
        check_holder_binding(lying, the_credential(lying))
    with pytest.raises(UnrequestedData):
        the_credential(_vp(holder, holder, count=2))


async def test_unexpected_exceptions_are_a_bare_500() -> None:
    async def broken(request: web.Request) -> web.Response:
        raise RuntimeError("secret detail")

    app = web.Application(middlewares=[error_middleware])
    app.router.add_get("/boom", broken, name="oid4vp.boom")
    async with TestClient(TestServer(app)) as client:
        response = await client.get("/boom")
        assert response.status == 500
        assert "secret" not in await response.text()
