"""A client that closes the connection in the middle of its request body is no server bug:
one INFO line, no traceback, no 'unhandled error' — on both services."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from tests.services.issuer.helpers import start_issuer
from tests.services.verifier.helpers import start_verifier


async def _leave_mid_body(url: str, path: str, headers: bytes = b"") -> None:
    host, port = url.removeprefix("http://").rsplit(":", 1)
    form = path in ("/token", "/response")
    kind = b"application/x-www-form-urlencoded" if form else b"application/json"
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(b"POST " + path.encode() + b" HTTP/1.1\r\nHost: x\r\n" + headers +
                 b"Content-Type: " + kind + b"\r\nContent-Length: 1000\r\n\r\n" +
                 (b"state=" if form else b'{"a":'))
    await writer.drain()
    await asyncio.sleep(0.1)
    writer.close()
    await writer.wait_closed()
    await asyncio.sleep(0.3)  # let the server notice


@pytest.mark.parametrize("service", ["issuer", "verifier"])
async def test_a_client_leaving_mid_body_is_logged_without_a_traceback(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, service: str
) -> None:
    caplog.set_level(logging.INFO, logger=service)
    if service == "issuer":
        running = await start_issuer(tmp_path / "issuer", store="issuer.db")
        url, token = running.url, running.config.admin_token
        stop = running.stop
        paths = ["/token", "/admin/offers"]
    else:
        verifier = await start_verifier(tmp_path / "verifier", trust=["did:web:issuer.example"])
        url, token = verifier.url, verifier.config.admin_token
        stop = verifier.stop
        paths = ["/response", "/admin/transactions"]
    try:
        for path in paths:
            await _leave_mid_body(url, path, b"Authorization: Bearer " + token.encode() + b"\r\n")
    finally:
        if service == "issuer":
            await running.session.close()
        await stop()
    records = [r for r in caplog.records if r.name == service]
    assert [r.levelname for r in records] == ["INFO", "INFO"]
    assert [r.getMessage() for r in records] == [
        f"client closed the connection during POST {path}" for path in paths]
    assert not any(r.exc_info for r in records)
