"""The demo's wire tap and how it abridges what crossed the wire."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from aiohttp import web

from pidm_demo.wire import WireLog, abridge, offer_from_uri, redact, show


def test_redact_hides_bearer_secrets_at_any_depth() -> None:
    data = {"access_token": "abc", "token_type": "Bearer",
            "grants": [{"pre-authorized_code": "xyz", "tx_code": {"length": 6}}]}
    assert redact(data) == {"access_token": "«secret»", "token_type": "Bearer",
                            "grants": [{"pre-authorized_code": "«secret»",
                                        "tx_code": {"length": 6}}]}


def test_abridge_cuts_long_strings_and_says_how_long_they_were() -> None:
    assert abridge({"jwt": "e" * 100, "short": "ok"}, 10) == {
        "jwt": "eeeeeeeeee… (100 chars)", "short": "ok"}
    assert show({"c_nonce": "n" * 5, "access_token": "t" * 50}, 8) == (
        '{"c_nonce": "nnnnn", "access_token": "«secret»"}')


def test_offer_from_uri_reads_an_offer_by_value() -> None:
    offer = {"credential_issuer": "https://i.example", "credential_configuration_ids": ["a"]}
    uri = "openid-credential-offer://?credential_offer=" + quote(json.dumps(offer))
    assert offer_from_uri(uri) == offer


async def test_the_tap_records_requests_and_answers(aiohttp_client: Any) -> None:
    wire = WireLog()

    async def echo(request: web.Request) -> web.Response:
        return web.json_response({"got": (await request.read()).decode()}, status=201)

    app = web.Application(middlewares=[wire.middleware("svc")])
    app.router.add_post("/echo", echo)
    client = await aiohttp_client(app)
    answer = await client.post("/echo?x=1", json={"a": 1})
    assert answer.status == 201 and await answer.json() == {"got": '{"a": 1}'}
    [exchange] = wire.exchanges
    assert (exchange.service, exchange.method, exchange.path, exchange.status) == (
        "svc", "POST", "/echo?x=1", 201)
    assert exchange.request_json() == {"a": 1}
    assert exchange.response_json() == {"got": '{"a": 1}'}
    assert wire.find(0, "POST", "/ec") == [exchange] and wire.find(1, "POST", "/ec") == []
    await client.post("/echo", data="a=1&b=two",
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert wire.exchanges[1].request_json() == {"a": "1", "b": "two"}
    wire.recording = False
    await client.post("/echo", json={})
    assert len(wire.exchanges) == 2
