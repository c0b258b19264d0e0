"""Webhooks: a finished transaction's result is POSTed to the configured URL in the background
(the wallet's answer never waits for it); a failing webhook is retried later, never raised."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from aiohttp import web

from pidm.clock import FixedClock
from tests.services.issuer.helpers import T0, bound_socket
from tests.services.verifier.helpers import RunningVerifier, start_verifier
from verifier.app import Deps
from verifier.webhooks import (
    retry_delay,
    sign_webhook,
    verify_webhook_signature,
    webhook_secret,
)


class Hook:
    """A marketer's webhook endpoint on loopback that records what it receives."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.raw: list[tuple[bytes, str]] = []
        self.status = 204
        self.arrived = asyncio.Event()

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.raw.append((body, request.headers.get("Pidm-Signature", "")))
        self.received.append(json.loads(body))
        self.arrived.set()
        return web.Response(status=self.status)


@pytest.fixture
async def hook() -> AsyncIterator[tuple[Hook, str]]:
    target = Hook()
    app = web.Application()
    app.router.add_post("/hook", target.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    sock = bound_socket()
    await web.SockSite(runner, sock).start()
    yield target, f"http://127.0.0.1:{sock.getsockname()[1]}/hook"
    await runner.cleanup()


async def _verifier(tmp_path: Path, url: str, clock: FixedClock) -> RunningVerifier:
    return await start_verifier(
        tmp_path / "verifier", trust=["did:web:issuer.example"], clock=clock,
        replace={'# webhook_url = "https://shop.example/pidm-results"': f'webhook_url = "{url}"'},
        deps=Deps(clock=clock, webhook_poll=0.05),
    )


async def _refuse(verifier: RunningVerifier) -> str:
    tx = await verifier.start()
    state = tx["request_uri"].rsplit("/", 1)[1]
    body = urlencode({"error": "access_denied", "state": state})
    status, _, _ = await verifier.call(
        "POST", "/response", data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200
    return str(tx["id"])


async def test_result_is_posted_to_the_webhook(tmp_path: Path, hook: tuple[Hook, str]) -> None:
    target, url = hook
    verifier = await _verifier(tmp_path, url, FixedClock(T0))
    try:
        tx_id = await _refuse(verifier)
        await asyncio.wait_for(target.arrived.wait(), 5)
    finally:
        await verifier.stop()
    [delivery] = target.received
    [(body, signature)] = target.raw
    now = int(T0.timestamp())
    secret = webhook_secret(verifier.config.admin_token)
    assert len(secret) == 64 and secret != verifier.config.admin_token
    assert signature == sign_webhook(secret, now, body)
    assert verify_webhook_signature(secret, signature, body, now=now)
    # the receiver holds a key that is not the admin token, and the token does not verify
    assert not verify_webhook_signature(verifier.config.admin_token, signature, body, now=now)
    assert delivery["transaction"] == tx_id
    assert delivery["result"]["valid"] is False
    assert delivery["result"]["checks"][0]["code"] == "CONSENT_REFUSED"


async def test_failing_webhook_is_retried(tmp_path: Path, hook: tuple[Hook, str]) -> None:
    target, url = hook
    target.status = 500
    clock = FixedClock(T0)
    verifier = await _verifier(tmp_path, url, clock)
    try:
        await _refuse(verifier)
        await asyncio.wait_for(target.arrived.wait(), 5)
        target.arrived.clear()
        target.status = 200
        await asyncio.sleep(0.2)
        assert len(target.received) == 1  # not due again yet
        clock.advance(timedelta(seconds=6))
        await asyncio.wait_for(target.arrived.wait(), 5)
    finally:
        await verifier.stop()
    assert len(target.received) == 2
    assert target.received[0] == target.received[1]


def test_retry_schedule_gives_up() -> None:
    assert retry_delay(1) == timedelta(seconds=5)
    assert retry_delay(5) == timedelta(hours=1)
    assert retry_delay(6) is None


def test_webhook_signature_detects_forgery_and_staleness() -> None:
    secret, body = "s" * 43, b'{"transaction": "t1", "result": {"valid": true}}'
    header = sign_webhook(secret, 1_800_000_000, body)
    assert header.startswith("t=1800000000,v1=") and len(header) == len("t=1800000000,v1=") + 64
    assert verify_webhook_signature(secret, header, body, now=1_800_000_100)
    assert not verify_webhook_signature(secret, header, body.replace(b"true", b"false"),
                                        now=1_800_000_100)
    assert not verify_webhook_signature("x" * 43, header, body, now=1_800_000_100)
    assert not verify_webhook_signature(secret, header, body, now=1_800_000_301)
    # "\u00b2" is a digit to str.isdigit() but not to int() (a latin-1 header byte 0xB2)
    for bad in ("", "t=,v1=", "v1=00", "t=-5,v1=" + "0" * 64, "t=1800000000",
                "t=\u00b2,v1=" + "0" * 64, "t=\u0661\u0662,v1=" + "0" * 64):
        assert not verify_webhook_signature(secret, bad, body, now=1_800_000_000), bad


def test_webhook_secret_is_derived_from_the_admin_token_and_printed_by_the_cli(
    tmp_path: Path
) -> None:
    import hashlib
    import hmac

    from click.testing import CliRunner

    from pidm.cli import main
    from verifier.config import load_config
    from verifier.init import init_verifier

    result = init_verifier(tmp_path)
    token = load_config(result.config_path).admin_token
    expected = hmac.new(token.encode(), b"pidm webhook signing key v1", hashlib.sha256).hexdigest()
    assert webhook_secret(token) == expected
    printed = CliRunner().invoke(main, ["verifier", "webhook-secret", "--config",
                                        str(result.config_path)])
    assert (printed.exit_code, printed.stdout) == (0, expected + "\n")
    missing = CliRunner().invoke(main, ["verifier", "webhook-secret", "--config",
                                        str(tmp_path / "nope.toml")])
    assert missing.exit_code == 2 and "CONFIG_ERROR" in missing.stderr
