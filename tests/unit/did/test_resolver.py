"""MethodRouter, StaticResolver, CachingResolver and resolve_method."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from pidm.did.jwk import did_jwk, did_jwk_vm_id
from pidm.did.key import did_key, did_key_document, did_key_vm_id
from pidm.did.model import DID, DIDURL, DIDDocument
from pidm.did.resolver import (
    CachingResolver,
    MethodRouter,
    StaticResolver,
    default_resolver,
    resolve_method,
)
from pidm.errors import (
    DIDNotFound,
    InvalidDID,
    MethodNotSupported,
    VerificationMethodNotFound,
)
from pidm.keys import KeyPair

PAIR = KeyPair.generate("Ed25519", rng=lambda n: b"\x07" * n)
P256 = KeyPair.generate("ES256", rng=lambda n: b"\x09" * n)


@pytest.mark.parametrize("text", ["did:key:z6Mk\n", "did:web:example.com\n"])
def test_a_trailing_newline_is_not_part_of_a_did(text: str) -> None:
    # re.match(...$) accepted it and parsed the DID without the newline
    with pytest.raises(InvalidDID):
        DID.parse(text)
    with pytest.raises(InvalidDID):
        DIDURL.parse(text + "#key-1")


async def test_router_resolves_key_and_jwk() -> None:
    router = MethodRouter()
    doc = await router.resolve(did_key(PAIR.public))
    assert doc.id == did_key(PAIR.public)
    jdoc = await router.resolve(did_jwk(P256.public))
    assert jdoc.method(did_jwk_vm_id(P256.public)).public_key == P256.public


async def test_router_without_fetcher_refuses_web() -> None:
    with pytest.raises(MethodNotSupported):
        await MethodRouter().resolve("did:web:example.com")


async def test_router_refuses_unknown_method() -> None:
    with pytest.raises(MethodNotSupported) as info:
        await MethodRouter().resolve("did:example:123")
    assert info.value.code == "METHOD_NOT_SUPPORTED"


async def test_resolve_method_checks_relationship() -> None:
    resolver = MethodRouter()
    vm = await resolve_method(resolver, did_key_vm_id(PAIR.public), "assertionMethod")
    assert vm.public_key == PAIR.public
    with pytest.raises(VerificationMethodNotFound):
        await resolve_method(resolver, did_key_vm_id(PAIR.public), "keyAgreement")


async def test_resolve_method_unknown_fragment() -> None:
    with pytest.raises(VerificationMethodNotFound):
        await resolve_method(MethodRouter(), did_key(PAIR.public) + "#nope", None)


async def test_bare_single_key_did_names_its_key() -> None:
    vm = await resolve_method(MethodRouter(), did_key(PAIR.public), "assertionMethod")
    assert vm.id == did_key_vm_id(PAIR.public)
    vm = await resolve_method(MethodRouter(), did_jwk(P256.public), "assertionMethod")
    assert vm.id == did_jwk_vm_id(P256.public)


@pytest.mark.parametrize(
    "url", ["did:web:example.com", "did:key:z6Mk/path#x", "did:key:z6Mk?v=1#x"]
)
async def test_resolve_method_needs_plain_fragment(url: str) -> None:
    with pytest.raises(InvalidDID):
        await resolve_method(MethodRouter(), url)


def _doc(did: str, vm: dict[str, Any]) -> dict[str, Any]:
    return {"id": did, "verificationMethod": [vm], "assertionMethod": [vm["id"]]}


async def test_static_resolver_and_fallback() -> None:
    did = "did:web:issuer.example"
    vm = {"id": did + "#k1", "type": "Multikey", "controller": did,
          "publicKeyMultibase": PAIR.public.to_multikey()}
    static = StaticResolver({did: _doc(did, vm)}, fallback=MethodRouter())
    got = await resolve_method(static, did + "#k1", "assertionMethod")
    assert got.public_key == PAIR.public
    assert (await static.resolve(did_key(P256.public))).id == did_key(P256.public)
    with pytest.raises(DIDNotFound):
        await StaticResolver({}).resolve(did)


async def test_resolve_method_rejects_foreign_controller() -> None:
    did = "did:web:issuer.example"
    vm = {"id": did + "#k1", "type": "Multikey", "controller": "did:web:other.example",
          "publicKeyMultibase": PAIR.public.to_multikey()}
    with pytest.raises(VerificationMethodNotFound):
        await resolve_method(StaticResolver({did: _doc(did, vm)}), did + "#k1")


async def test_resolve_method_rejects_mismatched_document_id() -> None:
    other = did_key_document(did_key(P256.public))
    resolver = StaticResolver({did_key(PAIR.public): other})
    with pytest.raises(InvalidDID):
        await resolve_method(resolver, did_key_vm_id(PAIR.public))


class _Counting:
    def __init__(self) -> None:
        self.calls: list[str] = []
        self.router = MethodRouter()
        self.docs: dict[str, DIDDocument] = {}

    async def resolve(self, did: str) -> DIDDocument:
        self.calls.append(did)
        await asyncio.sleep(0)
        if did in self.docs:
            return self.docs[did]
        return await self.router.resolve(did)


async def test_caching_resolver_lru_bound() -> None:
    inner = _Counting()
    cache = CachingResolver(inner, maxsize=2)
    dids = [did_key(KeyPair.generate("Ed25519", rng=lambda n, i=i: bytes([i]) * n).public)
            for i in range(3)]
    for did in dids:
        await cache.resolve(did)
    assert len(cache) == 2
    await cache.resolve(dids[2])
    assert inner.calls == dids
    await cache.resolve(dids[0])  # evicted earlier -> fetched again
    assert inner.calls == [*dids, dids[0]]


async def test_caching_resolver_ttl_only_for_web() -> None:
    now = [0.0]
    inner = _Counting()
    web = "did:web:issuer.example"
    vm = {"id": web + "#k1", "type": "Multikey", "controller": web,
          "publicKeyMultibase": PAIR.public.to_multikey()}
    inner.docs[web] = DIDDocument.parse(_doc(web, vm))
    cache = CachingResolver(inner, ttl=10, timer=lambda: now[0])
    key = did_key(PAIR.public)
    await cache.resolve(web)
    await cache.resolve(key)
    now[0] = 11.0
    await cache.resolve(web)
    await cache.resolve(key)
    assert inner.calls == [web, key, web]


async def test_caching_resolver_shares_concurrent_lookups() -> None:
    inner = _Counting()
    cache = CachingResolver(inner)
    key = did_key(PAIR.public)
    docs = await asyncio.gather(*(cache.resolve(key) for _ in range(5)))
    assert inner.calls == [key]
    assert all(d is docs[0] for d in docs)


async def test_caching_resolver_does_not_cache_failures() -> None:
    inner = _Counting()
    cache = CachingResolver(inner)
    for _ in range(2):
        with pytest.raises(MethodNotSupported):
            await cache.resolve("did:example:1")
    assert inner.calls == ["did:example:1", "did:example:1"]
    assert len(cache) == 0


async def test_default_resolver_resolves_did_key() -> None:
    resolver = default_resolver()
    vm = await resolve_method(resolver, did_key_vm_id(P256.public), "authentication")
    assert vm.public_key == P256.public
