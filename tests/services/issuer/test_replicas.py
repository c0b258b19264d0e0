"""Scale-out: two issuer applications (each with its own connection pool) on one PostgreSQL
schema. Wrong transaction codes are counted in the store, so alternating between replicas buys
an attacker no more than MAX_TX_ATTEMPTS guesses in all. A missing PostgreSQL server makes this
fail, never skip."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from issuer.service import MAX_TX_ATTEMPTS
from tests.services.issuer.helpers import PRE_AUTH, RunningIssuer, make_offer, start_issuer

CLAIMS = {"given_name": "Ada", "family_name": "Lovelace"}
SD = "loyalty_membership_sd_jwt"


@pytest.fixture
async def replicas(tmp_path: Path, pg_store: str
                   ) -> AsyncIterator[tuple[RunningIssuer, RunningIssuer]]:
    folder = tmp_path / "issuer"
    first = await start_issuer(folder, store=pg_store)
    second = await start_issuer(folder, store=pg_store, init=False)
    try:
        yield first, second
    finally:
        for replica in (second, first):
            await replica.session.close()
            await replica.stop()


async def _token(replica: RunningIssuer, offer: dict[str, Any], tx_code: str) -> tuple[int, Any]:
    """POST /token to this replica's own port (both share one config and public URL)."""
    form = {"grant_type": PRE_AUTH, "tx_code": tx_code,
            "pre-authorized_code": offer["grants"][PRE_AUTH]["pre-authorized_code"]}
    url = f"http://127.0.0.1:{replica.port}/token"
    async with replica.session.post(url, data=form) as r:
        return r.status, await r.json(content_type=None)


async def test_wrong_tx_codes_are_counted_across_replicas(
    replicas: tuple[RunningIssuer, RunningIssuer],
) -> None:
    first, second = replicas
    assert first.port != second.port
    created = await make_offer(first, [SD], CLAIMS, tx_code=True)
    wrong = [f"{n:06d}" for n in range(10) if f"{n:06d}" != created["tx_code"]]
    answers = []
    for n in range(MAX_TX_ATTEMPTS):
        status, body = await _token((first, second)[n % 2], created["offer"], wrong[n])
        answers.append((status, body["error"], body["error_description"]))
    wrong_code = (400, "invalid_grant", "the transaction code is wrong")
    void = (400, "invalid_grant", "too many wrong transaction codes; the offer is void")
    assert answers == [wrong_code] * (MAX_TX_ATTEMPTS - 1) + [void]
    for replica in (first, second):  # the right code no longer works on either replica
        status, body = await _token(replica, created["offer"], created["tx_code"])
        assert (status, body["error"]) == (400, "invalid_grant")
        assert "unknown, used or expired" in body["error_description"]


async def test_right_code_after_a_few_wrong_ones_still_redeems(
    replicas: tuple[RunningIssuer, RunningIssuer],
) -> None:
    first, second = replicas
    created = await make_offer(second, [SD], CLAIMS, tx_code=True)
    wrong = [f"{n:06d}" for n in range(10) if f"{n:06d}" != created["tx_code"]]
    for n in range(MAX_TX_ATTEMPTS - 1):
        status, _ = await _token((first, second)[n % 2], created["offer"], wrong[n])
        assert status == 400
    status, body = await _token(first, created["offer"], created["tx_code"])
    assert status == 200, body
    assert body["token_type"] == "Bearer" and body["access_token"]
