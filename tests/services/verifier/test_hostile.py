"""Bad input at every endpoint: each is a 4xx with a code (OAuth error objects on the OpenID4VP
endpoints, problem details elsewhere), never a 500, and nothing stored is damaged."""

from __future__ import annotations

import gzip
import json
from datetime import timedelta
from urllib.parse import urlencode

from pidm.did.key import did_key, did_key_vm_id
from pidm.encoding import b64url_encode
from pidm.keys import KeyPair
from tests.services.raw_http import raw_request
from tests.services.verifier.conftest import Held
from tests.services.verifier.helpers import RunningVerifier, Wallet
from tests.services.verifier.test_presentations import default_token

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


async def _post_form(verifier: RunningVerifier, body: bytes | str,
                     content_type: str = FORM["Content-Type"]) -> tuple[int, dict[str, str]]:
    status, answer, headers = await verifier.call(
        "POST", "/response", data=body, headers={"Content-Type": content_type})
    assert headers["Cache-Control"] == "no-store"
    return status, answer


async def test_rejects_unknown_state(verifier: RunningVerifier) -> None:
    body = urlencode({"vp_token": json.dumps({"age": ["x~"]}), "state": "nope"})
    status, answer = await _post_form(verifier, body)
    assert status == 404
    assert answer["error"] == "invalid_request"
    assert answer["error_description"].startswith("NOT_FOUND: ")


async def test_rejects_missing_state(verifier: RunningVerifier) -> None:
    body = urlencode({"vp_token": json.dumps({"age": ["x~"]})})
    status, answer = await _post_form(verifier, body)
    assert status == 400
    assert answer["error_description"].startswith("INVALID_AUTHORIZATION_RESPONSE: ")


async def test_rejects_malformed_vp_token(verifier: RunningVerifier) -> None:
    tx = await verifier.start()
    state = tx["request_uri"].rsplit("/", 1)[1]
    for token in ("not json", "[]", '{"age": "x"}', '{"age": []}', '{"a": 1, "a": 2}'):
        status, answer = await _post_form(verifier, urlencode({"vp_token": token, "state": state}))
        assert status == 400, token
        assert answer["error"] == "invalid_request"
        assert answer["error_description"].startswith("INVALID_AUTHORIZATION_RESPONSE")
    assert (await verifier.transaction(tx["id"]))["status"] == "pending"


async def test_rejects_garbage_presentations_and_stores_the_result(
    verifier: RunningVerifier
) -> None:
    tx = await verifier.start()
    state = tx["request_uri"].rsplit("/", 1)[1]
    key = KeyPair.generate("Ed25519")
    did = did_key(key.public)
    head = b64url_encode(json.dumps({"alg": "none", "kid": did_key_vm_id(key.public)}).encode())
    body = b64url_encode(json.dumps({"iss": did, "vct": "urn:pidm:vct:age_over_18"}).encode())
    token = {"age": [f"{head}.{body}.~"], "postcode": [{"type": "nope"}]}
    status, answer = await _post_form(
        verifier, urlencode({"vp_token": json.dumps(token), "state": state}))
    assert status == 400
    assert answer["error_description"].startswith("presentation refused: ")
    result = (await verifier.transaction(tx["id"]))["result"]
    failed = {c["code"] for c in result["checks"] if c["status"] == "failed"}
    assert failed == {"UNSUPPORTED_ALGORITHM", "PARSING_ERROR"}


async def test_rejects_oversized_body(verifier: RunningVerifier) -> None:
    body = "vp_token=" + "a" * (verifier.config.max_body_bytes + 10) + "&state=x"
    status, answer = await _post_form(verifier, body)
    assert status == 413
    assert answer["error_description"].startswith("PAYLOAD_TOO_LARGE")


async def test_rejects_wrong_content_type(verifier: RunningVerifier) -> None:
    status, answer = await _post_form(verifier, '{"vp_token": {}}', "application/json")
    assert status == 400
    assert answer["error"] == "invalid_request"


async def test_rejects_replayed_response(verifier: RunningVerifier, wallet: Wallet, age: Held,
                                         contact: Held) -> None:
    tx = await verifier.start()
    request = await wallet.fetch_request(tx["authorization_request"], now=verifier.clock.now())
    token = default_token(age, contact, verifier.clock.now())(request)
    token = {"age": token["age"]}  # incomplete: refused, but the transaction is answered
    first, _ = await wallet.post(request, token)
    assert first == 400
    stored = await verifier.transaction(tx["id"])
    status, answer = await wallet.post(request, default_token(age, contact,
                                                              verifier.clock.now())(request))
    assert status == 400
    assert answer["error_description"].startswith("NONCE_REPLAYED: ")
    assert await verifier.transaction(tx["id"]) == stored


async def test_rejects_response_after_expiry(verifier: RunningVerifier, wallet: Wallet,
                                             age: Held, contact: Held) -> None:
    tx = await verifier.start()
    request = await wallet.fetch_request(tx["authorization_request"], now=verifier.clock.now())
    verifier.clock.advance(timedelta(seconds=verifier.config.request_ttl + 1))
    status, answer = await wallet.post(request, default_token(age, contact,
                                                              verifier.clock.now())(request))
    assert status == 400
    assert "expired" in answer["error_description"]
    assert (await verifier.transaction(tx["id"]))["status"] == "expired"
    code, body, _ = await verifier.call("GET", "/request/" + request.state)  # type: ignore[operator]
    assert code == 404 and body["error_description"].startswith("NOT_FOUND")


async def test_wallet_refusal_is_stored(verifier: RunningVerifier, wallet: Wallet) -> None:
    tx = await verifier.start()
    request = await wallet.fetch_request(tx["authorization_request"], now=verifier.clock.now())
    body = urlencode({"error": "access_denied", "error_description": "user said no",
                      "state": request.state})
    status, answer = await _post_form(verifier, body)
    assert (status, answer) == (200, {})
    done = await verifier.transaction(tx["id"])
    assert done["status"] == "done"
    assert done["result"]["valid"] is False
    assert done["result"]["checks"][0]["code"] == "CONSENT_REFUSED"
    assert done["result"]["wallet_error"] == {"error": "access_denied",
                                              "error_description": "user said no"}


async def test_rejects_admin_without_token(verifier: RunningVerifier) -> None:
    for method, path in (("POST", "/admin/transactions"), ("GET", "/admin/transactions/x"),
                         ("GET", "/admin/transactions/x/qr.png"),
                         ("POST", "/credentials/verify"), ("POST", "/presentations/verify")):
        status, body, headers = await verifier.call(
            method, path, {"request": "age_and_area"},
            headers={"Authorization": "Bearer " + "x" * 43})
        assert status == 401, path
        assert body["code"] == "UNAUTHORIZED"
        assert headers["Content-Type"] == "application/problem+json"
        assert headers["WWW-Authenticate"].startswith("Bearer")


async def test_rejects_bad_admin_requests(verifier: RunningVerifier) -> None:
    status, body, _ = await verifier.call("POST", "/admin/transactions", {"request": "nope"},
                                          admin=True)
    assert (status, body["code"]) == (404, "NOT_FOUND")
    status, body, _ = await verifier.call("POST", "/admin/transactions", ["age_and_area"],
                                          admin=True)
    assert (status, body["code"]) == (400, "MALFORMED_VALUE_ERROR")
    status, body, _ = await verifier.call("POST", "/admin/transactions", admin=True,
                                          data=b"{", headers={"Content-Type": "application/json"})
    assert (status, body["code"]) == (400, "PARSING_ERROR")
    status, body, _ = await verifier.call("GET", "/admin/transactions/unknown", admin=True)
    assert (status, body["code"]) == (404, "NOT_FOUND")
    status, body, _ = await verifier.call("GET", "/nowhere")
    assert (status, body["code"]) == (404, "NOT_FOUND")


async def test_rejects_bad_vc_api_bodies(verifier: RunningVerifier) -> None:
    for path, body in (("/credentials/verify", {"credential": {}}),
                       ("/presentations/verify", {"verifiablePresentation": "x~",
                                                  "options": {"challenge": 5}}),
                       ("/presentations/verify", {"verifiablePresentation": "x~",
                                                  "options": []})):
        status, answer, _ = await verifier.call("POST", path, body, admin=True)
        assert (status, answer["code"]) == (400, "MALFORMED_VALUE_ERROR"), path


async def test_qr_codes(verifier: RunningVerifier) -> None:
    tx = await verifier.start()
    status, png, headers = await verifier.call("GET", f"/admin/transactions/{tx['id']}/qr.png",
                                               admin=True)
    assert status == 200 and headers["Content-Type"] == "image/png"
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    status, svg, headers = await verifier.call("GET", f"/admin/transactions/{tx['id']}/qr.svg",
                                               admin=True)
    assert status == 200 and headers["Content-Type"] == "image/svg+xml"
    assert b"<svg" in svg
    assert tx["qr"]["png"] == verifier.url + f"/admin/transactions/{tx['id']}/qr.png"


async def test_health(verifier: RunningVerifier) -> None:
    status, body, _ = await verifier.call("GET", "/health")
    assert (status, body) == (200, {"status": "ok"})


async def test_rejects_wrong_method_with_a_code_and_allow(verifier: RunningVerifier) -> None:
    status, body, headers = await verifier.call("GET", "/response")  # an OpenID4VP endpoint
    assert (status, body["error"]) == (405, "invalid_request")
    assert body["error_description"].startswith("METHOD_NOT_ALLOWED: ")
    assert (headers["Allow"], headers["Cache-Control"]) == ("POST", "no-store")
    status, body, headers = await verifier.call("DELETE", "/admin/transactions", admin=True)
    assert (status, body["code"], body["status"]) == (405, "METHOD_NOT_ALLOWED", 405)
    assert body["detail"] == "this endpoint does not take this method; allowed: POST"
    assert headers["Allow"] == "POST"


async def test_rejects_json_nested_too_deeply(verifier: RunningVerifier) -> None:
    deep = b'{"verifiablePresentation": ' + b"[" * 100 + b"]" * 100 + b"}"
    deeper = b'{"request": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    for path, body in (("/presentations/verify", deep), ("/admin/transactions", deeper)):
        status, answer, _ = await verifier.call(
            "POST", path, admin=True, data=body, headers={"Content-Type": "application/json"})
        assert (status, answer["code"]) == (400, "PARSING_ERROR"), path
        assert answer["detail"] == "request body is nested deeper than 64 levels", path


async def test_rejects_malformed_forms(verifier: RunningVerifier) -> None:
    many = "&".join(f"k{i}=v" for i in range(5000))
    for body in (many, "garbage", "vp_token=%FF%FE&state=x", "=&="):
        status, answer = await _post_form(verifier, body)
        assert status == 400, body
        assert answer["error_description"].startswith("INVALID_AUTHORIZATION_RESPONSE"), body


async def test_rejects_compressed_body_past_the_limit(verifier: RunningVerifier) -> None:
    import gzip

    bomb = gzip.compress(b"vp_token=" + b"A" * (verifier.config.max_body_bytes * 20), 9)
    assert len(bomb) < verifier.config.max_body_bytes // 10
    status, answer, _ = await verifier.call(
        "POST", "/response", data=bomb,
        headers={"Content-Type": FORM["Content-Type"], "Content-Encoding": "gzip"})
    assert status == 413
    assert answer["error_description"].startswith("PAYLOAD_TOO_LARGE")


async def test_rejects_bodies_that_do_not_decode(verifier: RunningVerifier) -> None:
    """A Content-Encoding that does not decode is PARSING_ERROR (OAuth on /response), not 500;
    a gzip bomb is still cut off at the size limit."""
    bomb = gzip.compress(b"0" * (20 * verifier.config.max_body_bytes))
    assert len(bomb) < verifier.config.max_body_bytes
    for path, kind in (("/admin/transactions", "application/json"),
                       ("/presentations/verify", "application/json"),
                       ("/credentials/verify", "application/json"),
                       ("/response", FORM["Content-Type"])):
        headers = {"Content-Type": kind, "Content-Encoding": "gzip", "Connection": "close"}
        status, answer, _ = await verifier.call("POST", path, data=b"not gzip at all",
                                                headers=headers, admin=True)
        if path == "/response":
            assert (status, answer["error"]) == (400, "invalid_request")
            assert answer["error_description"].startswith("PARSING_ERROR: "), answer
        else:
            assert (status, answer["code"]) == (400, "PARSING_ERROR"), (path, answer)
        status, answer, _ = await verifier.call("POST", path, data=bomb, headers=headers,
                                                admin=True)
        assert status == 413, (path, answer)
        assert (answer.get("code") or answer.get("error")) in (
            "PAYLOAD_TOO_LARGE", "invalid_request")


async def test_a_token_header_that_is_not_utf8_is_refused(verifier: RunningVerifier) -> None:
    """aiohttp hands such a header over with surrogate escapes; it used to crash (500)."""
    for method, path in (("POST", "/admin/transactions"), ("GET", "/admin/transactions/x"),
                         ("POST", "/credentials/verify"), ("POST", "/presentations/verify")):
        for token in (b"\xe9", b"abc\xff", verifier.config.admin_token.encode() + b"\xe9"):
            status, headers, answer = await raw_request(
                verifier.url, method, path,
                {"Content-Type": b"application/json", "Authorization": b"Bearer " + token},
                b"{}" if method == "POST" else b"")
            assert (status, answer["code"]) == (401, "UNAUTHORIZED"), (path, token, answer)
            assert headers["WWW-Authenticate"].startswith("Bearer")
