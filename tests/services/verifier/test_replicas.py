"""Scale-out: two verifier replicas on one PostgreSQL — two applications with their own
connection pools in this process, then two ``pidm verifier serve`` processes. A transaction
started on one is served, answered and verified on the other; the first replica then reports
the result, and a replay to either is refused. A missing PostgreSQL server makes this fail,
never skip."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import aiohttp
import pytest

from pidm.clock import FixedClock, SystemClock
from tests.services.issuer.helpers import RunningIssuer, start_issuer
from tests.services.verifier.conftest import AGE, CONTACT, CONTACT_CLAIMS, Held, hold
from tests.services.verifier.helpers import RunningVerifier, Wallet, start_verifier
from tests.services.verifier.test_cli import serving
from tests.services.verifier.test_presentations import default_token
from verifier.config import load_config
from verifier.init import init_verifier


@pytest.fixture
async def replicas(tmp_path: Path, issuer: RunningIssuer, pg_store: str
                   ) -> AsyncIterator[tuple[RunningVerifier, RunningVerifier]]:
    folder = tmp_path / "verifier"
    first = await start_verifier(folder, trust=[issuer.config.did], store=pg_store)
    second = await start_verifier(folder, trust=[], init=False)
    try:
        yield first, second
    finally:
        await second.stop()
        await first.stop()


def _on(replica: RunningVerifier, url: str, origin: str) -> str:
    return url.replace(origin, f"http://127.0.0.1:{replica.port}")


async def test_response_posted_to_the_other_replica_verifies(
    replicas: tuple[RunningVerifier, RunningVerifier], wallet: Wallet, age: Held, contact: Held
) -> None:
    first, second = replicas
    assert first.config.store_dsn == second.config.store_dsn
    assert first.config.store_dsn.startswith("postgresql://")
    tx = await first.start()
    origin = first.url
    uri = tx["authorization_request"].replace("%3A" + str(first.port), "%3A" + str(second.port))
    request = await wallet.fetch_request(uri, now=second.clock.now())
    assert request.response_uri == origin + "/response"
    token = default_token(age, contact, second.clock.now())(request)
    on_second = replace(request, response_uri=_on(second, request.response_uri, origin))
    status, answer = await wallet.post(on_second, token)
    assert status == 200, answer
    assert answer["receipt"]["credentialSubject"]["transactionId"] == tx["id"]
    done = await first.transaction(tx["id"])
    assert done["status"] == "done" and done["result"]["valid"] is True
    assert done["result"]["claims"]["postcode"]["postal_code"] == "SW1A 1AA"
    for replica in (first, second):
        replayed = replace(request, response_uri=_on(replica, request.response_uri, origin))
        status, answer = await wallet.post(replayed, token)
        assert status == 400
        assert answer["error_description"].startswith("NONCE_REPLAYED")


async def test_two_verifier_processes_share_one_database(
    tmp_path: Path, pg_store: str, wallet: Wallet
) -> None:
    """The same, with each replica a separate ``pidm verifier serve`` process."""
    now = SystemClock().now()
    issuer = await start_issuer(tmp_path / "issuer", store="issuer.db", clock=FixedClock(now))
    try:
        age = await hold(issuer, AGE, {"age_over_18": True})
        contact = await hold(issuer, CONTACT, CONTACT_CLAIMS)
        result = init_verifier(tmp_path / "verifier", did_method="key",
                               issuers=[issuer.config.did], store=pg_store)
        config = load_config(result.config_path)
        admin = {"Authorization": f"Bearer {config.admin_token}"}
        async with serving(result.config_path) as first, serving(result.config_path) as second, \
                aiohttp.ClientSession() as session:
            async with session.post(first + "/admin/transactions", headers=admin,
                                    json={"request": "age_and_area"}) as r:
                assert r.status == 201
                tx = await r.json()
            uri = tx["authorization_request"].replace(
                "127.0.0.1%3A8081", second.removeprefix("http://").replace(":", "%3A"))
            request = await wallet.fetch_request(uri, now=SystemClock().now())
            token = default_token(age, contact, SystemClock().now())(request)
            to_second = replace(request, response_uri=second + "/response")
            status, answer = await wallet.post(to_second, token)
            assert status == 200, answer
            async with session.get(first + f"/admin/transactions/{tx['id']}",
                                   headers=admin) as r:
                done = await r.json()
            assert done["status"] == "done" and done["result"]["valid"] is True
            assert done["result"]["receipt"] == answer["receipt"]
            status, answer = await wallet.post(replace(request,
                                                       response_uri=first + "/response"), token)
            assert status == 400 and answer["error_description"].startswith("NONCE_REPLAYED")
    finally:
        await issuer.session.close()
        await issuer.stop()
