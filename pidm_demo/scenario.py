"""The main job as five checked steps: issue (OpenID4VCI), request (OpenID4VP with purpose
and reward), consent and share the minimum (with a signed receipt), revoke and be refused,
then the wallet's history and rewards. Every step narrates what crossed the wire and checks
that things happened as described; a step that does not raises :class:`StepFailed`."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pidm.jose import decode_jwt
from pidm.sdjwt import SdJwt
from pidm.sdjwt.disclosure import Disclosure
from pidm_demo import configs
from pidm_demo.narrate import Narrator
from pidm_demo.services import Deployment, Service
from pidm_demo.wire import Exchange, offer_from_uri, show
from wallet import ConsentDecision, ConsentScreen, Wallet
from wallet.consent import consent_renderable
from wallet.credentials import Group
from wallet.views import history_table, rewards_json, rewards_table

MEMBER = {"member_id": "M-204815", "tier": "gold", "given_name": "Alex",
          "family_name": "Morgan", "birthdate": "1990-04-12", "postal_code": "SW1A 1AA"}
AGE = {"age_over_18": True, "birthdate": "1990-04-12"}
#: Values that must never reach the marketer.
PRIVATE = ("Alex", "Morgan", "1990-04-12", "M-204815")
MEMBERSHIP_ID = "loyalty_membership_sd_jwt"
AGE_ID = "age_over_18_sd_jwt"
ASKED = {"age": {"age_over_18": True}, "membership": {"postal_code": "SW1A 1AA"}}
#: What every SD-JWT VC shows besides the disclosed claims (RFC 9901, SD-JWT VC §3.2.2).
REGISTERED = frozenset({"iss", "sub", "vct", "cnf", "status", "iat", "nbf", "exp"})


@dataclass
class Facts:
    """What the scenario established (the tests assert on these)."""

    held: dict[str, dict[str, Any]] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)
    disclosed: dict[str, dict[str, Any]] = field(default_factory=dict)
    verifier_claims: dict[str, Any] = field(default_factory=dict)
    receipt_reward: dict[str, Any] = field(default_factory=dict)
    receipt_status: str = ""
    revoked: int = 0
    refusal_code: str | None = None
    refusal_description: str = ""
    history: list[str] = field(default_factory=list)
    rewards: dict[tuple[str, str], str] = field(default_factory=dict)


# --- step 1 -------------------------------------------------------------------------------------
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
        _issuance_wire(n, exchange)
    n.check(group.first.issuer == issuer.did, f"the wallet verified the credential from {name}")
    n.check(group.first.subject_claims() == claims,
            f"it holds {len(group.copies)} copies (one holder key each) with the issued claims")
    sd = SdJwt.parse(str(group.first.credential))
    n.note(f"  the issuer signed digests only: {len(sd.jwt.payload.get('_sd', []))} '_sd' "
           f"digests (with decoys), {len(sd.disclosures)} disclosures kept in the wallet")
    return group


def _issuance_wire(n: Narrator, exchange: Exchange) -> None:
    path = exchange.path
    if path.startswith("/.well-known/openid-credential-issuer"):
        meta = exchange.response_json()
        n.wire(exchange, response={
            "credential_issuer": meta.get("credential_issuer"),
            "credential_configurations_supported": sorted(meta.get(
                "credential_configurations_supported", {})),
            "batch_credential_issuance": meta.get("batch_credential_issuance"),
        }, width=60)
    elif path.endswith("did.json"):
        doc = exchange.response_json()
        n.wire(exchange, response={"id": doc.get("id"), "verificationMethod": "…"})
    else:
        n.wire(exchange)


# --- steps 2 and 3 ------------------------------------------------------------------------------
async def start_request(n: Narrator, marketer: Service) -> dict[str, Any]:
    status, tx = await marketer.admin("POST", "/admin/transactions",
                                      {"request": configs.REQUEST})
    n.check(status == 201, f"the marketer started a transaction for '{configs.REQUEST}'")
    return dict(tx)


def _request_object(n: Narrator, d: Deployment, mark: int) -> None:
    [fetched] = d.wire.find(mark, "GET", "/request/")
    payload = decode_jwt(fetched.response_body.decode()).payload
    keep = ("client_id", "response_type", "response_mode", "response_uri", "nonce", "state",
            "dcql_query", "purpose", "retention", "offer")
    n.wire(fetched, response={k: payload[k] for k in keep if k in payload}, width=60)
    n.check(payload.get("purpose") is not None and payload.get("offer") is not None,
            "the signed request object states a purpose and offers a reward")


def _consent(n: Narrator, d: Deployment, mark: int) -> Any:
    def decide(screen: ConsentScreen) -> ConsentDecision:
        _request_object(n, d, mark)
        n.title("Consent: the wallet shows who asks, why, for how long, and the reward")
        n.show(consent_renderable(screen))
        asked = {i.query_id: [c.path for c in i.claims] for i in screen.items}
        n.check(asked == {"age": [("age_over_18",)], "membership": [("postal_code",)]},
                "the screen lists exactly 'Over 18' and 'Postal code'")
        n.check(screen.offer is not None and screen.offer.amount == "50",
                "the screen shows the offered reward (50 points)")
        n.say("The consumer approves; the wallet shares only what was asked.")
        return ConsentDecision.approve()

    return decide


def disclosed_claims(form: dict[str, Any]) -> tuple[dict[str, dict[str, Any]], str]:
    """The claims each presentation in a ``direct_post`` body discloses, and every decoded
    part (JWT payloads and disclosures) as one text, to search for what must not be there."""
    vp_token = json.loads(form["vp_token"])
    out: dict[str, dict[str, Any]] = {}
    seen: list[str] = []
    for query_id, presentations in vp_token.items():
        for presentation in presentations:
            sd = SdJwt.parse(presentation)
            parts = [Disclosure.parse(x) for x in sd.disclosures]
            out[query_id] = {p.name or "": p.value for p in parts}
            seen += [json.dumps(sd.jwt.payload), *(json.dumps(p.value) for p in parts)]
            if sd.kb_jwt:
                seen.append(json.dumps(decode_jwt(sd.kb_jwt).payload))
    return out, "\n".join(seen)


async def share(n: Narrator, d: Deployment, wallet: Wallet, facts: Facts) -> None:
    n.title("Request (OpenID4VP): the marketer asks for 'over 18' and the postcode")
    tx = await start_request(n, d.marketer)
    n.say(f"authorization request (link or QR code): {str(tx['authorization_request'])[:90]}…")
    mark = d.wire.mark()
    outcome = await wallet.present(str(tx["authorization_request"]), _consent(n, d, mark))
    [posted] = d.wire.find(mark, "POST", "/response")
    form = posted.request_json()
    facts.disclosed, decoded = disclosed_claims(form)
    n.wire(posted, request={"vp_token": {k: ["<issuer JWT>~<disclosures>~<KB-JWT>"]
                                         for k in facts.disclosed}, "state": form.get("state")},
           response={"receipt": "…"})
    for query_id, claims in facts.disclosed.items():
        n.say(f"  {query_id}: disclosures {claims}, plus a key-binding JWT (aud, nonce, sd_hash)")
    n.check(facts.disclosed == ASKED, "the vp_token disclosed exactly age_over_18 and "
            "postal_code")
    leaked = [v for v in PRIVATE if v in decoded]
    n.check(not leaked, "name, birth date and member number stayed in the wallet")
    receipt = posted.response_json()["receipt"]
    subject = receipt.get("credentialSubject", {})
    facts.receipt_reward = dict(subject.get("reward") or {})
    issuer = receipt.get("issuer")
    who = issuer.get("id") if isinstance(issuer, dict) else issuer
    n.say(f"  receipt: {' + '.join(receipt.get('type', []))} issued by {who}, "
          f"signed {receipt['proof']['type']} / {receipt['proof'].get('cryptosuite')}:")
    n.say("    " + show({
        "purpose": subject.get("purpose"), "retention": subject.get("retention"),
        "claimsReceived": {c.get("credentialQuery"): c.get("claims")
                           for c in subject.get("claimsReceived", [])},
        "reward": facts.receipt_reward, "sharedAt": subject.get("sharedAt"),
    }, 80))
    facts.receipt_status = outcome.receipt.status if outcome.receipt else "missing"
    n.check(outcome.outcome == "shared" and facts.receipt_status == "verified",
            "the verifier accepted; the wallet verified the signed receipt")
    n.check(facts.receipt_reward.get("amount") == "50", "the receipt grants the 50 points")
    status, done = await d.marketer.admin("GET", f"/admin/transactions/{tx['id']}")
    facts.verifier_claims = personal_claims(done.get("result", {}).get("claims", {}))
    n.say(f"  the marketer's result: valid={done['result']['valid']}, claims "
          f"{facts.verifier_claims} (besides {', '.join(sorted(REGISTERED - {'sub', 'nbf'}))})")
    n.check(done["result"]["valid"] is True and facts.verifier_claims == ASKED,
            "the marketer received exactly 'over 18' and the postcode")


def personal_claims(claims: dict[str, Any]) -> dict[str, Any]:
    """The verifier's claims per credential query, without the registered JWT claims."""
    return {query_id: {k: v for k, v in values.items() if k not in REGISTERED}
            for query_id, values in claims.items()}


# --- step 4 -------------------------------------------------------------------------------------
async def revoke_and_refuse(n: Narrator, d: Deployment, wallet: Wallet, facts: Facts) -> None:
    n.title("Revocation: the retailer revokes the membership, the marketer refuses it")
    status, listing = await d.retailer.admin("GET", "/admin/credentials")
    n.check(status == 200, "the retailer listed its issued credentials")
    records = [r for r in listing["credentials"] if r["configuration_id"] == MEMBERSHIP_ID]
    mark = d.wire.mark()
    for record in records:
        status, body = await d.retailer.admin(
            "POST", f"/admin/credentials/{record['credential_id']}/revoke")
        facts.revoked += status == 200 and body.get("status") == "revoked"
    n.wire(d.wire.find(mark, "POST", "/admin/credentials/")[0])
    n.check(facts.revoked == len(records) > 0,
            f"all {len(records)} copies revoked (their status-list bits set and republished)")
    n.note(f"  verifiers may cache a status list for its TTL ({configs.STATUS_TTL} s here, "
           "5 min by default): that is how late a revocation can be seen")
    await asyncio.sleep(configs.STATUS_TTL + 0.2)
    tx = await start_request(n, d.marketer)
    mark = d.wire.mark()
    outcome = await wallet.present(str(tx["authorization_request"]),
                                   lambda screen: ConsentDecision.approve())
    for exchange in d.wire.find(mark, "GET", "/status/"):
        n.wire(exchange, response=_status_list_digest(exchange))
    [posted] = d.wire.find(mark, "POST", "/response")
    n.wire(posted, request={"vp_token": "…", "state": "…"}, width=110)
    status, done = await d.marketer.admin("GET", f"/admin/transactions/{tx['id']}")
    checks = done["result"]["checks"]
    failed = [c for c in checks if c["status"] == "failed"]
    facts.refusal_code = failed[0].get("code") if len(failed) == 1 else None
    facts.refusal_description = str(posted.response_json().get("error_description", ""))
    n.say(f"  the marketer's result: {sum(c['status'] == 'passed' for c in checks)} checks "
          "passed, failed:")
    for check in failed:
        n.say(f"    {check['check']} {check.get('code')}: {check['message']}")
    n.check(done["result"]["valid"] is False and len(failed) == 1
            and failed[0]["check"] == "status" and facts.refusal_code == "CREDENTIAL_REVOKED"
            and failed[0]["message"].startswith("membership"),
            "the marketer refused the membership: status check CREDENTIAL_REVOKED")
    n.check(outcome.outcome == "rejected" and outcome.entry.receipt == "missing",
            "the wallet recorded the refusal, with no receipt and no reward")


def _status_list_digest(exchange: Exchange) -> Any:
    text = exchange.response_body.decode("utf-8", "replace")
    try:
        payload = decode_jwt(text).payload
    except Exception:  # noqa: BLE001 - a bitstring list is JSON, shown as is
        return exchange.response_json()
    return {"statuslist+jwt": text, "payload": {k: payload.get(k) for k in ("sub", "ttl", "exp")}}


# --- step 5 -------------------------------------------------------------------------------------
def history_and_rewards(n: Narrator, d: Deployment, wallet: Wallet, facts: Facts) -> None:
    n.title("Transparency: the wallet's history and rewards")
    entries = wallet.history()
    n.show(history_table(entries))
    totals = wallet.rewards()
    names = {e.verifier_did: e.verifier_name for e in entries}
    n.show(rewards_table(rewards_json(totals, names)))
    facts.history = [e.outcome for e in entries]
    facts.rewards = {(k.verifier_did, k.unit): str(v) for k, v in totals.items()}
    n.check(facts.history == ["shared", "rejected"],
            "history: one presentation shared, one rejected")
    n.check(totals == {_key(totals, d.marketer.did): Decimal("50")},
            "rewards: 50 points from the marketer, backed by a verified receipt")


def _key(totals: dict[Any, Decimal], did: str) -> Any:
    return next((k for k in totals if k.verifier_did == did and k.unit == "points"), None)


async def run_scenario(n: Narrator, d: Deployment, wallet: Wallet) -> Facts:
    """Run the five steps; return what they established. Raises StepFailed or PidmError."""
    facts = Facts()
    await issue_both(n, d, wallet, facts)
    await share(n, d, wallet, facts)
    await revoke_and_refuse(n, d, wallet, facts)
    history_and_rewards(n, d, wallet, facts)
    return facts
