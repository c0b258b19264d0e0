"""Keys, a sample credential and a forger for SD-JWT tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pidm.did.key import did_key_vm_id
from pidm.jose import sign_jwt
from pidm.keys import KeyPair
from pidm.sdjwt import Disclosure, issue_sd_jwt, present_sd_jwt, verify_sd_jwt
from pidm.verification import CheckStatus, VerificationResult

_issuer = KeyPair.from_private_bytes("Ed25519", b"\x11" * 32)
ISSUER = _issuer.with_key_id(did_key_vm_id(_issuer.public))
HOLDER = KeyPair.from_private_bytes("Ed25519", b"\x22" * 32)
EC_HOLDER = KeyPair.from_private_bytes("ES256", b"\x33" * 32)
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
AUD = "https://verifier.example"
NONCE = "n-0S6_WzA2Mj"
VCT = "https://credentials.example/identity"

CLAIMS: dict[str, Any] = {
    "given_name": "Erika",
    "family_name": "Mustermann",
    "birthdate": "1963-08-12",
    "address": {"street_address": "Heidestraße 17", "locality": "Köln", "postal_code": "51147"},
    "nationalities": ["DE", "FR"],
    "age_equal_or_over": {"18": True, "21": True, "65": False},
}
DISCLOSE = [
    "given_name",
    "family_name",
    "birthdate",
    "address",
    "address.street_address",
    "address.locality",
    "address.postal_code",
    "nationalities.*",
    "age_equal_or_over.*",
]


def counter_rng() -> Any:
    state = [0]

    def rng(n: int) -> bytes:
        state[0] += 1
        return state[0].to_bytes(4, "big") * (n // 4) + b"\0" * (n % 4)

    return rng


def issue(**overrides: Any) -> str:
    kwargs: dict[str, Any] = {
        "signer": ISSUER,
        "disclose": DISCLOSE,
        "holder_key": HOLDER.public,
        "vct": VCT,
        "issued_at": NOW - timedelta(days=1),
        "expires": NOW + timedelta(days=365),
    }
    kwargs.update(overrides)
    claims = kwargs.pop("claims", CLAIMS)
    return issue_sd_jwt(claims, **kwargs)


def present(issued: str | None = None, **overrides: Any) -> str:
    kwargs: dict[str, Any] = {
        "disclose": None,
        "holder": HOLDER,
        "audience": AUD,
        "nonce": NONCE,
        "issued_at": NOW,
    }
    kwargs.update(overrides)
    return present_sd_jwt(issued or issue(), **kwargs)


def verify(presentation: str, **overrides: Any) -> VerificationResult:
    kwargs: dict[str, Any] = {
        "issuer_key": ISSUER.public,
        "now": NOW,
        "audience": AUD,
        "nonce": NONCE,
    }
    kwargs.update(overrides)
    return verify_sd_jwt(presentation, **kwargs)


def forge(payload: dict[str, Any], disclosures: list[str], *, typ: str = "dc+sd-jwt") -> str:
    """Sign an arbitrary (possibly malformed) SD-JWT payload with the real issuer key."""
    token = sign_jwt({"typ": typ}, payload, ISSUER)
    return "~".join((token, *disclosures, ""))


def disclosure(name: str | None, value: Any, salt: str = "c2FsdHNhbHRzYWx0c2FsdA") -> Disclosure:
    return Disclosure.create(salt, name, value)


def base_payload(**extra: Any) -> dict[str, Any]:
    return {
        "iss": ISSUER.key_id.split("#")[0],
        "iat": int(NOW.timestamp()) - 60,
        "vct": VCT,
        "_sd_alg": "sha-256",
        "cnf": {"jwk": HOLDER.public.to_jwk()},
    } | extra


def failed(result: VerificationResult) -> dict[str, str | None]:
    """{check name: code} of the failed checks."""
    return {c.name: c.code for c in result.checks if c.status is CheckStatus.FAILED}


def status(result: VerificationResult) -> dict[str, str]:
    return {c.name: c.status.value for c in result.checks}
