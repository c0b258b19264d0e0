"""Hostile DIDs, DID URLs and did:web hosts: every class gets a coded error, in bounded time."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from hypothesis import given, settings
from hypothesis import strategies as st

from pidm.did.jwk import did_jwk_document
from pidm.did.key import did_key, did_key_document, did_key_vm_id
from pidm.did.model import DIDDocument
from pidm.did.resolver import CachingResolver, MethodRouter, StaticResolver, resolve_method
from pidm.did.web import did_web_to_url, resolve_did_web, url_to_did_web
from pidm.encoding import b64url_encode, multibase_encode, multicodec_wrap
from pidm.errors import (
    FetchRefused,
    InvalidDID,
    PayloadTooLarge,
    PidmError,
    UnsupportedAlgorithm,
    VerificationMethodNotFound,
)
from pidm.keys import KeyPair, NoEncryption
from pidm.net import SafeFetcher
from pidm.testing import DictFetcher

PAIR = KeyPair.generate("Ed25519", rng=lambda n: b"\x11" * n)
WEB = "did:web:issuer.example"
WEB_URL = "https://issuer.example/.well-known/did.json"


def _web_doc(did: str = WEB, **extra: Any) -> dict[str, Any]:
    vm = {"id": did + "#k", "type": "Multikey", "controller": did,
          "publicKeyMultibase": PAIR.public.to_multikey()}
    return {"id": did, "verificationMethod": [vm], "assertionMethod": ["#k"], **extra}


def test_rejects_oversized_did() -> None:
    with pytest.raises(InvalidDID):
        did_key_document("did:key:z" + "6" * 10_000)
    with pytest.raises(InvalidDID):
        did_key_document("did:key:z" + "6" * 3000)  # under DID limit, over the did:key limit
    with pytest.raises(InvalidDID):
        did_jwk_document("did:jwk:" + "A" * 5000)


def test_rejects_non_string_did() -> None:
    for value in (None, 42, b"did:key:z6Mk", ["did:key:z6Mk"]):
        with pytest.raises(InvalidDID):
            did_key_document(value)  # type: ignore[arg-type]


async def test_rejects_non_string_did_url() -> None:
    with pytest.raises(InvalidDID):
        await resolve_method(MethodRouter(), None)  # type: ignore[arg-type]


def test_rejects_did_key_with_trailing_bytes() -> None:
    value = multibase_encode(multicodec_wrap(0xED, PAIR.public.raw + b"\x00"))
    with pytest.raises(InvalidDID):
        did_key_document("did:key:" + value)


def test_rejects_did_key_overlong_varint() -> None:
    value = multibase_encode(b"\xed\x81\x00" + PAIR.public.raw)  # non-minimal varint
    with pytest.raises(PidmError) as info:
        did_key_document("did:key:" + value)
    assert info.value.code in ("INVALID_DID", "UNSUPPORTED_ALGORITHM")


def test_rejects_did_key_private_key_multicodec() -> None:
    secret = PAIR.export_secret_multikey(encrypt_with=NoEncryption())
    with pytest.raises(InvalidDID):
        did_key_document("did:key:" + secret)


def test_rejects_did_jwk_private_key() -> None:
    jwk = PAIR.export_private_jwk(encrypt_with=NoEncryption())
    with pytest.raises(InvalidDID):
        did_jwk_document("did:jwk:" + b64url_encode(json.dumps(jwk).encode()))


def test_rejects_did_jwk_deep_nesting() -> None:
    with pytest.raises(InvalidDID):
        did_jwk_document("did:jwk:" + b64url_encode(b"[" * 1500))


def test_rejects_did_jwk_x25519_for_signatures() -> None:
    jwk = {"kty": "OKP", "crv": "X25519", "x": b64url_encode(bytes(32))}
    did = "did:jwk:" + b64url_encode(json.dumps(jwk).encode())
    doc = did_jwk_document(did)
    with pytest.raises(VerificationMethodNotFound):
        doc.authorized(did + "#0", "assertionMethod")


def test_rejects_did_key_unsupported_curve() -> None:
    with pytest.raises(UnsupportedAlgorithm):
        did_key_document("did:key:" + multibase_encode(multicodec_wrap(0x1202, bytes(67))))


async def test_rejects_wrong_relationship() -> None:
    doc = {**_web_doc(), "assertionMethod": [], "keyAgreement": ["#k"]}
    resolver = StaticResolver({WEB: doc})
    with pytest.raises(VerificationMethodNotFound) as info:
        await resolve_method(resolver, WEB + "#k", "assertionMethod")
    assert info.value.code == "VERIFICATION_METHOD_NOT_FOUND"


async def test_rejects_foreign_controller() -> None:
    """A method in WEB's document that another DID controls does not speak for WEB."""
    doc = _web_doc()
    doc["verificationMethod"][0]["controller"] = did_key(PAIR.public)
    with pytest.raises(VerificationMethodNotFound):
        await resolve_method(StaticResolver({WEB: doc}), WEB + "#k", "assertionMethod")


async def test_rejects_method_listed_only_in_relationship_of_other_did() -> None:
    other = did_key_vm_id(PAIR.public)
    resolver = StaticResolver({WEB: {**_web_doc(), "assertionMethod": [other]}})
    with pytest.raises(VerificationMethodNotFound):
        await resolve_method(resolver, WEB + "#k", "assertionMethod")


async def test_rejects_substituted_document() -> None:
    """A resolver answering with another DID's document must not be believed."""
    resolver = StaticResolver({WEB: _web_doc("did:web:evil.example")})
    with pytest.raises(InvalidDID):
        await resolve_method(resolver, WEB + "#k")


async def test_rejects_did_web_id_mismatch() -> None:
    fetcher = DictFetcher({WEB_URL: json.dumps(_web_doc("did:web:evil.example")).encode()})
    with pytest.raises(InvalidDID):
        await resolve_did_web(WEB, fetcher)


async def test_rejects_did_web_deep_json() -> None:
    fetcher = DictFetcher({WEB_URL: b"[" * 100_000})
    with pytest.raises(PidmError) as info:
        await resolve_did_web(WEB, fetcher)
    assert info.value.code == "PARSING_ERROR"


async def test_rejects_did_web_oversized_document() -> None:
    body = json.dumps(_web_doc(padding="x" * 2_000_000)).encode()
    with pytest.raises(PayloadTooLarge):
        await resolve_did_web(WEB, DictFetcher({WEB_URL: body}))


async def test_did_web_many_methods_are_capped() -> None:
    vms = [{"id": f"{WEB}#k{i}", "type": "Multikey", "controller": WEB,
            "publicKeyMultibase": PAIR.public.to_multikey()} for i in range(500)]
    body = json.dumps({"id": WEB, "verificationMethod": vms}).encode()
    doc = await resolve_did_web(WEB, DictFetcher({WEB_URL: body}))
    assert len(doc.verification_methods) == 64


@pytest.mark.parametrize(
    "did",
    [
        "did:web:169.254.169.254",  # cloud metadata
        "did:web:127.0.0.1",
        "did:web:10.0.0.8%3A8080:admin",
        "did:web:0.0.0.0",
    ],
)
async def test_rejects_did_web_private_address(did: str) -> None:
    with pytest.raises(FetchRefused) as info:
        await MethodRouter(SafeFetcher()).resolve(did)
    assert info.value.detail["reason"] == "private_address"


async def test_rejects_did_web_localhost_name() -> None:
    with pytest.raises(FetchRefused):
        await MethodRouter(SafeFetcher()).resolve("did:web:localhost%3A9")


@pytest.mark.parametrize(
    "did",
    ["did:web:example.com:..", "did:web:example.com:%2E%2E:x", "did:web:example.com:a%2F..",
     "did:web:example.com%40evil.com", "did:web:example.com%2Fevil"],
)
def test_rejects_did_web_path_traversal(did: str) -> None:
    with pytest.raises(InvalidDID):
        did_web_to_url(did)


@pytest.fixture
async def redirecting() -> AsyncIterator[str]:
    async def handler(request: web.Request) -> web.Response:
        raise web.HTTPFound("http://169.254.169.254/latest/meta-data")

    app = web.Application()
    app.router.add_get("/.well-known/did.json", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    yield f"did:web:127.0.0.1%3A{runner.addresses[0][1]}"
    await runner.cleanup()


async def test_rejects_did_web_redirect(redirecting: str) -> None:
    router = MethodRouter(SafeFetcher(allow_private=True, allow_http=True), web_scheme="http")
    with pytest.raises(FetchRefused) as info:
        await router.resolve(redirecting)
    assert info.value.detail["status"] == 302


async def test_cache_stays_bounded_under_many_dids() -> None:
    cache = CachingResolver(MethodRouter(), maxsize=8)
    for i in range(50):
        pair = KeyPair.generate("Ed25519", rng=lambda n, i=i: bytes([i + 1]) * n)
        await cache.resolve(did_key(pair.public))
    assert len(cache) == 8


_DID_CHARS = st.text(alphabet="abcdefxyzAZ019._-:%3A/#?z6MkDna", max_size=80)


@settings(max_examples=300, deadline=None)
@given(st.one_of(_DID_CHARS.map(lambda s: "did:key:" + s), _DID_CHARS.map(lambda s: "did:jwk:" + s),
                 _DID_CHARS.map(lambda s: "did:web:" + s), st.text(max_size=60)))
def test_rejects_garbage_with_coded_errors_only(value: str) -> None:
    for fn in (did_key_document, did_jwk_document, did_web_to_url, url_to_did_web):
        try:
            fn(value)
        except PidmError:
            pass


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=64))
def test_rejects_garbage_key_bytes_with_coded_errors_only(data: bytes) -> None:
    for value in (multibase_encode(data), multibase_encode(b"\xed\x01" + data),
                  multibase_encode(b"\x80\x24" + data)):
        try:
            did_key_document("did:key:" + value)
        except PidmError:
            pass
    try:
        did_jwk_document("did:jwk:" + b64url_encode(data))
    except PidmError:
        pass


def test_parsed_document_round_trip_is_stable() -> None:
    doc = DIDDocument.parse(_web_doc())
    assert DIDDocument.parse(doc.to_json()) == doc
