"""The whole issuance job over real HTTP, on SQLite and on PostgreSQL: metadata → offer →
token → nonce → credential (both formats, batch) → verify with pidm's own verifiers → revoke,
suspend, reinstate → the published lists show it → a restart keeps it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from issuer.config import load_signing_key
from pidm.did.key import did_key, did_key_vm_id
from pidm.integrity.proof import verify_document
from pidm.keys import KeyPair
from pidm.net import SafeFetcher
from pidm.oid4vc.vci import (
    AuthorizationServerMetadata,
    CredentialOffer,
    IssuerMetadata,
    build_proof_jwt,
    parse_offer_uri,
)
from pidm.sdjwt import SdJwt, verify_sd_jwt_vc
from pidm.verification import CheckStatus
from tests.services.issuer.helpers import (
    PRE_AUTH,
    RunningIssuer,
    http_resolver,
    issue,
    make_offer,
    nonce,
    proof_jwt,
    redeem,
    request_credentials,
    start_issuer,
    status_of,
    token_for,
)

CLAIMS = {"member_id": "M-1001", "tier": "gold", "given_name": "Ada", "family_name": "Lovelace"}


async def test_metadata_documents(issuer: RunningIssuer) -> None:
    status, meta, headers = await issuer.json("GET", "/.well-known/openid-credential-issuer")
    assert status == 200
    assert meta["credential_issuer"] == issuer.url
    assert meta["credential_endpoint"] == issuer.url + "/credential"
    assert meta["nonce_endpoint"] == issuer.url + "/nonce"
    assert meta["batch_credential_issuance"] == {"batch_size": 10}
    sd = meta["credential_configurations_supported"]["loyalty_membership_sd_jwt"]
    assert sd["format"] == "dc+sd-jwt"
    assert sd["vct"] == "urn:pidm:vct:loyalty_membership"
    assert sd["proof_types_supported"]["jwt"]["proof_signing_alg_values_supported"] == [
        "EdDSA", "ES256"]
    ldp = meta["credential_configurations_supported"]["age_over_18_ldp_vc"]
    assert ldp["credential_definition"]["type"] == ["VerifiableCredential", "AgeOver18Credential"]
    assert ldp["credential_metadata"]["claims"][0]["path"] == ["credentialSubject", "age_over_18"]
    parsed = IssuerMetadata.parse(meta, expected_issuer=issuer.url, allow_http=True)
    assert parsed.token_endpoint == issuer.url + "/token" and parsed.batch_size == 10
    assert parsed.configuration("contact_profile_ldp_vc").types[1] == "ContactProfileCredential"
    status, oauth, _ = await issuer.json("GET", "/.well-known/oauth-authorization-server")
    assert status == 200
    server = AuthorizationServerMetadata.parse(oauth, expected_issuer=issuer.url, allow_http=True)
    assert server.token_endpoint == issuer.url + "/token"
    assert server.pre_authorized_grant_anonymous_access_supported is True
    status, did_doc, _ = await issuer.json("GET", "/.well-known/did.json")
    assert did_doc["id"] == issuer.config.did == f"did:web:127.0.0.1%3A{issuer.port}"
    assert did_doc["assertionMethod"] == [issuer.config.did + "#key-1"]


async def test_sd_jwt_batch_issuance_verifies_and_revokes(issuer: RunningIssuer) -> None:
    keys = [KeyPair.generate("Ed25519"), KeyPair.generate("ES256"), KeyPair.generate()]
    created = await make_offer(issuer, ["loyalty_membership_sd_jwt"], CLAIMS, tx_code=True)
    assert created["offer_uri"].startswith("openid-credential-offer://?credential_offer=")
    offer = parse_offer_uri(created["offer_uri"], allow_http=True)
    assert isinstance(offer, CredentialOffer)
    assert offer.to_json() == created["offer"] and offer.credential_issuer == issuer.url
    assert offer.pre_authorized_code is not None and offer.pre_authorized_code.tx_code
    assert len(created["tx_code"]) == 6 and created["tx_code"].isdigit()
    grant = created["offer"]["grants"][PRE_AUTH]
    assert grant["tx_code"]["length"] == 6
    status, token = await redeem(issuer, created["offer"], created["tx_code"])
    assert status == 200 and token["token_type"] == "Bearer"
    c_nonce = await nonce(issuer)
    now = issuer.clock.now().timestamp()
    proofs = [proof_jwt(k, aud=issuer.url, nonce=c_nonce, iat=now) for k in keys]
    status, body, headers = await request_credentials(
        issuer, token["access_token"], "loyalty_membership_sd_jwt", proofs)
    assert status == 200, body
    assert headers["Cache-Control"] == "no-store"
    credentials = [c["credential"] for c in body["credentials"]]
    assert len(credentials) == 3
    indices = set()
    async with SafeFetcher(allow_private=True, allow_http=True) as fetcher:
        resolver = http_resolver(fetcher)
        for key, credential in zip(keys, credentials, strict=True):
            result = await verify_sd_jwt_vc(credential, resolver=resolver,
                                            now=issuer.clock.now(), require_key_binding=False)
            assert result.valid, result.to_json()
            assert result.claims["tier"] == "gold" and result.claims["member_id"] == "M-1001"
            payload = SdJwt.parse(credential).payload
            assert payload["iss"] == issuer.config.did
            assert payload["cnf"]["jwk"] == key.public.to_jwk()
            assert "tier" not in payload and "member_id" in payload  # disclosable vs not
            indices.add(payload["status"]["status_list"]["idx"])
    assert len(indices) == 3  # every copy has its own status index
    first = SdJwt.parse(credentials[0]).payload["status"]
    assert await status_of(issuer, first) == (CheckStatus.PASSED, None)

    status, listing, _ = await issuer.json("GET", "/admin/credentials?limit=10", admin=True)
    assert status == 200 and len(listing["credentials"]) == 3
    record = next(r for r in listing["credentials"]
                  if r["status_list"]["index"] == first["status_list"]["idx"])
    assert record["holder_thumbprint"] == keys[0].public.thumbprint()
    assert "tier" not in str(record) and "gold" not in str(record)  # no claims kept

    cid = record["credential_id"]
    for action, expected in (("suspend", (CheckStatus.FAILED, "CREDENTIAL_SUSPENDED")),
                             ("reinstate", (CheckStatus.PASSED, None)),
                             ("revoke", (CheckStatus.FAILED, "CREDENTIAL_REVOKED"))):
        status, changed, _ = await issuer.json(
            "POST", f"/admin/credentials/{cid}/{action}", admin=True)
        assert status == 200, changed
        assert await status_of(issuer, first) == expected
    other = SdJwt.parse(credentials[1]).payload["status"]
    assert await status_of(issuer, other) == (CheckStatus.PASSED, None)
    status, problem, _ = await issuer.json("POST", f"/admin/credentials/{cid}/reinstate",
                                           admin=True)
    assert status == 409 and problem["code"] == "CONFLICT"  # revocation is final


async def test_status_token_is_cached_per_version(issuer: RunningIssuer) -> None:
    [credential] = await issue(issuer, "age_over_18_sd_jwt", {"age_over_18": True},
                               [KeyPair.generate()])
    uri = SdJwt.parse(credential).payload["status"]["status_list"]["uri"]
    path = uri[len(issuer.url):]
    async with issuer.session.get(uri) as r:
        first = await r.read()
        assert r.headers["Content-Type"] == "application/statuslist+jwt"
        assert r.headers["Cache-Control"] == f"max-age={issuer.config.status_list_ttl}"
    issuer.clock.advance(timedelta(seconds=5))
    async with issuer.session.get(issuer.url + path) as r:
        assert await r.read() == first  # same version: not signed again


async def test_revocations_survive_a_restart(issuer: RunningIssuer) -> None:
    [credential] = await issue(issuer, "contact_profile_sd_jwt", {"email": "a@example.com"},
                               [KeyPair.generate()])
    status_claim = SdJwt.parse(credential).payload["status"]
    _, listing, _ = await issuer.json("GET", "/admin/credentials", admin=True)
    cid = listing["credentials"][0]["credential_id"]
    status, _, _ = await issuer.json("POST", f"/admin/credentials/{cid}/revoke", admin=True)
    assert status == 200
    await issuer.session.close()
    await issuer.stop()

    again = await start_issuer(issuer.directory, store=issuer.store, port=issuer.port,
                               clock=issuer.clock, init=False)
    try:
        assert await status_of(again, status_claim) == (CheckStatus.FAILED, "CREDENTIAL_REVOKED")
        _, listing, _ = await again.json("GET", "/admin/credentials?status=revoked", admin=True)
        assert [r["credential_id"] for r in listing["credentials"]] == [cid]
        [fresh] = await issue(again, "contact_profile_sd_jwt", {"email": "b@example.com"},
                              [KeyPair.generate()])
        fresh_status = SdJwt.parse(fresh).payload["status"]["status_list"]
        assert fresh_status["idx"] != status_claim["status_list"]["idx"]
        assert await status_of(again, {"status_list": fresh_status}) == (CheckStatus.PASSED, None)
    finally:
        await again.session.close()
        await again.stop()


async def test_ldp_vc_batch_issuance_verifies_and_uses_bitstring_lists(
    issuer: RunningIssuer,
) -> None:
    keys = [KeyPair.generate(), KeyPair.generate()]
    credentials = await issue(issuer, "loyalty_membership_ldp_vc", CLAIMS, keys)
    assert len(credentials) == 2
    async with SafeFetcher(allow_private=True, allow_http=True) as fetcher:
        resolver = http_resolver(fetcher)
        for key, vc in zip(keys, credentials, strict=True):
            await verify_document(vc, resolver=resolver, now=issuer.clock.now())
            assert vc["issuer"] == issuer.config.did
            assert vc["type"] == ["VerifiableCredential", "LoyaltyMembershipCredential"]
            assert vc["credentialSubject"]["id"] == did_key(key.public)
            assert vc["credentialSubject"]["tier"] == "gold"
            assert vc["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
            assert vc["validFrom"] == "2025-06-01T12:00:00Z"
            assert vc["validUntil"] == "2026-06-01T12:00:00Z"
            purposes = [e["statusPurpose"] for e in vc["credentialStatus"]]
            assert purposes == ["revocation", "suspension"]
    first, second = credentials
    assert first["credentialStatus"][0]["statusListIndex"] != (
        second["credentialStatus"][0]["statusListIndex"])
    assert await status_of(issuer, first["credentialStatus"]) == (CheckStatus.PASSED, None)
    cid = first["id"]
    for action, expected in (("suspend", (CheckStatus.FAILED, "CREDENTIAL_SUSPENDED")),
                             ("reinstate", (CheckStatus.PASSED, None)),
                             ("revoke", (CheckStatus.FAILED, "CREDENTIAL_REVOKED"))):
        status, record, _ = await issuer.json(
            "POST", f"/admin/credentials/{cid}/{action}", admin=True)
        assert status == 200, record
        assert await status_of(issuer, first["credentialStatus"]) == expected
    assert record["status"] == "revoked" and record["status_list"]["list_id"].startswith("rev-")
    assert await status_of(issuer, second["credentialStatus"]) == (CheckStatus.PASSED, None)
    url = first["credentialStatus"][0]["statusListCredential"]
    async with issuer.session.get(url) as r:
        assert r.headers["Cache-Control"] == f"max-age={issuer.config.status_list_ttl}"
        published = await r.json(content_type=None)
    assert published["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert published["credentialSubject"]["ttl"] == issuer.config.status_list_ttl * 1000


async def test_kid_bound_ldp_vc(issuer: RunningIssuer) -> None:
    holder = KeyPair.generate()
    holder = holder.with_key_id(did_key_vm_id(holder.public))
    access_token = await token_for(issuer, ["age_over_18_ldp_vc"], {"age_over_18": True})
    c_nonce = await nonce(issuer)
    proof = build_proof_jwt(holder, audience=issuer.url, iat=issuer.clock.now(), nonce=c_nonce)
    status, body, _ = await request_credentials(issuer, access_token, "age_over_18_ldp_vc",
                                                [proof])
    assert status == 200, body
    [item] = body["credentials"]
    assert item["credential"]["credentialSubject"] == {
        "id": did_key(holder.public), "age_over_18": True}


async def test_did_key_issuer_end_to_end(tmp_path: Path) -> None:
    issuer = await start_issuer(tmp_path / "issuer", store="issuer.db", did_method="key")
    try:
        signer = load_signing_key(issuer.config)
        assert issuer.config.did == did_key(signer.public)
        async with issuer.session.get(issuer.url + "/.well-known/did.json") as r:
            assert (r.status, (await r.json())["code"]) == (404, "NOT_FOUND")  # nothing to serve
        holder = KeyPair.generate()
        [sd_jwt] = await issue(issuer, "age_over_18_sd_jwt", {"age_over_18": True}, [holder])
        [vc] = await issue(issuer, "age_over_18_ldp_vc", {"age_over_18": True}, [holder])
        payload = SdJwt.parse(sd_jwt).payload
        assert payload["iss"] == issuer.config.did
        assert payload["exp"] - payload["iat"] == 365 * 86_400  # validity_days = 365
        async with SafeFetcher(allow_private=True, allow_http=True) as fetcher:
            resolver = http_resolver(fetcher)
            result = await verify_sd_jwt_vc(sd_jwt, resolver=resolver, now=issuer.clock.now(),
                                            require_key_binding=False)
            assert result.valid, result.to_json()
            assert result.claims["age_over_18"] is True
            await verify_document(vc, resolver=resolver, now=issuer.clock.now())
        assert vc["issuer"] == issuer.config.did
        assert vc["proof"]["verificationMethod"] == did_key_vm_id(signer.public)
        assert await status_of(issuer, payload["status"]) == (CheckStatus.PASSED, None)
        _, listing, _ = await issuer.json("GET", "/admin/credentials", admin=True)
        sd_record = next(r for r in listing["credentials"] if r["format"] == "dc+sd-jwt")
        status, _, _ = await issuer.json(
            "POST", f"/admin/credentials/{sd_record['credential_id']}/revoke", admin=True)
        assert status == 200
        assert await status_of(issuer, payload["status"]) == (
            CheckStatus.FAILED, "CREDENTIAL_REVOKED")
        assert await status_of(issuer, vc["credentialStatus"]) == (CheckStatus.PASSED, None)
    finally:
        await issuer.session.close()
        await issuer.stop()
