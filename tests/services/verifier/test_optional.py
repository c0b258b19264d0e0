"""A named request with optional parts (DCQL ``credential_sets`` with ``required = false`` and
``claim_sets``) over real HTTP: what is optional may be left out, what is required may not,
and nothing outside the query is accepted."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.services.issuer.helpers import RunningIssuer
from tests.services.verifier.conftest import Held
from tests.services.verifier.helpers import RunningVerifier, Wallet, start_verifier
from tests.services.verifier.test_presentations import assert_refused

OPTIONAL_REQUEST = """
[requests.optional_area]
purpose = "Prove you are over 18; your postcode (and email) only if you like."
retention = "P7D"

[[requests.optional_area.dcql_query.credentials]]
id = "age"
format = "dc+sd-jwt"
meta = { vct_values = ["urn:pidm:vct:age_over_18"] }
claims = [{ path = ["age_over_18"], values = [true] }]

[[requests.optional_area.dcql_query.credentials]]
id = "postcode"
format = "dc+sd-jwt"
meta = { vct_values = ["urn:pidm:vct:contact_profile"] }
claims = [{ id = "pc", path = ["postal_code"] }, { id = "em", path = ["email"] }]
claim_sets = [["pc", "em"], ["pc"]]

[[requests.optional_area.dcql_query.credential_sets]]
options = [["age"]]

[[requests.optional_area.dcql_query.credential_sets]]
options = [["postcode"]]
required = false
"""


@pytest.fixture
async def optional_verifier(tmp_path: Path, issuer: RunningIssuer
                            ) -> AsyncIterator[RunningVerifier]:
    running = await start_verifier(tmp_path / "optional", trust=[issuer.config.did],
                                   extra_config=OPTIONAL_REQUEST)
    try:
        yield running
    finally:
        await running.stop()


async def _answer(verifier: RunningVerifier, wallet: Wallet, age: Held | None, contact: Held,
                  contact_claims: Sequence[str] | None) -> tuple[int, Any, dict[str, Any]]:
    """Start an ``optional_area`` transaction and answer it with the age credential (unless
    ``age`` is None) and, unless ``contact_claims`` is None, the contact one disclosing them."""
    tx = await verifier.start("optional_area")
    now = verifier.clock.now()
    request = await wallet.fetch_request(tx["authorization_request"], now=now)
    token: dict[str, list[str]] = {}
    if age is not None:
        token["age"] = [Wallet.present(age.credential, age.key, request,
                                       disclose=["age_over_18"], now=now)]
    if contact_claims is not None:
        token["postcode"] = [Wallet.present(contact.credential, contact.key, request,
                                            disclose=contact_claims, now=now)]
    status, answer = await wallet.post(request, token)
    return status, answer, await verifier.transaction(tx["id"])


async def test_request_object_carries_the_optional_parts(
    optional_verifier: RunningVerifier, wallet: Wallet
) -> None:
    tx = await optional_verifier.start("optional_area")
    request = await wallet.fetch_request(tx["authorization_request"],
                                         now=optional_verifier.clock.now())
    query = request.dcql_query.to_json()
    assert query["credential_sets"] == [{"options": [["age"]]},
                                        {"options": [["postcode"]], "required": False}]
    assert query["credentials"][1]["claim_sets"] == [["pc", "em"], ["pc"]]
    assert request.terms.retention == "P7D" and request.terms.offer is None


async def test_accepts_without_the_optional_credential(
    optional_verifier: RunningVerifier, wallet: Wallet, age: Held, contact: Held
) -> None:
    status, answer, tx = await _answer(optional_verifier, wallet, age, contact, None)
    assert status == 200, answer
    assert tx["result"]["valid"] is True
    assert set(tx["result"]["claims"]) == {"age"}
    assert tx["result"]["claims"]["age"]["age_over_18"] is True
    subject = answer["receipt"]["credentialSubject"]
    assert [(r["credentialQuery"], r["claims"]) for r in subject["claimsReceived"]] == [
        ("age", ["age_over_18"])]
    assert "reward" not in subject and subject["retention"] == "P7D"


@pytest.mark.parametrize("disclosed", [["postal_code"], ["postal_code", "email"]])
async def test_accepts_either_claim_set_of_the_optional_credential(
    optional_verifier: RunningVerifier, wallet: Wallet, age: Held, contact: Held,
    disclosed: list[str],
) -> None:
    status, answer, tx = await _answer(optional_verifier, wallet, age, contact, disclosed)
    assert status == 200, answer
    postcode = tx["result"]["claims"]["postcode"]
    assert postcode["postal_code"] == "SW1A 1AA"
    assert ("email" in postcode) is ("email" in disclosed)
    assert "given_name" not in postcode
    received = answer["receipt"]["credentialSubject"]["claimsReceived"]
    assert received[1]["claims"] == sorted(disclosed)


async def test_rejects_missing_required_credential_even_with_the_optional_one(
    optional_verifier: RunningVerifier, wallet: Wallet, age: Held, contact: Held
) -> None:
    status, answer, tx = await _answer(optional_verifier, wallet, None, contact, ["postal_code"])
    assert_refused(status, answer, tx, "DCQL_NOT_SATISFIED")


async def test_rejects_optional_credential_matching_no_claim_set(
    optional_verifier: RunningVerifier, wallet: Wallet, age: Held, contact: Held
) -> None:
    status, answer, tx = await _answer(optional_verifier, wallet, age, contact, ["email"])
    assert_refused(status, answer, tx, "DCQL_NOT_SATISFIED")


async def test_rejects_a_claim_outside_the_query(
    optional_verifier: RunningVerifier, wallet: Wallet, age: Held, contact: Held
) -> None:
    status, answer, tx = await _answer(optional_verifier, wallet, age, contact,
                                       ["postal_code", "given_name"])
    assert_refused(status, answer, tx, "UNREQUESTED_DATA")
