"""SafeFetcher against a local aiohttp server (127.0.0.1, port 0) and its refusals."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult

from pidm.errors import FetchRefused, PayloadTooLarge
from pidm.net import Fetched, SafeFetcher, ip_is_public, parse_max_age


async def _hello(request: web.Request) -> web.Response:
    return web.json_response({"hello": "world"}, headers={"Cache-Control": "public, max-age=600"})


async def _big(request: web.Request) -> web.Response:
    return web.Response(body=b"x" * 5000, content_type="application/json")


async def _big_stream(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse()  # no Content-Length: chunked
    await response.prepare(request)
    for _ in range(100):
        await response.write(b"y" * 1000)
    await response.write_eof()
    return response


RELEASE = web.AppKey("release", asyncio.Event)


async def _slow(request: web.Request) -> web.Response:
    await asyncio.wait_for(request.app[RELEASE].wait(), 5)
    return web.Response(text="late")


async def _redirect(request: web.Request) -> web.Response:
    raise web.HTTPFound("/hello")


async def _missing(request: web.Request) -> web.Response:
    raise web.HTTPNotFound()


async def _gzip(request: web.Request) -> web.Response:
    return web.Response(body=b"\x1f\x8b", headers={"Content-Encoding": "gzip"})


@pytest.fixture
async def base_url() -> AsyncIterator[str]:
    app = web.Application()
    app[RELEASE] = asyncio.Event()
    app.router.add_get("/hello", _hello)
    app.router.add_get("/big", _big)
    app.router.add_get("/big-stream", _big_stream)
    app.router.add_get("/slow", _slow)
    app.router.add_get("/redirect", _redirect)
    app.router.add_get("/missing", _missing)
    app.router.add_get("/gzip", _gzip)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield f"http://127.0.0.1:{port}"
    app[RELEASE].set()
    await runner.cleanup()


LOCAL = {"allow_private": True, "allow_http": True}


async def test_fetches_body_and_max_age(base_url: str) -> None:
    fetched = await SafeFetcher(**LOCAL).get(base_url + "/hello")
    assert fetched == Fetched(
        url=base_url + "/hello",
        body=b'{"hello": "world"}',
        content_type="application/json; charset=utf-8",
        max_age=600,
    )
    assert await SafeFetcher(**LOCAL)(base_url + "/hello") == b'{"hello": "world"}'


async def test_shared_session(base_url: str) -> None:
    async with SafeFetcher(**LOCAL) as fetcher:
        bodies = await asyncio.gather(*(fetcher(base_url + "/hello") for _ in range(3)))
    assert bodies == [b'{"hello": "world"}'] * 3


async def test_rejects_private_address() -> None:
    for url in ("https://10.0.0.1/x", "https://192.168.1.1/", "https://[fd00::1]/",
                "https://169.254.169.254/latest/meta-data", "https://[::ffff:10.0.0.1]/",
                "https://224.0.0.1/", "https://0.0.0.0/", "https://240.0.0.1/"):
        with pytest.raises(FetchRefused) as info:
            await SafeFetcher().get(url)
        assert info.value.code == "FETCH_REFUSED"
        assert info.value.detail["reason"] == "private_address"


async def test_rejects_loopback(base_url: str) -> None:
    https_loopback = base_url.replace("http://", "https://")
    with pytest.raises(FetchRefused) as info:
        await SafeFetcher().get(https_loopback + "/hello")
    assert info.value.detail["reason"] == "private_address"
    # even with http allowed, loopback stays refused
    with pytest.raises(FetchRefused) as info:
        await SafeFetcher(allow_http=True).get(base_url + "/hello")
    assert info.value.detail["reason"] == "private_address"


async def test_rejects_name_resolving_to_loopback(base_url: str) -> None:
    port = base_url.rsplit(":", 1)[1]
    with pytest.raises(FetchRefused) as info:
        await SafeFetcher(allow_http=True).get(f"http://localhost:{port}/hello")
    assert info.value.code == "FETCH_REFUSED"
    assert info.value.detail["reason"] == "private_address"


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> list[tuple[object, ...]]:
    """For tests of refusals: any name lookup or outgoing connection fails the test, so a
    refusal is proven to happen before the network is touched."""
    attempts: list[tuple[object, ...]] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


class _Rebinding(AbstractResolver):
    """A DNS answer with one public and one private address (a rebinding attempt)."""

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        return [
            ResolveResult(hostname=host, host=ip, port=port, family=socket.AF_INET, proto=0,
                          flags=0)
            for ip in ("93.184.215.14", "127.0.0.1")  # never contacted: see `offline`
        ]

    async def close(self) -> None:
        return None


async def test_rejects_dns_answer_with_private_address(offline: list[object]) -> None:
    with pytest.raises(FetchRefused) as info:
        await SafeFetcher(resolver=_Rebinding()).get("https://rebind.test/did.json")
    assert "127.0.0.1" in str(info.value)
    assert offline == []


async def test_rejects_http(offline: list[object]) -> None:
    with pytest.raises(FetchRefused) as info:
        await SafeFetcher().get("http://example.com/did.json")
    assert info.value.detail["reason"] == "scheme"
    for url in ("file:///etc/passwd", "ftp://example.com/", "gopher://x/", "example.com"):
        with pytest.raises(FetchRefused):
            await SafeFetcher(allow_http=True).get(url)
    assert offline == []


async def test_rejects_credentials_in_url(offline: list[object]) -> None:
    with pytest.raises(FetchRefused):
        await SafeFetcher().get("https://user:pw@example.com/")
    assert offline == []


async def test_rejects_oversized_body(base_url: str) -> None:
    with pytest.raises(PayloadTooLarge) as info:
        await SafeFetcher(**LOCAL, max_bytes=1000).get(base_url + "/big")
    assert info.value.code == "PAYLOAD_TOO_LARGE"


async def test_rejects_oversized_streamed_body(base_url: str) -> None:
    with pytest.raises(PayloadTooLarge):
        await SafeFetcher(**LOCAL, max_bytes=10_000).get(base_url + "/big-stream")
    fetched = await SafeFetcher(**LOCAL, max_bytes=100_000).get(base_url + "/big-stream")
    assert fetched.body == b"y" * 100_000


async def test_rejects_slow_response(base_url: str) -> None:
    with pytest.raises(FetchRefused) as info:
        await SafeFetcher(**LOCAL, timeout=0.2).get(base_url + "/slow")
    assert "timeout" in str(info.value)
    assert info.value.detail["reason"] == "timeout"


async def test_rejects_redirect(base_url: str) -> None:
    with pytest.raises(FetchRefused) as info:
        await SafeFetcher(**LOCAL).get(base_url + "/redirect")
    assert info.value.detail == {"reason": "status", "status": 302}


async def test_rejects_error_status(base_url: str) -> None:
    with pytest.raises(FetchRefused) as info:
        await SafeFetcher(**LOCAL).get(base_url + "/missing")
    assert info.value.detail["status"] == 404


async def test_rejects_compressed_body(base_url: str) -> None:
    with pytest.raises(FetchRefused) as info:
        await SafeFetcher(**LOCAL).get(base_url + "/gzip")
    assert info.value.detail["reason"] == "encoding"


async def test_rejects_unreachable_port() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(FetchRefused) as info:
        await SafeFetcher(**LOCAL).get(f"http://127.0.0.1:{port}/")
    assert info.value.detail["reason"] == "connection"


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.215.14", True), ("2606:4700::1111", True), ("127.0.0.1", False),
        ("10.1.2.3", False), ("172.16.0.1", False), ("100.64.0.1", False), ("::1", False),
        ("fe80::1", False), ("ff02::1", False), ("::ffff:127.0.0.1", False),
        ("64:ff9b::a00:1", False), ("2002:7f00:1::", False), ("not-an-ip", False),
    ],
)
def test_ip_is_public(address: str, public: bool) -> None:
    assert ip_is_public(address) is public


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None), ("public, max-age=60", 60), ("max-age=0", 0), ("no-store", 0),
        ("no-cache, max-age=60", 0), ('max-age="30"', 30), ("s-maxage=5", None),
        ("max-age=abc", None), ("private", None),
    ],
)
def test_parse_max_age(header: str | None, expected: int | None) -> None:
    assert parse_max_age(header) == expected
