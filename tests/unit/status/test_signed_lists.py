"""Status lists signed for real (Data Integrity eddsa-jcs-2022 / eddsa-rdfc-2022, JWS) and
checked through the client with its default proof verification; every status size."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from pidm.did.key import did_key, did_key_vm_id
from pidm.did.resolver import MethodRouter
from pidm.integrity.proof import add_proof
from pidm.keys import KeyPair
from pidm.status.bitstring import MIN_ENTRIES, encode_bitstring, new_bitstring
from pidm.status.bitstring_vc import status_list_credential, status_list_entry
from pidm.status.check import check_status
from pidm.status.client import CachedStatusListClient
from pidm.status.packed import MutableStatusList
from pidm.status.token import (
    TokenStatus,
    new_token_list,
    sign_status_list_token,
    status_claim,
    status_list_token_claims,
)
from pidm.testing import DictFetcher
from pidm.verification import CheckStatus
from tests.unit.status.fixtures import NOW, TOKEN_URI, W3C_URL, FakeMonotonic, token_body, w3c_body

_KEY = KeyPair.from_private_bytes("Ed25519", b"\x44" * 32)
KEY = _KEY.with_key_id(did_key_vm_id(_KEY.public))
DID = did_key(KEY.public)
SUITES = ["eddsa-jcs-2022", "eddsa-rdfc-2022"]


def _signed(bits: MutableStatusList, purpose: str, suite: str, **kw: Any) -> dict[str, Any]:
    return status_list_credential(
        url=W3C_URL,
        issuer=DID,
        purpose=purpose,
        encoded_list=encode_bitstring(bits),
        valid_from=NOW - timedelta(days=1),
        sign=lambda doc: add_proof(doc, signer=KEY, cryptosuite=suite, created=NOW),
        **kw,
    )


def _client(doc: dict[str, Any] | str) -> tuple[CachedStatusListClient, DictFetcher]:
    body = token_body(doc) if isinstance(doc, str) else w3c_body(doc)
    fetcher = DictFetcher({TOKEN_URI if isinstance(doc, str) else W3C_URL: body})
    return CachedStatusListClient(fetcher, MethodRouter(), clock=FakeMonotonic()), fetcher


async def _check(client: CachedStatusListClient, status: Any) -> tuple[CheckStatus, str | None]:
    check = await check_status(status, issuer=DID, client=client, now=NOW)
    return check.status, check.code


@pytest.mark.parametrize("suite", SUITES)
async def test_revoke_then_check_with_real_proof(suite: str) -> None:
    bits = new_bitstring()
    client, fetcher = _client(_signed(bits, "revocation", suite))
    entry = status_list_entry(W3C_URL, 94567)
    assert await _check(client, entry) == (CheckStatus.PASSED, None)
    bits.set(94567, 1)
    fetcher.mapping[W3C_URL] = w3c_body(_signed(bits, "revocation", suite))
    client.invalidate(W3C_URL)
    assert await _check(client, entry) == (CheckStatus.FAILED, "CREDENTIAL_REVOKED")
    assert await _check(client, status_list_entry(W3C_URL, 94566)) == (CheckStatus.PASSED, None)


@pytest.mark.parametrize("suite", SUITES)
async def test_list_changed_after_signing_fails_its_proof(suite: str) -> None:
    bits = new_bitstring()
    doc = _signed(bits, "revocation", suite)
    bits.set(3, 1)
    doc["credentialSubject"]["encodedList"] = encode_bitstring(bits)  # revoke without re-signing
    client, _ = _client(doc)
    status, code = await _check(client, status_list_entry(W3C_URL, 5))
    assert (status, code) == (CheckStatus.FAILED, "STATUS_VERIFICATION_ERROR")


@pytest.mark.parametrize("suite", SUITES)
async def test_suspend_then_unsuspend_with_real_proof(suite: str) -> None:
    bits = new_bitstring()
    bits.set(0, 1)  # index 0 is the left-most bit
    doc = _signed(bits, "suspension", suite)
    assert json.dumps(doc).count("proofValue") == 1
    client, fetcher = _client(doc)
    entry = status_list_entry(W3C_URL, 0, "suspension")
    assert await _check(client, entry) == (CheckStatus.FAILED, "CREDENTIAL_SUSPENDED")
    bits.set(0, 0)
    fetcher.mapping[W3C_URL] = w3c_body(_signed(bits, "suspension", suite))
    client.invalidate(W3C_URL)
    assert await _check(client, entry) == (CheckStatus.PASSED, None)


async def test_purpose_mismatch_through_the_client() -> None:
    client, _ = _client(_signed(new_bitstring(), "suspension", "eddsa-jcs-2022"))
    check = await check_status(status_list_entry(W3C_URL, 1, "revocation"), issuer=DID,
                               client=client, now=NOW)
    assert (check.status, check.code) == (CheckStatus.FAILED, "STATUS_VERIFICATION_ERROR")
    assert "purpose" in check.message


@pytest.mark.parametrize("size", [1, 2, 4, 8])
async def test_message_lists_of_every_status_size(size: int) -> None:
    bits = new_bitstring(MIN_ENTRIES, size)
    top = (1 << size) - 1
    bits.set(0, top)
    bits.set(MIN_ENTRIES - 1, 1)
    messages = [f"m{value:x}" for value in range(1 << size)]
    client, _ = _client(_signed(bits, "message", "eddsa-jcs-2022"))

    async def read(index: int) -> tuple[CheckStatus, str]:
        entry = status_list_entry(W3C_URL, index, "message", status_size=size, messages=messages)
        check = await check_status(entry, issuer=DID, client=client, now=NOW)
        return check.status, check.message

    assert await read(0) == (CheckStatus.PASSED, f"message: m{top:x}")
    assert await read(1) == (CheckStatus.PASSED, "message: m0")
    assert await read(MIN_ENTRIES - 1) == (CheckStatus.PASSED, "message: m1")
    past = status_list_entry(W3C_URL, MIN_ENTRIES, "message", status_size=size,
                             messages=messages)
    check = await check_status(past, issuer=DID, client=client, now=NOW)
    assert (check.status, check.code) == (CheckStatus.FAILED, "STATUS_LIST_LENGTH_ERROR")


@pytest.mark.parametrize("bits", [1, 2, 4, 8])
async def test_token_lists_of_every_width(bits: int) -> None:
    statuses = new_token_list(1 << 10, bits)
    statuses.set(1, TokenStatus.INVALID)
    if bits > 1:
        statuses.set(2, TokenStatus.SUSPENDED)
    claims = status_list_token_claims(uri=TOKEN_URI, status_list=statuses,
                                      iat=int(NOW.timestamp()) - 60, ttl=300, iss=DID)
    client, _ = _client(sign_status_list_token(claims, KEY))
    assert await _check(client, status_claim(TOKEN_URI, 0)) == (CheckStatus.PASSED, None)
    assert await _check(client, status_claim(TOKEN_URI, 1)) == (
        CheckStatus.FAILED, "CREDENTIAL_REVOKED"
    )
    if bits > 1:
        assert await _check(client, status_claim(TOKEN_URI, 2)) == (
            CheckStatus.FAILED, "CREDENTIAL_SUSPENDED"
        )
    assert await _check(client, status_claim(TOKEN_URI, (1 << 10) * 8 // bits)) == (
        CheckStatus.FAILED, "STATUS_LIST_LENGTH_ERROR"
    )
