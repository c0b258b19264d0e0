"""A presentation request whose request_uri answers something other than a request object (a
web page, a JSON document of some other server) is one clear INVALID_AUTHORIZATION_REQUEST, not
a JWS parsing error, and nothing is recorded."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner, Result

from pidm.cli import main
from pidm.clock import SystemClock
from tests.wallet.services import Service, start_issuer

PASS = "not pidm passphrase"


@pytest.fixture
async def issuer(tmp_path: Path) -> AsyncIterator[Service]:
    service = await start_issuer(tmp_path / "issuer", SystemClock())
    yield service
    await service.stop()


async def _wallet(env: dict[str, str], *args: str) -> Result:
    return await asyncio.to_thread(CliRunner().invoke, main, ["wallet", *args], env=env,
                                   catch_exceptions=False)


async def test_request_uri_of_a_server_that_is_no_verifier(
    issuer: Service, tmp_path: Path
) -> None:
    env = {"PIDM_WALLET": str(tmp_path / "wallet"), "PIDM_WALLET_PASSPHRASE": PASS,
           "PIDM_WALLET_ALLOW_PRIVATE": "1", "PIDM_WALLET_ALLOW_HTTP": "1", "COLUMNS": "200"}
    assert (await _wallet(env, "init", "--kdf", "minimum")).exit_code == 0
    not_a_request = issuer.url + "/openapi.json"
    client_id = quote(f"decentralized_identifier:{issuer.did}", safe="")
    for request in (f"openid4vp://?client_id={client_id}&request_uri={quote(not_a_request)}",
                    not_a_request):
        result = await _wallet(env, "present", "--yes", request)
        assert result.exit_code == 2
        assert result.stderr.startswith(
            "error: INVALID_AUTHORIZATION_REQUEST: the request_uri answered application/json, "
            "not a signed request object (application/oauth-authz-req+jwt): {")
        assert len(result.stderr.splitlines()) == 1
    history = await _wallet(env, "history", "--json")
    assert history.stdout.strip() == "[]"
