"""A presentation request whose request_uri answers something other than a request object (a
web page, a JSON document of some other server) is one clear INVALID_AUTHORIZATION_REQUEST, not
a JWS parsing error, and nothing is recorded."""

from __future__ import annotations

import asyncio
import socket
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


async def test_unreachable_servers_are_named_in_words(tmp_path: Path) -> None:
    env = {"PIDM_WALLET": str(tmp_path / "wallet"), "PIDM_WALLET_PASSPHRASE": PASS,
           "PIDM_WALLET_ALLOW_PRIVATE": "1", "PIDM_WALLET_ALLOW_HTTP": "1", "COLUMNS": "200"}
    assert (await _wallet(env, "init", "--kdf", "minimum")).exit_code == 0
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    refused = await _wallet(env, "present", "--yes", f"http://127.0.0.1:{closed}/request/x")
    assert refused.exit_code == 2
    assert refused.stderr == (f"error: FETCH_REFUSED: could not reach "
                              f"'http://127.0.0.1:{closed}/request/x': Connection refused\n")

    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readline()
        writer.close()

    server = await asyncio.start_server(hang_up, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        dropped = await _wallet(env, "present", "--yes", f"http://127.0.0.1:{port}/request/x")
    finally:
        server.close()
        await server.wait_closed()
    assert dropped.exit_code == 2
    assert dropped.stderr == (f"error: FETCH_REFUSED: could not reach "
                              f"'http://127.0.0.1:{port}/request/x': the server closed the "
                              "connection without an answer\n")


def test_server_text_in_messages_cannot_drive_the_terminal() -> None:
    # A verifier's error page is echoed in the message: escape sequences (clear screen, retitle
    # the window, hide text) and bidi overrides are shown escaped, not sent to the terminal.
    from wallet.authorization import _excerpt

    page = "<h1>Gone</h1>\x1b[2J\x1b]0;pwned\x07 caf\u00e9 \u202eevil\x7f"
    assert _excerpt(page) == "<h1>Gone</h1>\\x1b[2J\\x1b]0;pwned\\x07 caf\u00e9 \\u202eevil\\x7f"
    assert _excerpt("a\n\t b") == "a b"
