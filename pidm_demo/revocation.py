"""Step 4: the retailer revokes the membership through its admin API (status-list bits set
and the list republished); after the list's TTL the marketer's verifier refuses the next
presentation of it with the status check's ``CREDENTIAL_REVOKED``."""

from __future__ import annotations

import asyncio
from typing import Any

from pidm_demo import configs
from pidm_demo.cast import MEMBERSHIP_ID, Facts
from pidm_demo.digests import digest
from pidm_demo.narrate import Narrator
from pidm_demo.presentation import start_request
from pidm_demo.services import Deployment
from wallet import ConsentDecision, Wallet


async def revoke_and_refuse(n: Narrator, d: Deployment, wallet: Wallet, facts: Facts) -> None:
    n.title("Revocation: the retailer revokes the membership, the marketer refuses it")
    await _revoke_membership(n, d, facts)
    n.note(f"  verifiers may cache a status list for its TTL ({configs.STATUS_TTL} s here, "
           "5 min by default): that is how late a revocation can be seen")
    await asyncio.sleep(configs.STATUS_TTL + 0.2)
    tx = await start_request(n, d.marketer)
    mark = d.wire.mark()
    outcome = await wallet.present(str(tx["authorization_request"]),
                                   lambda screen: ConsentDecision.approve())
    for exchange in d.wire.find(mark, "GET", "/status/"):
        n.wire(exchange, client="marketer", response=digest(exchange))
    [posted] = d.wire.find(mark, "POST", "/response")
    n.wire(posted, request={"vp_token": "…", "state": "…"}, width=110)
    facts.refusal_description = str(posted.response_json().get("error_description", ""))
    status, done = await d.marketer.admin("GET", f"/admin/transactions/{tx['id']}")
    _check_refusal(n, done.get("result", {}) if status == 200 else {}, facts)
    n.check(outcome.outcome == "rejected" and outcome.entry.receipt == "missing",
            "the wallet recorded the refusal, with no receipt and no reward")


async def _revoke_membership(n: Narrator, d: Deployment, facts: Facts) -> None:
    """Revoke every copy of the membership (one credential record per holder key)."""
    status, listing = await d.retailer.admin("GET", "/admin/credentials")
    n.check(status == 200, "the retailer listed its issued credentials")
    records = [r for r in listing["credentials"] if r["configuration_id"] == MEMBERSHIP_ID]
    mark = d.wire.mark()
    for record in records:
        status, body = await d.retailer.admin(
            "POST", f"/admin/credentials/{record['credential_id']}/revoke")
        facts.revoked += status == 200 and body.get("status") == "revoked"
    for exchange in d.wire.find(mark, "POST", "/admin/credentials/")[:1]:
        n.wire(exchange, client="back office")
    n.check(facts.revoked == len(records) > 0,
            f"all {len(records)} copies revoked (their status-list bits set and republished)")


def _check_refusal(n: Narrator, result: dict[str, Any], facts: Facts) -> None:
    checks = result.get("checks", [])
    failed = [c for c in checks if c["status"] == "failed"]
    facts.refusal_code = failed[0].get("code") if len(failed) == 1 else None
    n.say(f"  the marketer's result: {sum(c['status'] == 'passed' for c in checks)} checks "
          "passed, failed:")
    for check in failed:
        n.say(f"    {check['check']} {check.get('code')}: {check['message']}")
    n.check(result.get("valid") is False and len(failed) == 1
            and failed[0]["check"] == "status" and facts.refusal_code == "CREDENTIAL_REVOKED"
            and failed[0]["message"].startswith("membership"),
            "the marketer refused the membership: status check CREDENTIAL_REVOKED")
