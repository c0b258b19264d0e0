"""The OpenID4VP job over real HTTP: a marketer starts a transaction, a wallet (pidm functions)
fetches and verifies the signed request, presents SD-JWT VCs issued by the real issuer service,
and the verifier accepts the right claims — or refuses each kind of bad presentation with its
own code, storing the result either way."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from typing import Any

from pidm.encoding import b64url_decode, b64url_encode
from pidm.keys import KeyPair
from pidm.oid4vc.vp import AuthorizationRequest
from pidm.sdjwt import issue_sd_jwt
from tests.services.issuer.helpers import RunningIssuer
from tests.services.verifier.conftest import CONTACT_CLAIMS, Held
from tests.services.verifier.helpers import RunningVerifier, Wallet

Presenter = Callable[[AuthorizationRequest], Mapping[str, Sequence[Any]]]


def default_token(age: Held, contact: Held, now: Any) -> Presenter:
    def build(request: AuthorizationRequest) -> Mapping[str, Sequence[Any]]:
        return {
            "age": [Wallet.present(age.credential, age.key, request, disclose=["age_over_18"],
                                   now=now)],
            "postcode": [Wallet.present(contact.credential, contact.key, request,
                                        disclose=["postal_code"], now=now)],
        }
    return build


async def run(verifier: RunningVerifier, wallet: Wallet, build: Presenter
              ) -> tuple[int, Any, dict[str, Any], AuthorizationRequest]:
    """Start a transaction, let the wallet answer with ``build(request)``; return the HTTP
    answer and the transaction as the admin API shows it afterwards."""
    tx = await verifier.start()
    request = await wallet.fetch_request(tx["authorization_request"], now=verifier.clock.now())
    status, answer = await wallet.post(request, build(request))
    return status, answer, await verifier.transaction(tx["id"]), request


def failed_codes(tx: Mapping[str, Any]) -> set[str]:
    return {c["code"] for c in tx["result"]["checks"] if c["status"] == "failed"}


def assert_refused(status: int, answer: Any, tx: Mapping[str, Any], code: str) -> None:
    assert status == 400, answer
    assert answer["error"] == "invalid_request"
    assert answer["error_description"].startswith("presentation refused: ")
    assert code in answer["error_description"]
    assert tx["status"] == "done"
    assert tx["result"]["valid"] is False
    assert code in failed_codes(tx)
    assert tx["result"]["claims"] == {}


async def test_request_object_carries_query_and_consent_terms(
    verifier: RunningVerifier, wallet: Wallet
) -> None:
    tx = await verifier.start()
    assert tx["status"] == "pending"
    assert tx["authorization_request"].startswith("openid4vp://?client_id=decentralized_identifier")
    request = await wallet.fetch_request(tx["authorization_request"], now=verifier.clock.now())
    assert str(request.client_id) == verifier.config.client_id
    assert request.response_uri == verifier.url + "/response"
    assert request.response_mode == "direct_post"
    assert [c.id for c in request.dcql_query.credentials] == ["age", "postcode"]
    assert request.terms.retention == "P30D"
    assert request.terms.offer is not None and request.terms.offer.amount == "10"
    assert request.terms.offer.unit == "points"
    assert request.terms.purpose and "over 18" in request.terms.purpose
    assert request.client_metadata is not None
    assert "dc+sd-jwt" in request.client_metadata.vp_formats_supported


async def test_rejects_bad_signature(verifier: RunningVerifier, wallet: Wallet, age: Held,
                                     contact: Held) -> None:
    now = verifier.clock.now()
    head, rest = age.credential.split(".", 1)
    body, sig_and_disclosures = rest.split(".", 1)
    sig, tail = sig_and_disclosures.split("~", 1)
    flipped = b64url_encode(bytes([b64url_decode(sig)[0] ^ 1]) + b64url_decode(sig)[1:])
    forged = Held(f"{head}.{body}.{flipped}~{tail}", age.key)
    status, answer, tx, _ = await run(verifier, wallet, default_token(forged, contact, now))
    assert_refused(status, answer, tx, "PROOF_VERIFICATION_ERROR")


async def test_rejects_untrusted_issuer(verifier: RunningVerifier, wallet: Wallet,
                                        contact: Held) -> None:
    from pidm.did.key import did_key, did_key_vm_id

    rogue = KeyPair.generate("Ed25519")
    rogue = rogue.with_key_id(did_key_vm_id(rogue.public))
    holder = KeyPair.generate("Ed25519")
    now = verifier.clock.now()
    credential = issue_sd_jwt(
        {"age_over_18": True}, signer=rogue, disclose=["age_over_18"],
        holder_key=holder.public, vct="urn:pidm:vct:age_over_18",
        issuer=did_key(rogue.public), issued_at=now,
    )
    held = Held(str(credential), holder)
    status, answer, tx, _ = await run(verifier, wallet, default_token(held, contact, now))
    assert_refused(status, answer, tx, "ISSUER_NOT_TRUSTED")


async def test_rejects_wrong_nonce(verifier: RunningVerifier, wallet: Wallet, age: Held,
                                   contact: Held) -> None:
    now = verifier.clock.now()

    def build(request: AuthorizationRequest) -> Mapping[str, Sequence[Any]]:
        token = dict(default_token(age, contact, now)(request))
        token["age"] = [Wallet.present(age.credential, age.key, request,
                                       disclose=["age_over_18"], now=now, nonce="other-nonce")]
        return token

    status, answer, tx, _ = await run(verifier, wallet, build)
    assert_refused(status, answer, tx, "NONCE_MISMATCH")


async def test_rejects_wrong_audience(verifier: RunningVerifier, wallet: Wallet, age: Held,
                                      contact: Held) -> None:
    now = verifier.clock.now()

    def build(request: AuthorizationRequest) -> Mapping[str, Sequence[Any]]:
        token = dict(default_token(age, contact, now)(request))
        token["postcode"] = [Wallet.present(
            contact.credential, contact.key, request, disclose=["postal_code"], now=now,
            audience="decentralized_identifier:did:web:other.example")]
        return token

    status, answer, tx, _ = await run(verifier, wallet, build)
    assert_refused(status, answer, tx, "AUDIENCE_MISMATCH")


async def test_rejects_expired_credential(verifier: RunningVerifier, wallet: Wallet,
                                          age: Held, contact: Held) -> None:
    verifier.clock.advance(timedelta(days=400))
    status, answer, tx, _ = await run(
        verifier, wallet, default_token(age, contact, verifier.clock.now()))
    assert_refused(status, answer, tx, "CREDENTIAL_EXPIRED")


async def _set_status(issuer: RunningIssuer, held: Held, action: str) -> None:
    thumb = held.key.public.thumbprint()
    status, listing, _ = await issuer.json("GET", f"/admin/credentials?holder={thumb}",
                                           admin=True)
    assert status == 200 and len(listing["credentials"]) == 1, listing
    cid = listing["credentials"][0]["credential_id"]
    status, body, _ = await issuer.json("POST", f"/admin/credentials/{cid}/{action}",
                                        admin=True)
    assert status == 200, body


async def test_rejects_revoked_credential(issuer: RunningIssuer, verifier: RunningVerifier,
                                          wallet: Wallet, age: Held, contact: Held) -> None:
    await _set_status(issuer, age, "revoke")
    status, answer, tx, _ = await run(
        verifier, wallet, default_token(age, contact, verifier.clock.now()))
    assert_refused(status, answer, tx, "CREDENTIAL_REVOKED")


async def test_rejects_suspended_credential(issuer: RunningIssuer, verifier: RunningVerifier,
                                            wallet: Wallet, age: Held, contact: Held) -> None:
    await _set_status(issuer, contact, "suspend")
    status, answer, tx, _ = await run(
        verifier, wallet, default_token(age, contact, verifier.clock.now()))
    assert_refused(status, answer, tx, "CREDENTIAL_SUSPENDED")


async def test_rejects_missing_required_claim(verifier: RunningVerifier, wallet: Wallet,
                                              age: Held, contact: Held) -> None:
    now = verifier.clock.now()

    def build(request: AuthorizationRequest) -> Mapping[str, Sequence[Any]]:
        token = dict(default_token(age, contact, now)(request))
        token["postcode"] = [Wallet.present(contact.credential, contact.key, request,
                                            disclose=[], now=now)]
        return token

    status, answer, tx, _ = await run(verifier, wallet, build)
    assert_refused(status, answer, tx, "DCQL_NOT_SATISFIED")


async def test_rejects_missing_required_credential(verifier: RunningVerifier, wallet: Wallet,
                                                   age: Held, contact: Held) -> None:
    now = verifier.clock.now()

    def build(request: AuthorizationRequest) -> Mapping[str, Sequence[Any]]:
        return {"age": default_token(age, contact, now)(request)["age"]}

    status, answer, tx, _ = await run(verifier, wallet, build)
    assert_refused(status, answer, tx, "DCQL_NOT_SATISFIED")


async def test_rejects_extra_credential_type(verifier: RunningVerifier, wallet: Wallet,
                                             age: Held, contact: Held) -> None:
    now = verifier.clock.now()

    def build(request: AuthorizationRequest) -> Mapping[str, Sequence[Any]]:
        token = dict(default_token(age, contact, now)(request))
        token["profile"] = [Wallet.present(contact.credential, contact.key, request,
                                           disclose=["email"], now=now)]
        return token

    status, answer, tx, _ = await run(verifier, wallet, build)
    assert_refused(status, answer, tx, "UNREQUESTED_DATA")


async def test_rejects_extra_claim(verifier: RunningVerifier, wallet: Wallet, age: Held,
                                   contact: Held) -> None:
    now = verifier.clock.now()

    def build(request: AuthorizationRequest) -> Mapping[str, Sequence[Any]]:
        token = dict(default_token(age, contact, now)(request))
        token["postcode"] = [Wallet.present(contact.credential, contact.key, request,
                                            disclose=["postal_code", "email"], now=now)]
        return token

    status, answer, tx, _ = await run(verifier, wallet, build)
    assert_refused(status, answer, tx, "UNREQUESTED_DATA")


async def test_rejects_wrong_credential_type_for_query(
    verifier: RunningVerifier, wallet: Wallet, age: Held, contact: Held
) -> None:
    now = verifier.clock.now()

    def build(request: AuthorizationRequest) -> Mapping[str, Sequence[Any]]:
        token = dict(default_token(age, contact, now)(request))
        token["age"] = [Wallet.present(contact.credential, contact.key, request,
                                       disclose=["postal_code"], now=now)]
        return token

    status, answer, tx, _ = await run(verifier, wallet, build)
    assert_refused(status, answer, tx, "DCQL_NOT_SATISFIED")


def test_contact_claims_fixture_has_a_postcode() -> None:
    assert CONTACT_CLAIMS["postal_code"] == "SW1A 1AA"


async def _verify_receipt(verifier: RunningVerifier, receipt: Mapping[str, Any]) -> None:
    from pidm.did.resolver import MethodRouter
    from pidm.vc import verify_credential

    result = await verify_credential(dict(receipt), resolver=MethodRouter(),
                                     now=verifier.clock.now())
    assert result.valid, result.errors


async def test_accepts_valid_presentation_with_the_right_claims(
    issuer: RunningIssuer, verifier: RunningVerifier, wallet: Wallet, age: Held, contact: Held
) -> None:
    status, answer, tx, request = await run(
        verifier, wallet, default_token(age, contact, verifier.clock.now()))
    assert status == 200, answer
    assert set(answer) == {"receipt"}
    assert tx["status"] == "done"
    result = tx["result"]
    assert result["valid"] is True
    assert all(c["status"] != "failed" for c in result["checks"])
    passed = {(c["check"], c.get("message", "").split(":")[0]) for c in result["checks"]
              if c["status"] == "passed"}
    for query in ("age", "postcode"):
        for name in ("signature", "holder_binding", "nonce", "audience", "validity_period",
                     "status", "issuer_trust"):
            assert (name, query) in passed, (name, query)
    assert result["checks"][-1] == {"check": "disclosures", "status": "passed"}
    assert result["checks"][0]["check"] == "nonce"
    assert result["claims"]["age"]["age_over_18"] is True
    assert result["claims"]["postcode"]["postal_code"] == "SW1A 1AA"
    assert "email" not in result["claims"]["postcode"]
    assert result["claims"]["age"]["iss"] == issuer.config.did
    receipt = answer["receipt"]
    assert tx["result"]["receipt"] == receipt
    assert receipt["type"] == ["VerifiableCredential", "DataSharingReceipt"]
    assert receipt["issuer"]["id"] == verifier.config.did
    assert receipt["proof"]["cryptosuite"] == "eddsa-jcs-2022"
    subject = receipt["credentialSubject"]
    assert subject["transactionId"] == tx["id"]
    assert subject["holderKeyThumbprint"] == age.key.public.thumbprint()
    assert subject["purpose"] == request.terms.purpose
    assert subject["retention"] == "P30D"
    assert subject["reward"] == {"kind": "points", "amount": "10", "unit": "points",
                                 "description": "10 loyalty points"}
    assert [(r["credentialQuery"], r["claims"], r["holderKeyThumbprint"])
            for r in subject["claimsReceived"]] == [
        ("age", ["age_over_18"], age.key.public.thumbprint()),
        ("postcode", ["postal_code"], contact.key.public.thumbprint())]
    assert subject["claimsReceived"][1]["credentialType"] == "urn:pidm:vct:contact_profile"
    await _verify_receipt(verifier, receipt)
    tampered = dict(receipt, credentialSubject=dict(subject, reward={
        "kind": "points", "amount": "1000", "unit": "points"}))
    from pidm.did.resolver import MethodRouter
    from pidm.vc import verify_credential

    bad = await verify_credential(tampered, resolver=MethodRouter(), now=verifier.clock.now())
    assert {c.code for c in bad.errors} == {"PROOF_VERIFICATION_ERROR"}
    code, _, _ = await verifier.call("GET", "/request/" + str(request.state))
    assert code == 404  # answered: the request object is gone


async def test_replayed_presentation_in_a_new_transaction_is_refused(
    verifier: RunningVerifier, wallet: Wallet, age: Held, contact: Held
) -> None:
    status, _, _, first = await run(verifier, wallet,
                                    default_token(age, contact, verifier.clock.now()))
    assert status == 200
    token = default_token(age, contact, verifier.clock.now())(first)
    status, answer, tx, _ = await run(verifier, wallet, lambda request: token)
    assert_refused(status, answer, tx, "NONCE_MISMATCH")


async def test_did_web_verifier_publishes_its_document(
    tmp_path: Any, issuer: RunningIssuer, age: Held, contact: Held
) -> None:
    import aiohttp

    from pidm.did.resolver import MethodRouter
    from pidm.net import SafeFetcher
    from tests.services.verifier.helpers import start_verifier

    verifier = await start_verifier(tmp_path / "web-verifier", trust=[issuer.config.did],
                                    did_method="web")
    try:
        assert verifier.config.did == f"did:web:127.0.0.1%3A{verifier.port}"
        status, doc, headers = await verifier.call("GET", "/.well-known/did.json")
        assert status == 200 and headers["Content-Type"].startswith("application/did+json")
        assert doc["id"] == verifier.config.did
        assert doc["assertionMethod"] == [verifier.config.did + "#key-1"]
        async with SafeFetcher(allow_private=True, allow_http=True) as fetcher, \
                aiohttp.ClientSession() as session:
            wallet = Wallet(session, MethodRouter(fetcher, web_scheme="http"))
            status, answer, tx, _ = await run(
                verifier, wallet, default_token(age, contact, verifier.clock.now()))
        assert status == 200, answer
        assert tx["result"]["valid"] is True
        assert answer["receipt"]["proof"]["verificationMethod"] == verifier.config.did + "#key-1"
    finally:
        await verifier.stop()


async def test_rejects_second_presentation_for_a_single_query(
    verifier: RunningVerifier, wallet: Wallet, age: Held, contact: Held
) -> None:
    now = verifier.clock.now()

    def build(request: AuthorizationRequest) -> Mapping[str, Sequence[Any]]:
        token = dict(default_token(age, contact, now)(request))
        token["age"] = [*token["age"], *default_token(age, contact, now)(request)["age"]]
        return token

    status, answer, tx, _ = await run(verifier, wallet, build)
    assert_refused(status, answer, tx, "UNREQUESTED_DATA")
    assert "allows one presentation, got 2" in answer["error_description"]


async def test_an_untrusted_did_web_issuer_is_refused_without_a_fetch(
    verifier: RunningVerifier, wallet: Wallet, contact: Held
) -> None:
    """A wallet names a did:web issuer the verifier does not trust: the verifier must not
    fetch its DID document (a presenter could otherwise make it reach any host)."""
    from aiohttp import web

    from pidm.did.web import did_web_document, url_to_did_web

    rogue = KeyPair.generate("Ed25519")
    hits: list[str] = []

    async def did_json(request: web.Request) -> web.Response:
        hits.append(request.path)
        return web.json_response(did_web_document(did, rogue.public))

    app = web.Application()
    app.router.add_get("/.well-known/did.json", did_json)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    did = url_to_did_web(f"http://127.0.0.1:{port}")
    try:
        holder = KeyPair.generate("Ed25519")
        now = verifier.clock.now()
        credential = issue_sd_jwt(
            {"age_over_18": True}, signer=rogue.with_key_id(did + "#key-1"),
            disclose=["age_over_18"], holder_key=holder.public,
            vct="urn:pidm:vct:age_over_18", issuer=did, issued_at=now,
        )
        held = Held(str(credential), holder)
        status, answer, tx, _ = await run(verifier, wallet, default_token(held, contact, now))
    finally:
        await runner.cleanup()
    assert_refused(status, answer, tx, "ISSUER_NOT_TRUSTED")
    assert hits == []
