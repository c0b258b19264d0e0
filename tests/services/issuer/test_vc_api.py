"""VC API style ``POST /credentials/issue``: a VCDM 2.0 credential in, a signed ldp_vc with
revocation and suspension entries out, revocable through the admin API."""

from __future__ import annotations

from pidm.did.key import did_key
from pidm.integrity.proof import verify_document
from pidm.keys import KeyPair
from pidm.net import SafeFetcher
from pidm.verification import CheckStatus
from tests.services.issuer.helpers import RunningIssuer, http_resolver, status_of


async def test_vc_api_issue_verifies_and_revokes(issuer: RunningIssuer) -> None:
    holder = KeyPair.generate()
    unsigned = {
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://www.w3.org/ns/credentials/undefined-terms/v2"],
        "type": ["VerifiableCredential", "EventTicketCredential"],
        "credentialSubject": {"id": did_key(holder.public), "seat": "12F"},
    }
    status, body, _ = await issuer.json("POST", "/credentials/issue", {"credential": unsigned},
                                        admin=True)
    assert status == 201, body
    vc = body["verifiableCredential"]
    assert vc["issuer"] == issuer.config.did and vc["id"].startswith("urn:uuid:")
    async with SafeFetcher(allow_private=True, allow_http=True) as fetcher:
        await verify_document(vc, resolver=http_resolver(fetcher), now=issuer.clock.now())
    status, record, _ = await issuer.json(
        "POST", f"/admin/credentials/{vc['id']}/revoke", admin=True)
    assert status == 200 and record["configuration_id"] == "vc-api"
    assert await status_of(issuer, vc["credentialStatus"]) == (
        CheckStatus.FAILED, "CREDENTIAL_REVOKED")
