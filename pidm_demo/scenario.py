"""The main job as five checked steps: issue (OpenID4VCI), request (OpenID4VP with purpose
and reward), consent and share the minimum (with a signed receipt), revoke and be refused,
then the wallet's history and rewards (step 5, here). Every step narrates what crossed the wire
and checks that things happened as described; a step that does not raises ``StepFailed``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pidm_demo.cast import Facts
from pidm_demo.issuance import issue_both
from pidm_demo.narrate import Narrator
from pidm_demo.presentation import share
from pidm_demo.revocation import revoke_and_refuse
from pidm_demo.services import Deployment
from wallet import Wallet
from wallet.views import history_table, rewards_json, rewards_table


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
