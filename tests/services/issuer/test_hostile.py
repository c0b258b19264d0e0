"""Hostile and wrong inputs get a 4xx with a code — an OAuth ``error`` on the OpenID4VCI
endpoints, a problem+json ``code`` elsewhere — and never a 500."""

from __future__ import annotations

import gzip
import json
from datetime import timedelta
from typing import Any

from pidm.encoding import b64url_encode
from pidm.jose import sign_jwt
from pidm.keys import KeyPair
from pidm.oid4vc.vci import parse_offer_uri
from pidm.sdjwt import SdJwt
from pidm.verification import CheckStatus
from tests.services.issuer.helpers import (
    PRE_AUTH,
    RunningIssuer,
    issue,
    make_offer,
    nonce,
    proof_jwt,
    redeem,
    request_credentials,
    status_of,
    token_for,
)
from tests.services.raw_http import raw_request

SD = "loyalty_membership_sd_jwt"
CLAIMS = {"member_id": "M-7", "tier": "silver"}


async def _proofs(issuer: RunningIssuer, *keys: KeyPair, **kw: Any) -> list[str]:
    c_nonce = kw.pop("nonce", None) or await nonce(issuer)
    iat = kw.pop("iat", issuer.clock.now().timestamp())
    aud = kw.pop("aud", issuer.url)
    return [proof_jwt(k, aud=aud, nonce=c_nonce, iat=iat, **kw) for k in keys]


async def _credential_error(issuer: RunningIssuer, proofs: list[str],
                            configuration_id: str = SD) -> tuple[int, str]:
    token = await token_for(issuer, [SD], CLAIMS)
    status, body, _ = await request_credentials(issuer, token, configuration_id, proofs)
    return status, body["error"]


async def test_rejects_bad_json(sqlite_issuer: RunningIssuer) -> None:
    issuer = sqlite_issuer
    token = await token_for(issuer, [SD], CLAIMS)
    async with issuer.session.post(
        issuer.url + "/credential", data=b'{"credential_configuration_id": ',
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    ) as r:
        assert r.status == 400
        assert (await r.json())["error"] == "invalid_credential_request"
    async with issuer.session.post(
        issuer.url + "/admin/offers", data=b'{"claims": {"a": 1, "a": 2}}',
        headers={**issuer.admin, "Content-Type": "application/json"},
    ) as r:
        assert r.status == 400
        assert r.headers["Content-Type"] == "application/problem+json"
        assert (await r.json())["code"] == "PARSING_ERROR"


async def test_rejects_json_nested_too_deeply(sqlite_issuer: RunningIssuer) -> None:
    issuer = sqlite_issuer
    token = await token_for(issuer, [SD], CLAIMS)
    for depth in (100, 10_000):  # past the limit; past what the JSON decoder itself can take
        body = b'{"claims": ' + b"[" * depth + b"]" * depth + b"}"
        async with issuer.session.post(
            issuer.url + "/admin/offers", data=body,
            headers={**issuer.admin, "Content-Type": "application/json"},
        ) as r:
            answer = await r.json(content_type=None)
            assert (r.status, answer["code"]) == (400, "PARSING_ERROR"), depth
            assert answer["detail"] == "request body is nested deeper than 64 levels", depth
        async with issuer.session.post(
            issuer.url + "/credential", data=body,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        ) as r:
            answer = await r.json(content_type=None)
            assert (r.status, answer["error"]) == (400, "invalid_credential_request"), depth
            assert answer["error_description"] == "request body is nested deeper than 64 levels"


async def test_rejects_huge_body(sqlite_issuer: RunningIssuer) -> None:
    issuer = sqlite_issuer
    huge = {"claims": {"member_id": "x" * (issuer.config.max_body_bytes + 10)}}
    status, body, _ = await issuer.json("POST", "/admin/offers", huge, admin=True)
    assert (status, body["code"]) == (413, "PAYLOAD_TOO_LARGE")
    token = await token_for(issuer, [SD], CLAIMS)
    status, body, _ = await issuer.json(
        "POST", "/credential", {"proofs": {"jwt": ["x" * 70_000]}},
        headers={"Authorization": f"Bearer {token}"})
    assert status == 413 and body["error"] == "invalid_request"


async def test_rejects_unknown_configuration(sqlite_issuer: RunningIssuer) -> None:
    issuer = sqlite_issuer
    status, body, _ = await issuer.json(
        "POST", "/admin/offers",
        {"credential_configuration_ids": ["passport_sd_jwt"], "claims": CLAIMS}, admin=True)
    assert (status, body["code"]) == (400, "UNKNOWN_CREDENTIAL_CONFIGURATION")
    proofs = await _proofs(issuer, KeyPair.generate())
    assert await _credential_error(issuer, proofs, "passport_sd_jwt") == (
        400, "unknown_credential_configuration")


async def test_rejects_configuration_not_in_offer(sqlite_issuer: RunningIssuer) -> None:
    proofs = await _proofs(sqlite_issuer, KeyPair.generate())
    assert await _credential_error(sqlite_issuer, proofs, "contact_profile_sd_jwt") == (
        400, "invalid_credential_request")


async def test_rejects_reused_pre_authorized_code(sqlite_issuer: RunningIssuer) -> None:
    created = await make_offer(sqlite_issuer, [SD], CLAIMS)
    first = await redeem(sqlite_issuer, created["offer"])
    assert first[0] == 200
    status, body = await redeem(sqlite_issuer, created["offer"])
    assert (status, body["error"]) == (400, "invalid_grant")


async def test_rejects_expired_pre_authorized_code(sqlite_issuer: RunningIssuer) -> None:
    created = await make_offer(sqlite_issuer, [SD], CLAIMS)
    sqlite_issuer.clock.advance(timedelta(seconds=sqlite_issuer.config.offer_ttl + 1))
    status, body = await redeem(sqlite_issuer, created["offer"])
    assert (status, body["error"]) == (400, "invalid_grant")


async def test_rejects_wrong_tx_code(sqlite_issuer: RunningIssuer) -> None:
    created = await make_offer(sqlite_issuer, [SD], CLAIMS, tx_code=True)
    wrong = "0" * 6 if created["tx_code"] != "0" * 6 else "1" * 6
    status, body = await redeem(sqlite_issuer, created["offer"], wrong)
    assert (status, body["error"]) == (400, "invalid_grant")
    status, body = await redeem(sqlite_issuer, created["offer"])
    assert (status, body["error"]) == (400, "invalid_request")  # tx_code missing
    status, body = await redeem(sqlite_issuer, created["offer"], created["tx_code"])
    assert status == 200  # the wrong attempts did not burn the code


async def test_rejects_unexpected_tx_code(sqlite_issuer: RunningIssuer) -> None:
    created = await make_offer(sqlite_issuer, [SD], CLAIMS)
    status, body = await redeem(sqlite_issuer, created["offer"], "123456")
    assert (status, body["error"]) == (400, "invalid_request")


async def test_rejects_bad_token_requests(sqlite_issuer: RunningIssuer) -> None:
    issuer = sqlite_issuer
    url = issuer.url + "/token"
    async with issuer.session.post(url, data={"grant_type": "authorization_code",
                                              "code": "x"}) as r:
        assert (r.status, (await r.json())["error"]) == (400, "unsupported_grant_type")
        assert r.headers["Cache-Control"] == "no-store"
    async with issuer.session.post(url, json={"grant_type": PRE_AUTH}) as r:
        assert (r.status, (await r.json())["error"]) == (400, "invalid_request")
    async with issuer.session.post(
        url, data=f"grant_type={PRE_AUTH}&pre-authorized_code=a&pre-authorized_code=b",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    ) as r:
        assert (r.status, (await r.json())["error"]) == (400, "invalid_request")
    async with issuer.session.post(url, data={"grant_type": PRE_AUTH,
                                              "pre-authorized_code": "guess"}) as r:
        assert (r.status, (await r.json())["error"]) == (400, "invalid_grant")


async def test_rejects_reused_nonce(sqlite_issuer: RunningIssuer) -> None:
    issuer = sqlite_issuer
    token = await token_for(issuer, [SD], CLAIMS)
    c_nonce = await nonce(issuer)
    proofs = await _proofs(issuer, KeyPair.generate(), nonce=c_nonce)
    status, _, _ = await request_credentials(issuer, token, SD, proofs)
    assert status == 200
    again = await _proofs(issuer, KeyPair.generate(), nonce=c_nonce)
    status, body, _ = await request_credentials(issuer, token, SD, again)
    assert (status, body["error"]) == (400, "invalid_nonce")


async def test_rejects_unknown_or_expired_nonce(sqlite_issuer: RunningIssuer) -> None:
    proofs = await _proofs(sqlite_issuer, KeyPair.generate(), nonce="made-up")
    assert await _credential_error(sqlite_issuer, proofs) == (400, "invalid_nonce")
    c_nonce = await nonce(sqlite_issuer)
    sqlite_issuer.clock.advance(timedelta(seconds=sqlite_issuer.config.nonce_ttl + 1))
    proofs = await _proofs(sqlite_issuer, KeyPair.generate(), nonce=c_nonce)
    assert await _credential_error(sqlite_issuer, proofs) == (400, "invalid_nonce")


async def test_rejects_missing_nonce(sqlite_issuer: RunningIssuer) -> None:
    key = KeyPair.generate()
    proof = proof_jwt(key, aud=sqlite_issuer.url, nonce=None,
                      iat=sqlite_issuer.clock.now().timestamp())
    assert await _credential_error(sqlite_issuer, [proof]) == (400, "invalid_proof")


async def test_rejects_wrong_aud(sqlite_issuer: RunningIssuer) -> None:
    proofs = await _proofs(sqlite_issuer, KeyPair.generate(), aud="https://evil.example")
    assert await _credential_error(sqlite_issuer, proofs) == (400, "invalid_proof")


async def test_rejects_stale_or_future_proof(sqlite_issuer: RunningIssuer) -> None:
    now = sqlite_issuer.clock.now().timestamp()
    for iat in (now - sqlite_issuer.config.proof_max_age - 120, now + 3600):  # past 60 s skew
        proofs = await _proofs(sqlite_issuer, KeyPair.generate(), iat=iat)
        assert await _credential_error(sqlite_issuer, proofs) == (400, "invalid_proof")


async def test_rejects_proof_signed_by_other_key_than_its_jwk(
    sqlite_issuer: RunningIssuer,
) -> None:
    claimed, actual = KeyPair.generate(), KeyPair.generate()
    c_nonce = await nonce(sqlite_issuer)
    proof = sign_jwt(
        {"typ": "openid4vci-proof+jwt", "jwk": claimed.public.to_jwk()},
        {"aud": sqlite_issuer.url, "iat": int(sqlite_issuer.clock.now().timestamp()),
         "nonce": c_nonce},
        actual,
    )
    assert await _credential_error(sqlite_issuer, [proof]) == (400, "invalid_proof")


async def test_rejects_alg_none_and_wrong_typ(sqlite_issuer: RunningIssuer) -> None:
    key = KeyPair.generate()
    c_nonce = await nonce(sqlite_issuer)
    header = {"alg": "none", "typ": "openid4vci-proof+jwt", "jwk": key.public.to_jwk()}
    payload = {"aud": sqlite_issuer.url, "iat": int(sqlite_issuer.clock.now().timestamp()),
               "nonce": c_nonce}
    unsigned = ".".join(b64url_encode(json.dumps(x).encode()) for x in (header, payload)) + "."
    assert await _credential_error(sqlite_issuer, [unsigned]) == (400, "invalid_proof")
    wrong_typ = await _proofs(sqlite_issuer, key, header={"typ": "JWT"})
    assert await _credential_error(sqlite_issuer, wrong_typ) == (400, "invalid_proof")


async def test_rejects_private_key_in_proof_header(sqlite_issuer: RunningIssuer) -> None:
    from pidm.keys import NoEncryption

    key = KeyPair.generate()
    private = key.export_private_jwk(encrypt_with=NoEncryption())
    proofs = await _proofs(sqlite_issuer, key, header={"jwk": private})
    assert await _credential_error(sqlite_issuer, proofs) == (400, "invalid_proof")


async def test_rejects_duplicate_keys_and_oversized_batch(sqlite_issuer: RunningIssuer) -> None:
    key = KeyPair.generate()
    proofs = await _proofs(sqlite_issuer, key, key)
    assert await _credential_error(sqlite_issuer, proofs) == (400, "invalid_proof")
    keys = [KeyPair.generate() for _ in range(sqlite_issuer.config.batch_size + 1)]
    proofs = await _proofs(sqlite_issuer, *keys)
    assert await _credential_error(sqlite_issuer, proofs) == (400, "invalid_proof")


async def test_rejects_malformed_proofs_member(sqlite_issuer: RunningIssuer) -> None:
    issuer = sqlite_issuer
    token = await token_for(issuer, [SD], CLAIMS)
    for proofs in (None, "jwt", {"jwt": []}, {"jwt": [42]}, {"cwt": ["x"]},
                   {"jwt": ["a.b.c"]}, {"jwt": ["x"], "di_vp": []}):
        body: dict[str, Any] = {"credential_configuration_id": SD}
        if proofs is not None:
            body["proofs"] = proofs
        status, answer, _ = await issuer.json(
            "POST", "/credential", body, headers={"Authorization": f"Bearer {token}"})
        assert (status, answer["error"]) == (400, "invalid_proof"), proofs


async def test_rejects_missing_bearer_token(sqlite_issuer: RunningIssuer) -> None:
    issuer = sqlite_issuer
    body = {"credential_configuration_id": SD, "proofs": {"jwt": ["x"]}}
    status, answer, headers = await issuer.json("POST", "/credential", body)
    assert (status, answer["error"]) == (401, "invalid_token")
    assert headers["WWW-Authenticate"] == 'Bearer realm="pidm-issuer"'
    status, answer, headers = await issuer.json(
        "POST", "/credential", body, headers={"Authorization": "Bearer not-a-token"})
    assert (status, answer["error"]) == (401, "invalid_token")
    assert 'error="invalid_token"' in headers["WWW-Authenticate"]
    status, answer, _ = await issuer.json("GET", "/admin/credentials")
    assert (status, answer["code"]) == (401, "UNAUTHORIZED")
    status, answer, _ = await issuer.json(
        "GET", "/admin/credentials", headers={"Authorization": "Bearer wrong-token-value"})
    assert (status, answer["code"]) == (401, "UNAUTHORIZED")
    status, answer, _ = await issuer.json("POST", "/credentials/issue", {"credential": {}})
    assert (status, answer["code"]) == (401, "UNAUTHORIZED")


async def test_rejects_expired_access_token(sqlite_issuer: RunningIssuer) -> None:
    token = await token_for(sqlite_issuer, [SD], CLAIMS)
    sqlite_issuer.clock.advance(timedelta(seconds=sqlite_issuer.config.access_token_ttl + 1))
    proofs = await _proofs(sqlite_issuer, KeyPair.generate())
    status, body, _ = await request_credentials(sqlite_issuer, token, SD, proofs)
    assert (status, body["error"]) == (401, "invalid_token")


async def test_rejects_bad_offer_requests(sqlite_issuer: RunningIssuer) -> None:
    issuer = sqlite_issuer
    cases: list[Any] = [
        [],
        {"claims": CLAIMS},
        {"credential_configuration_ids": [SD, SD], "claims": CLAIMS},
        {"credential_configuration_ids": [SD], "claims": {"ssn": "1"}},
        {"credential_configuration_ids": [SD], "claims": {"tier": None}},
        {"credential_configuration_ids": [SD], "claims": {"tier": {"@id": "x"}}},
        {"credential_configuration_ids": [SD], "claims": CLAIMS, "tx_code": "yes"},
        {"credential_configuration_ids": [SD, "age_over_18_sd_jwt"], "claims": CLAIMS},
    ]
    for case in cases:
        status, body, _ = await issuer.json("POST", "/admin/offers", case, admin=True)
        assert (status, body["code"]) == (400, "MALFORMED_VALUE_ERROR"), case


async def test_rejects_unknown_resources(sqlite_issuer: RunningIssuer) -> None:
    issuer = sqlite_issuer
    status, body, _ = await issuer.json("GET", "/offers/nope")
    assert (status, body["error"]) == (404, "invalid_request")
    for path in ("/status/token/tok-nope", "/status/bitstring/rev-nope", "/status/token/rev-x",
                 "/nowhere"):
        status, body, _ = await issuer.json("GET", path)
        assert (status, body["code"]) == (404, "NOT_FOUND"), path
    status, body, _ = await issuer.json("POST", "/admin/credentials/urn:uuid:x/revoke",
                                        admin=True)
    assert (status, body["code"]) == (404, "NOT_FOUND")
    status, body, _ = await issuer.json("GET", "/admin/credentials?limit=0", admin=True)
    assert (status, body["code"]) == (400, "MALFORMED_VALUE_ERROR")
    async with issuer.session.put(issuer.url + "/token") as r:
        assert (r.status, r.headers["Allow"]) == (405, "POST")
        assert await r.json() == {  # an OpenID4VCI endpoint
            "error": "invalid_request",
            "error_description": "this endpoint does not take this method; allowed: POST"}
    async with issuer.session.delete(issuer.url + "/offers/x") as r:
        assert (r.status, r.headers["Allow"]) == (405, "GET")
        assert (await r.json())["error"] == "invalid_request"
    async with issuer.session.put(issuer.url + "/admin/offers", headers=issuer.admin) as r:
        assert (r.status, r.headers["Allow"]) == (405, "POST")
        problem = await r.json()  # problem details
        assert (problem["code"], problem["status"]) == ("METHOD_NOT_ALLOWED", 405)
        assert problem["type"] == "https://pidm.dev/errors#METHOD_NOT_ALLOWED"


async def test_rejects_used_offer_by_reference(sqlite_issuer: RunningIssuer) -> None:
    created = await make_offer(sqlite_issuer, [SD], CLAIMS, by_reference=True)
    reference = created["credential_offer_uri"]
    assert reference == f"{sqlite_issuer.url}/offers/{created['offer_id']}"
    assert parse_offer_uri(created["offer_uri"], allow_http=True) == reference
    async with sqlite_issuer.session.get(reference) as r:
        offer = await r.json()
        assert r.status == 200 and offer == created["offer"]
    assert (await redeem(sqlite_issuer, offer))[0] == 200
    async with sqlite_issuer.session.get(reference) as r:
        assert (r.status, (await r.json())["error"]) == (404, "invalid_request")


async def test_rejects_tx_code_guessing(sqlite_issuer: RunningIssuer) -> None:
    created = await make_offer(sqlite_issuer, [SD], CLAIMS, tx_code=True)
    wrong = [f"{n:06d}" for n in range(10) if f"{n:06d}" != created["tx_code"]][:5]
    for guess in wrong:
        status, body = await redeem(sqlite_issuer, created["offer"], guess)
        assert (status, body["error"]) == (400, "invalid_grant")
    status, body = await redeem(sqlite_issuer, created["offer"], created["tx_code"])
    assert (status, body["error"]) == (400, "invalid_grant")  # void after 5 wrong codes


async def test_rejects_garbage_on_every_endpoint(sqlite_issuer: RunningIssuer) -> None:
    issuer = sqlite_issuer
    token = await token_for(issuer, [SD], CLAIMS)
    posts = ["/token", "/nonce", "/credential", "/admin/offers", "/credentials/issue",
             "/admin/credentials/x/revoke"]
    bodies = [b"", b"\xff\xfe\x00", b"[]", b'"x"', b"null", b'{"a":', b"1e999999",
              b'{"credential": {"@context": 5}}', b"a=b&a=c", b"%zz"]
    kinds = ["application/json", "application/x-www-form-urlencoded", "text/plain"]
    for path in posts:
        for body in bodies:
            for kind in kinds:
                headers = {"Content-Type": kind, **issuer.admin}
                if path == "/credential":
                    headers["Authorization"] = f"Bearer {token}"
                async with issuer.session.post(issuer.url + path, data=body,
                                               headers=headers) as r:
                    if path == "/nonce":
                        assert r.status == 200
                        continue
                    answer = await r.json(content_type=None)
                    assert 400 <= r.status < 500, (path, body, kind, answer)
                    assert answer.get("code") or answer.get("error"), (path, body, kind)


async def test_rejects_bodies_that_do_not_decode(sqlite_issuer: RunningIssuer) -> None:
    issuer = sqlite_issuer
    bomb = gzip.compress(b"0" * (20 * issuer.config.max_body_bytes))
    assert len(bomb) < issuer.config.max_body_bytes
    for path, kind in (("/admin/offers", "application/json"), ("/credential", "application/json"),
                       ("/credentials/issue", "application/json"),
                       ("/token", "application/x-www-form-urlencoded")):
        headers = {"Content-Type": kind, "Content-Encoding": "gzip", "Connection": "close",
                   **issuer.admin}
        async with issuer.session.post(issuer.url + path, data=b"not gzip at all",
                                       headers=headers) as r:
            answer = await r.json(content_type=None)
            oauth = path in ("/credential", "/token")
            code = answer["error"] if oauth else answer["code"]
            assert (r.status, code) == (400, "invalid_request" if oauth else "PARSING_ERROR")
        async with issuer.session.post(issuer.url + path, data=bomb, headers=headers) as r:
            answer = await r.json(content_type=None)
            assert r.status == 413, answer
            assert (answer.get("code") or answer.get("error")) in (
                "PAYLOAD_TOO_LARGE", "invalid_request")


async def test_every_admin_route_refuses_a_wrong_token(sqlite_issuer: RunningIssuer) -> None:
    issuer = sqlite_issuer
    [credential] = await issue(issuer, SD, CLAIMS, [KeyPair.generate()])
    _, listing, _ = await issuer.json("GET", "/admin/credentials", admin=True)
    cid = listing["credentials"][0]["credential_id"]
    token = issuer.config.admin_token
    wrong = [{}, {"Authorization": f"Basic {token}"}, {"Authorization": f"Bearer {token}x"},
             {"Authorization": f"Bearer {token[:-1]}"}, {"Authorization": token},
             {"Authorization": "Bearer é"}]
    calls = [("POST", "/admin/offers", {"credential_configuration_ids": [SD], "claims": CLAIMS}),
             ("GET", "/admin/credentials", None),
             ("POST", f"/admin/credentials/{cid}/revoke", None),
             ("POST", f"/admin/credentials/{cid}/suspend", None),
             ("POST", "/credentials/issue", {"credential": {}})]
    for headers in wrong:
        for method, path, body in calls:
            status, answer, resp_headers = await issuer.json(method, path, body, headers=headers)
            assert (status, answer["code"]) == (401, "UNAUTHORIZED"), (headers, path)
            assert resp_headers["WWW-Authenticate"].startswith("Bearer")
    status_claim = SdJwt.parse(credential).payload["status"]
    assert await status_of(issuer, status_claim) == (CheckStatus.PASSED, None)  # untouched
    _, listing, _ = await issuer.json("GET", "/admin/credentials", admin=True)
    assert [r["status"] for r in listing["credentials"]] == ["valid"]


async def test_a_token_header_that_is_not_utf8_is_refused(sqlite_issuer: RunningIssuer) -> None:
    """aiohttp hands such a header over with surrogate escapes; it used to crash (500)."""
    issuer = sqlite_issuer
    for path, kind, body in (
        ("/admin/offers", b"application/json", b"{}"),
        ("/credentials/issue", b"application/json", b"{}"),
        ("/credential", b"application/json", b"{}"),
    ):
        for token in (b"\xe9", b"abc\xff", issuer.config.admin_token.encode() + b"\xe9"):
            status, headers, answer = await raw_request(
                issuer.url, "POST", path,
                {"Content-Type": kind, "Authorization": b"Bearer " + token}, body)
            code = answer["error"] if path == "/credential" else answer["code"]
            expected = "invalid_token" if path == "/credential" else "UNAUTHORIZED"
            assert (status, code) == (401, expected), (path, token, answer)
            assert headers["WWW-Authenticate"].startswith("Bearer")
