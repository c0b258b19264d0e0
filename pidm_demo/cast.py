"""Who and what the demo is about: the consumer's claims as each issuer signs them, what the
marketer asks for, and :class:`Facts`, what the scenario established."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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
