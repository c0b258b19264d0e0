"""pidm.cli_net: one did:web time budget per command, each DID resolved once."""

from __future__ import annotations

import asyncio
import json

import pytest

from pidm.cli_net import BudgetFetcher, cli_resolver
from pidm.did.resolver import CachingResolver, MethodRouter
from pidm.errors import FetchRefused
from pidm.keys import KeyPair


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_fetches_stop_once_the_budget_is_spent() -> None:
    clock = Clock()
    calls: list[str] = []

    async def slow(url: str) -> bytes:  # each fetch takes 8 s of the fake clock
        calls.append(url)
        clock.now += 8
        return b"{}"

    fetcher = BudgetFetcher(slow, 15, timer=clock)
    assert await fetcher("https://a.example/did.json") == b"{}"
    assert await fetcher("https://b.example/did.json") == b"{}"  # 7 s were left
    with pytest.raises(FetchRefused, match="used up their 15s") as info:
        await fetcher("https://c.example/did.json")
    assert info.value.detail == {"reason": "timeout"}
    assert calls == ["https://a.example/did.json", "https://b.example/did.json"]


async def test_a_hanging_fetch_is_cut_at_the_budget() -> None:
    async def hang(url: str) -> bytes:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    with pytest.raises(FetchRefused, match="used up their 0.01s"):
        await BudgetFetcher(hang, 0.01)("https://slow.example/did.json")


async def test_each_did_web_is_fetched_once_per_command() -> None:
    did = "did:web:issuer.example"
    public = KeyPair.generate().public
    document = {"id": did, "verificationMethod": [{
        "id": did + "#k", "type": "Multikey", "controller": did,
        "publicKeyMultibase": public.to_multikey()}], "assertionMethod": ["#k"]}
    fetched: list[str] = []

    async def fetch(url: str) -> bytes:
        fetched.append(url)
        return json.dumps(document).encode()

    resolver = CachingResolver(MethodRouter(BudgetFetcher(fetch)))
    for _ in range(3):
        assert (await resolver.resolve(did)).id == did
    assert fetched == ["https://issuer.example/.well-known/did.json"]


def test_cli_resolver_is_cached_and_uses_the_scheme() -> None:
    resolver = cli_resolver(allow_private=False, allow_http=True)
    assert isinstance(resolver, CachingResolver)
    assert isinstance(resolver.inner, MethodRouter)
    assert resolver.inner.web_scheme == "http"
    assert isinstance(resolver.inner.fetcher, BudgetFetcher)
