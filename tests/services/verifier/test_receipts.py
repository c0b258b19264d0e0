"""Receipts with either cryptosuite verify like any credential: JSON-LD safe mode accepts the
receipt's terms (VCDM 2.0 ``@vocab``), and any change to what it states breaks the proof."""

from __future__ import annotations

from typing import Any

import pytest

from pidm.did.key import did_key, did_key_vm_id
from pidm.did.resolver import MethodRouter
from pidm.keys import KeyPair
from pidm.oid4vc.consent import ConsentTerms, Offer
from pidm.vc import verify_credential
from tests.services.issuer.helpers import T0
from verifier.receipts import Received, build_receipt, sign_receipt


def _receipt(suite: str) -> tuple[dict[str, Any], str]:
    key = KeyPair.generate()
    key = key.with_key_id(did_key_vm_id(key.public))
    did = did_key(key.public)
    unsigned = build_receipt(
        issuer=did, issuer_name="Shop", transaction_id="tx-1",
        terms=ConsentTerms("Age check", "P30D", Offer("money", "2.50", "EUR")),
        received=[Received("age", "urn:pidm:vct:age_over_18", "did:web:issuer.example",
                           "thumb", ("age_over_18", "address.postal_code"))],
        now=T0, rng=lambda n: b"\x01" * n)
    return sign_receipt(unsigned, signer=key, cryptosuite=suite, now=T0), did


@pytest.mark.parametrize("suite", ["eddsa-jcs-2022", "eddsa-rdfc-2022"])
async def test_receipt_verifies_and_detects_changes(suite: str) -> None:
    receipt, did = _receipt(suite)
    assert receipt["proof"]["cryptosuite"] == suite
    assert receipt["proof"]["verificationMethod"].startswith(did + "#")
    result = await verify_credential(receipt, resolver=MethodRouter(), now=T0)
    assert result.valid, result.errors
    subject = receipt["credentialSubject"]
    for change in ({"purpose": "Something else"}, {"retention": "P10Y"},
                   {"reward": dict(subject["reward"], amount="250")},
                   {"claimsReceived": [dict(subject["claimsReceived"][0], claims=["email"])]}):
        tampered = dict(receipt, credentialSubject=dict(subject, **change))
        bad = await verify_credential(tampered, resolver=MethodRouter(), now=T0)
        assert [c.code for c in bad.errors] == ["PROOF_VERIFICATION_ERROR"], change
