"""Verifier service fixtures: a real issuer (from ``issuer/``) and a real verifier trusting it,
both on 127.0.0.1, plus a wallet built from pidm functions and credentials it holds."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from pidm.keys import KeyPair
from tests.services.issuer.helpers import RunningIssuer, issue, start_issuer
from tests.services.verifier.helpers import RunningVerifier, Wallet, start_verifier

AGE = "age_over_18_sd_jwt"
CONTACT = "contact_profile_sd_jwt"
CONTACT_CLAIMS = {"given_name": "Ada", "family_name": "Lovelace", "email": "ada@example.org",
                  "phone_number": "+44 20 7946 0000", "postal_code": "SW1A 1AA"}


@dataclass
class Held:
    """A credential the wallet holds and the key it is bound to."""

    credential: str
    key: KeyPair


@pytest.fixture
async def issuer(tmp_path: Path) -> AsyncIterator[RunningIssuer]:
    running = await start_issuer(tmp_path / "issuer", store="issuer.db")
    try:
        yield running
    finally:
        await running.session.close()
        await running.stop()


@pytest.fixture
async def verifier(tmp_path: Path, issuer: RunningIssuer) -> AsyncIterator[RunningVerifier]:
    running = await start_verifier(tmp_path / "verifier", trust=[issuer.config.did])
    try:
        yield running
    finally:
        await running.stop()


@pytest.fixture
async def wallet() -> AsyncIterator[Wallet]:
    async with aiohttp.ClientSession() as session:
        yield Wallet(session)


async def hold(issuer: RunningIssuer, configuration: str, claims: dict[str, object]) -> Held:
    key = KeyPair.generate("Ed25519")
    [credential] = await issue(issuer, configuration, claims, [key])
    return Held(str(credential), key)


@pytest.fixture
async def age(issuer: RunningIssuer) -> Held:
    return await hold(issuer, AGE, {"age_over_18": True})


@pytest.fixture
async def contact(issuer: RunningIssuer) -> Held:
    return await hold(issuer, CONTACT, CONTACT_CLAIMS)
