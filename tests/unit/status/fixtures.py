"""Shared builders for status tests: an issuer with a did:key, its lists, and a fake fetcher."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pidm.did.key import did_key, did_key_vm_id
from pidm.errors import ProofVerificationError
from pidm.keys import KeyPair
from pidm.net import Fetched
from pidm.status.bitstring import encode_bitstring, new_bitstring
from pidm.status.bitstring_vc import status_list_credential
from pidm.status.packed import MutableStatusList
from pidm.status.token import new_token_list, sign_status_list_token, status_list_token_claims

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
W3C_URL = "https://issuer.example/status/1"
TOKEN_URI = "https://issuer.example/statuslists/1"


def fake_proof(doc: dict[str, Any], signer: KeyPair) -> dict[str, Any]:
    """A stand-in proof: 'verifies' when its value names the signer's public key."""
    proof = {
        "type": "DataIntegrityProof",
        "verificationMethod": did_key_vm_id(signer.public),
        "proofValue": "ok:" + signer.public.to_multikey(),
    }
    return {**doc, "proof": proof}


async def check_fake_proof(doc: dict[str, Any], now: datetime) -> None:
    proof = doc["proof"]
    if proof.get("proofValue") != "ok:" + proof["verificationMethod"].split("#")[1]:
        raise ProofVerificationError("fake proof does not verify")


@dataclass
class Issuer:
    """An issuer with one key, publishing one W3C list and one token list."""

    key: KeyPair = field(default_factory=lambda: _key())
    w3c: MutableStatusList = field(default_factory=lambda: new_bitstring())
    token: MutableStatusList = field(default_factory=lambda: new_token_list(1 << 17, 2))

    @property
    def did(self) -> str:
        return did_key(self.key.public)

    def w3c_doc(
        self,
        *,
        purpose: str | list[str] = "revocation",
        issuer: str | None = None,
        signer: KeyPair | None = None,
        valid_until: datetime | None = None,
        ttl_ms: int | None = None,
        encoded: str | None = None,
    ) -> dict[str, Any]:
        doc = status_list_credential(
            url=W3C_URL,
            issuer=issuer or self.did,
            purpose=purpose,
            encoded_list=encoded or encode_bitstring(self.w3c),
            valid_from=NOW - timedelta(days=1),
            valid_until=valid_until,
            ttl_ms=ttl_ms,
        )
        return fake_proof(doc, signer or self.key)

    def token_jwt(
        self,
        *,
        uri: str = TOKEN_URI,
        exp: datetime | None = None,
        ttl: int | None = 600,
        signer: KeyPair | None = None,
    ) -> str:
        key = signer or self.key
        claims = status_list_token_claims(
            uri=uri,
            status_list=self.token,
            iat=int(NOW.timestamp()) - 60,
            exp=int((exp or NOW + timedelta(days=1)).timestamp()),
            ttl=ttl,
            iss=did_key(key.public),
        )
        return sign_status_list_token(claims, key.with_key_id(did_key_vm_id(key.public)))


def _key() -> KeyPair:
    return KeyPair.generate("Ed25519")


def w3c_body(doc: dict[str, Any], max_age: int | None = None) -> Fetched:
    return Fetched(W3C_URL, json.dumps(doc).encode(), "application/vc+ld+json", max_age)


def token_body(jwt: str, uri: str = TOKEN_URI, max_age: int | None = None) -> Fetched:
    return Fetched(uri, jwt.encode(), "application/statuslist+jwt", max_age)


class FakeMonotonic:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t
