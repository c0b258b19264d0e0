"""Steps 2 and 3: the marketer's OpenID4VP request (signed request object with a DCQL query,
purpose and reward), the consent screen, the ``direct_post`` response that discloses only the
two claims asked for, and the signed receipt — each narrated from the wire and checked."""

from __future__ import annotations

import json
from typing import Any

from pidm.jose import decode_jwt
from pidm.sdjwt import SdJwt
from pidm.sdjwt.disclosure import Disclosure
from pidm_demo import configs
from pidm_demo.cast import ASKED, PRIVATE, REGISTERED, Facts
from pidm_demo.digests import digest
from pidm_demo.narrate import Narrator
from pidm_demo.services import Deployment, Service
from pidm_demo.wire import Exchange, show
from wallet import ConsentDecision, ConsentScreen, Wallet
from wallet.consent import consent_renderable


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
    _check_disclosures(n, posted, facts)
    n.say("To check them, the marketer's verifier resolved the issuers' did:web keys and "
          "fetched their status lists:")
    fetched = {(e.service, e.path): e for e in d.wire.since(mark) if e.service != "marketer"}
    for exchange in fetched.values():
        n.wire(exchange, client="marketer", response=digest(exchange))
    _check_receipt(n, posted.response_json()["receipt"], facts)
    facts.receipt_status = outcome.receipt.status if outcome.receipt else "missing"
    n.check(outcome.outcome == "shared" and facts.receipt_status == "verified",
            "the verifier accepted; the wallet verified the signed receipt")
    n.check(facts.receipt_reward.get("amount") == "50", "the receipt grants the 50 points")
    await _check_result(n, d.marketer, str(tx["id"]), facts)


def _check_disclosures(n: Narrator, posted: Exchange, facts: Facts) -> None:
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


def _check_receipt(n: Narrator, receipt: dict[str, Any], facts: Facts) -> None:
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


async def _check_result(n: Narrator, marketer: Service, tx_id: str, facts: Facts) -> None:
    status, done = await marketer.admin("GET", f"/admin/transactions/{tx_id}")
    result = done.get("result", {}) if status == 200 else {}
    facts.verifier_claims = personal_claims(result.get("claims", {}))
    n.say(f"  the marketer's result: valid={result.get('valid')}, claims "
          f"{facts.verifier_claims} (besides {', '.join(sorted(REGISTERED - {'sub', 'nbf'}))})")
    n.check(result.get("valid") is True and facts.verifier_claims == ASKED,
            "the marketer received exactly 'over 18' and the postcode")


def personal_claims(claims: dict[str, Any]) -> dict[str, Any]:
    """The verifier's claims per credential query, without the registered JWT claims."""
    return {query_id: {k: v for k, v in values.items() if k not in REGISTERED}
            for query_id, values in claims.items()}
