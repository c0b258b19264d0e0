"""CachedStatusListClient and check_status: fetch, verify, decode, cache, collapse, limits."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from pidm.did.key import did_key_vm_id
from pidm.did.resolver import MethodRouter
from pidm.errors import FetchRefused
from pidm.jose import sign_jwt
from pidm.keys import KeyPair
from pidm.net import Fetched
from pidm.status.bitstring_vc import status_list_entry
from pidm.status.check import check_status
from pidm.status.client import CachedStatusListClient
from pidm.status.token import TokenStatus, status_claim
from pidm.testing import DictFetcher
from pidm.verification import CheckStatus
from tests.unit.status.fixtures import (
    NOW,
    TOKEN_URI,
    W3C_URL,
    FakeMonotonic,
    Issuer,
    check_fake_proof,
    token_body,
    w3c_body,
)


def _client(fetcher: Any, clock: FakeMonotonic | None = None, **kw: Any) -> CachedStatusListClient:
    return CachedStatusListClient(
        fetcher,
        MethodRouter(),
        verify_proofs=check_fake_proof,
        clock=clock or FakeMonotonic(),
        **kw,
    )


async def _w3c_check(client: CachedStatusListClient, issuer: Issuer, index: int, **kw: Any) -> Any:
    entry = status_list_entry(W3C_URL, index, **kw)
    return await check_status(entry, issuer=issuer.did, client=client, now=NOW)


async def test_revoke_then_check() -> None:
    issuer = Issuer()
    fetcher = DictFetcher({W3C_URL: w3c_body(issuer.w3c_doc())})
    clock = FakeMonotonic()
    client = _client(fetcher, clock)
    assert (await _w3c_check(client, issuer, 94567)).status is CheckStatus.PASSED
    issuer.w3c.set(94567, 1)
    fetcher.mapping[W3C_URL] = w3c_body(issuer.w3c_doc())
    # still cached: the old list answers until its TTL runs out
    assert (await _w3c_check(client, issuer, 94567)).status is CheckStatus.PASSED
    clock.t += client.default_ttl
    check = await _w3c_check(client, issuer, 94567)
    assert (check.status, check.code) == (CheckStatus.FAILED, "CREDENTIAL_REVOKED")
    assert fetcher.requests == [W3C_URL, W3C_URL]


async def test_suspend_then_unsuspend() -> None:
    issuer = Issuer()
    issuer.w3c.set(5, 1)
    fetcher = DictFetcher({W3C_URL: w3c_body(issuer.w3c_doc(purpose="suspension"))})
    client = _client(fetcher)
    check = await _w3c_check(client, issuer, 5, purpose="suspension")
    assert check.code == "CREDENTIAL_SUSPENDED"
    issuer.w3c.set(5, 0)
    fetcher.mapping[W3C_URL] = w3c_body(issuer.w3c_doc(purpose="suspension"))
    client.invalidate(W3C_URL)
    check = await _w3c_check(client, issuer, 5, purpose="suspension")
    assert (check.status, check.code) == (CheckStatus.PASSED, None)


async def test_multiple_entries_in_one_list_fetch_once() -> None:
    issuer = Issuer()
    issuer.w3c.set(9, 1)
    doc = issuer.w3c_doc(purpose=["revocation", "suspension"])
    fetcher = DictFetcher({W3C_URL: w3c_body(doc)})
    client = _client(fetcher)
    entries = [
        status_list_entry(W3C_URL, 8, "revocation"),
        status_list_entry(W3C_URL, 9, "suspension"),
    ]
    check = await check_status(entries, issuer=issuer.did, client=client, now=NOW)
    assert check.code == "CREDENTIAL_SUSPENDED"
    assert fetcher.requests == [W3C_URL]


async def test_list_signed_by_another_key_is_refused() -> None:
    issuer = Issuer()
    mallory = KeyPair.generate("Ed25519")
    fetcher = DictFetcher({W3C_URL: w3c_body(issuer.w3c_doc(signer=mallory))})
    check = await _w3c_check(_client(fetcher), issuer, 1)
    assert check.code == "STATUS_VERIFICATION_ERROR" and "signed by" in check.message


async def test_list_of_another_issuer_is_refused() -> None:
    issuer, other = Issuer(), Issuer()
    fetcher = DictFetcher({W3C_URL: w3c_body(other.w3c_doc())})
    check = await _w3c_check(_client(fetcher), issuer, 1)
    assert check.code == "STATUS_VERIFICATION_ERROR" and "issuer" in check.message


async def test_bad_proof_is_verification_error() -> None:
    issuer = Issuer()
    doc = issuer.w3c_doc()
    doc["proof"]["proofValue"] = "forged"
    check = await _w3c_check(_client(DictFetcher({W3C_URL: w3c_body(doc)})), issuer, 1)
    assert check.code == "STATUS_VERIFICATION_ERROR" and "PROOF_VERIFICATION_ERROR" in check.message


async def test_list_id_must_be_its_url() -> None:
    issuer = Issuer()
    doc = issuer.w3c_doc()
    fetcher = DictFetcher({W3C_URL: w3c_body(doc), W3C_URL + "2": w3c_body(doc)})
    entry = status_list_entry(W3C_URL + "2", 1)
    check = await check_status(entry, issuer=issuer.did, client=_client(fetcher), now=NOW)
    assert check.code == "STATUS_VERIFICATION_ERROR" and "id" in check.message


async def test_expired_list() -> None:
    issuer = Issuer()
    doc = issuer.w3c_doc(valid_until=NOW - timedelta(seconds=1))
    check = await _w3c_check(_client(DictFetcher({W3C_URL: w3c_body(doc)})), issuer, 1)
    assert check.code == "STATUS_VERIFICATION_ERROR" and "expired" in check.message


async def test_unreachable_list_is_retrieval_error() -> None:
    check = await _w3c_check(_client(DictFetcher({})), Issuer(), 1)
    assert check.code == "STATUS_RETRIEVAL_ERROR" and "FETCH_REFUSED" in check.message


async def test_not_json_is_retrieval_error() -> None:
    check = await _w3c_check(_client(DictFetcher({W3C_URL: b"<html>"})), Issuer(), 1)
    assert check.code == "STATUS_RETRIEVAL_ERROR"


async def test_no_status_is_skipped() -> None:
    check = await check_status(None, issuer="did:x:y", client=_client(DictFetcher({})), now=NOW)
    assert check.status is CheckStatus.SKIPPED


async def test_ttl_hints_and_clamps() -> None:
    issuer = Issuer()
    clock = FakeMonotonic()
    fetcher = DictFetcher({W3C_URL: w3c_body(issuer.w3c_doc(ttl_ms=120_000), max_age=9999)})
    client = _client(fetcher, clock, min_ttl=60, max_ttl=3600)
    await _w3c_check(client, issuer, 1)
    clock.t += 119
    await _w3c_check(client, issuer, 1)
    assert len(fetcher.requests) == 1  # ttl (120 s) wins over max-age
    clock.t += 1
    await _w3c_check(client, issuer, 1)
    assert len(fetcher.requests) == 2
    # a tiny ttl is raised to the floor; a huge max-age is cut to the ceiling
    fetcher.mapping[W3C_URL] = w3c_body(issuer.w3c_doc(ttl_ms=1))
    client.invalidate()
    await _w3c_check(client, issuer, 1)
    clock.t += 59
    await _w3c_check(client, issuer, 1)
    assert len(fetcher.requests) == 3
    fetcher.mapping[W3C_URL] = w3c_body(issuer.w3c_doc(), max_age=10**9)
    clock.t += 60
    await _w3c_check(client, issuer, 1)
    clock.t += 3600
    await _w3c_check(client, issuer, 1)
    assert len(fetcher.requests) == 5


async def test_ttl_cut_at_valid_until() -> None:
    issuer = Issuer()
    clock = FakeMonotonic()
    doc = issuer.w3c_doc(ttl_ms=3_600_000, valid_until=NOW + timedelta(seconds=100))
    fetcher = DictFetcher({W3C_URL: w3c_body(doc)})
    client = _client(fetcher, clock, min_ttl=10)
    await _w3c_check(client, issuer, 1)
    clock.t += 100
    await _w3c_check(client, issuer, 1)
    assert len(fetcher.requests) == 2


class SlowFetcher:
    """Counts calls and holds every response until released."""

    def __init__(self, body: Fetched) -> None:
        self.body = body
        self.calls = 0
        self.release = asyncio.Event()

    async def get(self, url: str) -> Fetched:
        self.calls += 1
        await self.release.wait()
        return self.body


async def test_concurrent_checks_share_one_fetch() -> None:
    issuer = Issuer()
    issuer.w3c.set(3, 1)
    fetcher = SlowFetcher(w3c_body(issuer.w3c_doc()))
    client = _client(fetcher)
    tasks = [asyncio.create_task(_w3c_check(client, issuer, i)) for i in range(20)]
    await asyncio.sleep(0)
    fetcher.release.set()
    checks = await asyncio.gather(*tasks)
    assert fetcher.calls == 1 and client.fetches == 1
    assert [c.code for c in checks][:5] == [None, None, None, "CREDENTIAL_REVOKED", None]


async def test_cancelled_waiter_does_not_cancel_shared_fetch() -> None:
    issuer = Issuer()
    fetcher = SlowFetcher(w3c_body(issuer.w3c_doc()))
    client = _client(fetcher)
    first = asyncio.create_task(_w3c_check(client, issuer, 1))
    second = asyncio.create_task(_w3c_check(client, issuer, 2))
    await asyncio.sleep(0)
    first.cancel()
    fetcher.release.set()
    assert (await second).status is CheckStatus.PASSED
    assert fetcher.calls == 1 and len(client) == 1


async def test_timeout() -> None:
    fetcher = SlowFetcher(w3c_body(Issuer().w3c_doc()))
    check = await _w3c_check(_client(fetcher, timeout=0.01), Issuer(), 1)
    assert check.code == "STATUS_RETRIEVAL_ERROR" and "timed out" in check.message


async def test_failures_are_not_cached() -> None:
    issuer = Issuer()
    fetcher = DictFetcher({})
    client = _client(fetcher)
    assert (await _w3c_check(client, issuer, 1)).code == "STATUS_RETRIEVAL_ERROR"
    fetcher.mapping[W3C_URL] = w3c_body(issuer.w3c_doc())
    assert (await _w3c_check(client, issuer, 1)).status is CheckStatus.PASSED


async def test_cache_is_bounded() -> None:
    issuer = Issuer()
    urls = [f"{W3C_URL}/{i}" for i in range(5)]
    docs = {}
    for url in urls:
        doc = issuer.w3c_doc()
        doc["id"] = url
        docs[url] = w3c_body(doc)
    client = _client(DictFetcher(docs), maxsize=3)
    for url in urls:
        await client.bitstring_list(url, now=NOW)
    assert len(client) == 3


# --- Token Status List (real ES256/EdDSA signatures via did:key) ------------------------------


def _token_client(fetcher: Any, clock: FakeMonotonic | None = None, **kw: Any) -> Any:
    return CachedStatusListClient(fetcher, MethodRouter(), clock=clock or FakeMonotonic(), **kw)


@pytest.mark.parametrize("alg", ["Ed25519", "ES256"])
async def test_token_revoke_suspend_unsuspend(alg: str) -> None:
    issuer = Issuer(key=KeyPair.generate(alg))  # type: ignore[arg-type]
    issuer.token.set(1, TokenStatus.INVALID)
    issuer.token.set(2, TokenStatus.SUSPENDED)
    fetcher = DictFetcher({TOKEN_URI: token_body(issuer.token_jwt())})
    client = _token_client(fetcher)

    async def check(idx: int) -> Any:
        claim = status_claim(TOKEN_URI, idx)
        return await check_status(claim, issuer=issuer.did, client=client, now=NOW)

    assert [(await check(i)).code for i in range(3)] == [
        None,
        "CREDENTIAL_REVOKED",
        "CREDENTIAL_SUSPENDED",
    ]
    issuer.token.set(2, TokenStatus.VALID)
    fetcher.mapping[TOKEN_URI] = token_body(issuer.token_jwt())
    client.invalidate(TOKEN_URI)
    assert (await check(2)).status is CheckStatus.PASSED
    assert fetcher.requests == [TOKEN_URI, TOKEN_URI]


async def test_token_sub_must_match_uri() -> None:
    issuer = Issuer()
    fetcher = DictFetcher({TOKEN_URI: token_body(issuer.token_jwt(uri=TOKEN_URI + "/other"))})
    check = await check_status(
        status_claim(TOKEN_URI, 0), issuer=issuer.did, client=_token_client(fetcher), now=NOW
    )
    assert check.code == "STATUS_VERIFICATION_ERROR" and "sub" in check.message


async def test_token_signed_by_another_did_is_refused() -> None:
    issuer = Issuer()
    mallory = KeyPair.generate("Ed25519")
    fetcher = DictFetcher({TOKEN_URI: token_body(issuer.token_jwt(signer=mallory))})
    check = await check_status(
        status_claim(TOKEN_URI, 0), issuer=issuer.did, client=_token_client(fetcher), now=NOW
    )
    assert check.code == "STATUS_VERIFICATION_ERROR" and "signed by" in check.message


async def test_token_tampered_signature() -> None:
    issuer = Issuer()
    jwt = issuer.token_jwt()
    head, body, sig = jwt.split(".")
    forged = head + "." + body + "." + ("A" if sig[0] != "A" else "B") + sig[1:]
    fetcher = DictFetcher({TOKEN_URI: token_body(forged)})
    check = await check_status(
        status_claim(TOKEN_URI, 0), issuer=issuer.did, client=_token_client(fetcher), now=NOW
    )
    assert check.code == "STATUS_VERIFICATION_ERROR"


async def test_token_expired() -> None:
    issuer = Issuer()
    jwt = issuer.token_jwt(exp=NOW - timedelta(seconds=1))
    fetcher = DictFetcher({TOKEN_URI: token_body(jwt)})
    check = await check_status(
        status_claim(TOKEN_URI, 0), issuer=issuer.did, client=_token_client(fetcher), now=NOW
    )
    assert check.code == "STATUS_VERIFICATION_ERROR" and "expired" in check.message


async def test_token_ttl_caching() -> None:
    issuer = Issuer()
    clock = FakeMonotonic()
    fetcher = DictFetcher({TOKEN_URI: token_body(issuer.token_jwt(ttl=120), max_age=5)})
    client = _token_client(fetcher, clock, min_ttl=1)
    first = await client.token_list(TOKEN_URI, now=NOW)
    clock.t += 119
    assert await client.token_list(TOKEN_URI, now=NOW) is first
    clock.t += 1
    assert await client.token_list(TOKEN_URI, now=NOW) is not first
    assert len(fetcher.requests) == 2


async def test_token_wrong_typ_refused() -> None:
    issuer = Issuer()
    claims = {"sub": TOKEN_URI, "iat": 1, "status_list": {"bits": 1, "lst": "eNrbuRgAAhcBXQ"}}
    jwt = sign_jwt({"typ": "JWT"}, claims, issuer.key.with_key_id(did_key_vm_id(issuer.key.public)))
    fetcher = DictFetcher({TOKEN_URI: token_body(jwt)})
    check = await check_status(
        status_claim(TOKEN_URI, 0), issuer=issuer.did, client=_token_client(fetcher), now=NOW
    )
    assert check.code == "STATUS_VERIFICATION_ERROR" and "typ" in check.message


async def test_fetch_refusal_code_is_kept_in_detail() -> None:
    class Refuser:
        async def get(self, url: str) -> Fetched:
            raise FetchRefused("refusing non-public address 10.0.0.1")

    client = _token_client(Refuser())
    with pytest.raises(Exception) as exc:
        await client.token_list(TOKEN_URI, now=NOW)
    assert getattr(exc.value, "code", None) == "STATUS_RETRIEVAL_ERROR"
    assert exc.value.detail == {"cause": "FETCH_REFUSED"}  # type: ignore[attr-defined]
