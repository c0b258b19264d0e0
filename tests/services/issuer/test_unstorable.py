"""Text no database column can hold — NUL, lone surrogates, non-ASCII digits — in paths, query
parameters, claims and signed key proofs gets the same coded 4xx on SQLite and PostgreSQL (the
PostgreSQL store used to answer 500 for a NUL in any looked-up value)."""

from __future__ import annotations

import json
from typing import Any

from issuer.offers import plain_text
from pidm.encoding import b64url_encode
from pidm.keys import KeyPair
from tests.services.issuer.helpers import (
    RunningIssuer,
    make_offer,
    request_credentials,
    token_for,
)

SD = "age_over_18_sd_jwt"
BAD_TEXT = ["\x00", "a\x00b", "\ud800"]
#: NUL is valid JSON text and fails claim validation; a lone surrogate fails at the body.
EXPECTED = {"\x00": "MALFORMED_VALUE_ERROR", "a\x00b": "MALFORMED_VALUE_ERROR",
            "\ud800": "PARSING_ERROR"}


def raw_proof(key: KeyPair, payload: dict[str, Any]) -> str:
    """A key proof serialised with ASCII escapes, so a lone surrogate survives into the JWT."""
    header = {"alg": "EdDSA", "typ": "openid4vci-proof+jwt", "jwk": key.public.to_jwk()}
    head = b64url_encode(json.dumps(header).encode())
    body = b64url_encode(json.dumps(payload).encode())
    signature = key.sign(f"{head}.{body}".encode("ascii"))
    return f"{head}.{body}.{b64url_encode(signature)}"


async def test_admin_query_and_path_values(issuer: RunningIssuer) -> None:
    for query in ("limit=%C2%B2", "offset=%C2%B2", "limit=%D9%A1", "limit=99999999999999999999"):
        status, body, _ = await issuer.json("GET", f"/admin/credentials?{query}", admin=True)
        assert (status, body["code"]) == (400, "MALFORMED_VALUE_ERROR"), query
    for holder in ("%00", "%ED%A0%80", "a%20b"):
        status, body, _ = await issuer.json("GET", f"/admin/credentials?holder={holder}",
                                            admin=True)
        assert (status, body["code"]) == (400, "MALFORMED_VALUE_ERROR"), holder
    for action in ("revoke", "suspend", "reinstate"):
        status, body, _ = await issuer.json("POST", f"/admin/credentials/a%00b/{action}",
                                            admin=True)
        assert (status, body["code"]) == (404, "NOT_FOUND")
    for kind in ("token", "bitstring"):
        for list_id in ("tok-%00", "rev-a%00b", "sus-%00", "tok-%ED%A0%80", "rev-", "tok-a.b"):
            status, body, _ = await issuer.json("GET", f"/status/{kind}/{list_id}")
            assert (status, body["code"]) == (404, "NOT_FOUND"), (kind, list_id)
    for offer_id in ("%00", "a%00b", "%ED%A0%80"):
        status, body, _ = await issuer.json("GET", f"/offers/{offer_id}")
        assert (status, body["error"]) == (404, "invalid_request"), offer_id


async def test_claims_with_unstorable_text(issuer: RunningIssuer) -> None:
    for text in BAD_TEXT:
        for claims in ({"age_over_18": text}, {"age_over_18": {text: 1}},
                       {"age_over_18": [1, {"x": text}]}):
            raw = json.dumps({"credential_configuration_ids": [SD], "claims": claims})
            status, body = await _post_raw(issuer, "/admin/offers", raw.encode())
            assert (status, body["code"]) == (400, EXPECTED[text]), claims
    created = await make_offer(issuer, [SD], {"age_over_18": "ja, élève ✓ \U0001f600"})
    assert created["offer"]["credential_configuration_ids"] == [SD]
    assert plain_text("ja \U0001f600") and not plain_text("\ud83d")


async def test_key_proof_nonce_with_unstorable_text(issuer: RunningIssuer) -> None:
    token = await token_for(issuer, [SD], {"age_over_18": True})
    iat = int(issuer.clock.now().timestamp())
    for text in BAD_TEXT:
        proof = raw_proof(KeyPair.generate(), {"aud": issuer.url, "iat": iat, "nonce": text})
        status, body, _ = await request_credentials(issuer, token, SD, [proof])
        assert (status, body["error"]) == (400, "invalid_nonce"), text


async def test_vc_api_ids_with_unstorable_text(issuer: RunningIssuer) -> None:
    for cid, name, code in (("urn:x:\x00", "Alice", "DATA_LOSS_DETECTION_ERROR"),
                            ("urn:x:\ud800", "Alice", "PARSING_ERROR"),
                            ("urn:x:1", "Al\udfffice", "PARSING_ERROR")):
        credential = {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "id": cid,
            "credentialSubject": {"id": "did:example:alice", "name": name},
        }
        raw = json.dumps({"credential": credential}).encode()
        status, body = await _post_raw(issuer, "/credentials/issue", raw)
        assert (status, body["code"]) == (400, code), (cid, name)
    _, listing, _ = await issuer.json("GET", "/admin/credentials", admin=True)
    assert listing["credentials"] == []  # nothing was recorded


async def _post_raw(issuer: RunningIssuer, path: str, raw: bytes) -> tuple[int, Any]:
    async with issuer.session.post(
        issuer.url + path, data=raw, headers={"Content-Type": "application/json", **issuer.admin}
    ) as r:
        return r.status, await r.json(content_type=None)
