"""Step 1: the retailer and the age check issue SD-JWT VCs to the wallet over OpenID4VCI
(offer → metadata → token → nonce → credential), narrated from the wire and checked."""

from __future__ import annotations

import json
from typing import Any

from pidm.sdjwt import SdJwt
from pidm_demo.cast import AGE, AGE_ID, MEMBER, MEMBERSHIP_ID, Facts
from pidm_demo.digests import digest
from pidm_demo.narrate import Narrator
from pidm_demo.services import Deployment, Service
from pidm_demo.wire import offer_from_uri
from wallet import Wallet
from wallet.credentials import Group


async def issue_both(n: Narrator, d: Deployment, wallet: Wallet, facts: Facts) -> None:
    n.title("Issuance (OpenID4VCI): the retailer and the age check issue SD-JWT VCs")
    n.note("The consumer scans each issuer's offer; the wallet redeems it (offer → token → "
           "credential) with one fresh key per copy.")
    for issuer, cid, claims in ((d.retailer, MEMBERSHIP_ID, MEMBER), (d.age_check, AGE_ID, AGE)):
        group = await _issue(n, d, wallet, issuer, cid, claims)
        facts.held[cid] = group.first.subject_claims()
        facts.groups[cid] = group.id


async def _issue(n: Narrator, d: Deployment, wallet: Wallet, issuer: Service, cid: str,
                 claims: dict[str, Any]) -> Group:
    name = issuer.config.name
    n.say(f"{name} ({issuer.did}) offers '{cid}' to the consumer:")
    status, made = await issuer.admin("POST", "/admin/offers",
                                      {"credential_configuration_ids": [cid], "claims": claims})
    n.check(status == 201, f"the admin API of {name} created a credential offer")
    uri = str(made["offer_uri"])
    n.say(f"  offer URI (QR code or link): {uri[:72]}…")
    n.note(f"  the offer inside: {json.dumps(offer_from_uri(uri))[:150]}…")
    mark = d.wire.mark()
    [group] = await wallet.receive(uri)
    for exchange in d.wire.since(mark):
        n.wire(exchange, response=digest(exchange), width=60)
    n.check(group.first.issuer == issuer.did, f"the wallet verified the credential from {name}")
    n.check(group.first.subject_claims() == claims,
            f"it holds {len(group.copies)} copies (one holder key each) with the issued claims")
    sd = SdJwt.parse(str(group.first.credential))
    n.note(f"  the issuer signed digests only: {len(sd.jwt.payload.get('_sd', []))} '_sd' "
           f"digests (with decoys), {len(sd.disclosures)} disclosures kept in the wallet")
    return group
