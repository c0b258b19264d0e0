"""did:web URL mapping (the spec's examples) and resolution through a Fetcher."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from pidm.did.key import did_key
from pidm.did.resolver import MethodRouter, resolve_method
from pidm.did.web import did_web_to_url, resolve_did_web, url_to_did_web
from pidm.errors import DIDNotFound, FetchRefused, InvalidDID, MalformedValueError, ParsingError
from pidm.keys import KeyPair
from pidm.net import SafeFetcher
from pidm.testing import DictFetcher

PAIR = KeyPair.generate("Ed25519", rng=lambda n: b"\x05" * n)

SPEC_EXAMPLES = [
    ("did:web:w3c-ccg.github.io", "https://w3c-ccg.github.io/.well-known/did.json"),
    ("did:web:w3c-ccg.github.io:user:alice", "https://w3c-ccg.github.io/user/alice/did.json"),
    ("did:web:example.com%3A3000:user:alice", "https://example.com:3000/user/alice/did.json"),
    ("did:web:example.com%3A3000", "https://example.com:3000/.well-known/did.json"),
]


@pytest.mark.parametrize(("did", "url"), SPEC_EXAMPLES)
def test_did_to_url(did: str, url: str) -> None:
    assert did_web_to_url(did) == url


@pytest.mark.parametrize(("did", "url"), SPEC_EXAMPLES)
def test_url_to_did(did: str, url: str) -> None:
    assert url_to_did_web(url) == did


@pytest.mark.parametrize(
    ("url", "did"),
    [
        ("https://example.com", "did:web:example.com"),
        ("https://example.com/", "did:web:example.com"),
        ("https://Example.COM/issuers/1/", "did:web:example.com:issuers:1"),
        ("https://example.com/a%20b/did.json", "did:web:example.com:a%20b"),
        ("https://example.com/caf%C3%A9", "did:web:example.com:caf%C3%A9"),
        ("http://127.0.0.1:8080/issuer", "did:web:127.0.0.1%3A8080:issuer"),
    ],
)
def test_url_to_did_variants(url: str, did: str) -> None:
    assert url_to_did_web(url) == did


def test_percent_encoded_segments_are_kept() -> None:
    assert did_web_to_url("did:web:example.com:a%20b") == "https://example.com/a%20b/did.json"


@pytest.mark.parametrize(
    "did",
    [
        "did:web:example.com:",  # DID grammar: no trailing colon
        "did:web:example.com::a",  # empty segment
        "did:web:exa_mple.com",  # not a hostname
        "did:web:-example.com",
        "did:web:example.com%3A",
        "did:web:example.com%3A99999",
        "did:web:example.com%3Aabc",
        "did:web:example.com:..",
        "did:web:example.com:%2E%2E",
        "did:web:example.com:a%2Fb",
        "did:web:example.com%2F..",
        "did:key:z6Mk",
    ],
)
def test_rejects_bad_did_web(did: str) -> None:
    with pytest.raises(InvalidDID):
        did_web_to_url(did)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/",
        "https://user:pw@example.com/",
        "https://example.com/?q=1",
        "https://example.com/#f",
        "https://exa_mple.com/",
        "https://example.com:99999/",
        "https:///path",
        "https://example.com/%2E%2E/did.json",
    ],
)
def test_rejects_bad_url(url: str) -> None:
    with pytest.raises(InvalidDID):
        url_to_did_web(url)


def _doc(did: str) -> dict[str, Any]:
    vm_id = did + "#key-1"
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [{"id": vm_id, "type": "Multikey", "controller": did,
                                "publicKeyMultibase": PAIR.public.to_multikey()}],
        "assertionMethod": ["#key-1"],
    }


async def test_resolves_through_fetcher() -> None:
    did = "did:web:issuer.example:tenants:7"
    fetcher = DictFetcher({"https://issuer.example/tenants/7/did.json":
                           json.dumps(_doc(did)).encode()})
    doc = await resolve_did_web(did, fetcher)
    assert doc.id == did
    assert doc.authorized(did + "#key-1", "assertionMethod").public_key == PAIR.public
    assert fetcher.requests == ["https://issuer.example/tenants/7/did.json"]
    vm = await resolve_method(MethodRouter(fetcher), did + "#key-1", "assertionMethod")
    assert vm.public_key == PAIR.public


async def test_rejects_document_with_other_id() -> None:
    did = "did:web:issuer.example"
    body = json.dumps(_doc("did:web:evil.example")).encode()
    fetcher = DictFetcher({"https://issuer.example/.well-known/did.json": body})
    with pytest.raises(InvalidDID) as info:
        await resolve_did_web(did, fetcher)
    assert "does not match" in str(info.value)


async def test_missing_document_is_not_found() -> None:
    with pytest.raises(DIDNotFound) as info:
        await resolve_did_web("did:web:issuer.example", DictFetcher({}))
    assert info.value.code == "DID_NOT_FOUND"


async def test_rejects_non_json_and_non_object() -> None:
    url = "https://issuer.example/.well-known/did.json"
    with pytest.raises(ParsingError):
        await resolve_did_web("did:web:issuer.example", DictFetcher({url: b"<html>"}))
    with pytest.raises(MalformedValueError):
        await resolve_did_web("did:web:issuer.example", DictFetcher({url: b"[]"}))
    for constant in ("NaN", "Infinity", "-Infinity", "1e999"):
        body = b'{"id": "did:web:issuer.example", "x": ' + constant.encode() + b"}"
        with pytest.raises(ParsingError):
            await resolve_did_web("did:web:issuer.example", DictFetcher({url: body}))


async def test_other_fetch_errors_propagate() -> None:
    async def refusing(url: str) -> bytes:
        raise FetchRefused("nope", detail={"reason": "private_address"})

    with pytest.raises(FetchRefused):
        await resolve_did_web("did:web:issuer.example", refusing)


@pytest.fixture
async def server() -> AsyncIterator[tuple[str, str]]:
    """A did:web host on 127.0.0.1 serving /issuer/did.json; yields (did, base URL)."""
    app = web.Application()
    state: dict[str, str] = {}

    async def handler(request: web.Request) -> web.Response:
        return web.json_response(_doc(state["did"]))

    app.router.add_get("/issuer/did.json", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    base = f"http://127.0.0.1:{port}"
    state["did"] = url_to_did_web(base + "/issuer")
    yield state["did"], base
    await runner.cleanup()


async def test_resolves_from_local_server(server: tuple[str, str]) -> None:
    did, _ = server
    router = MethodRouter(SafeFetcher(allow_private=True, allow_http=True), web_scheme="http")
    vm = await resolve_method(router, did + "#key-1", "assertionMethod")
    assert vm.public_key == PAIR.public
    assert (await router.resolve(did_key(PAIR.public))).id == did_key(PAIR.public)


async def test_default_fetcher_refuses_local_server(server: tuple[str, str]) -> None:
    did, _ = server
    with pytest.raises(FetchRefused):
        await MethodRouter(SafeFetcher()).resolve(did)
