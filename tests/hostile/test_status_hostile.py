"""Hostile status lists: compression bombs, truncated and mis-encoded lists, private addresses,
oversized downloads, forged or unsigned tokens. Each ends in a coded ``status`` check."""

from __future__ import annotations

import json
import zlib
from typing import Any

from pidm.did.key import did_key_vm_id
from pidm.did.resolver import MethodRouter
from pidm.encoding import b64url_encode, multibase_encode
from pidm.jose import sign_jwt
from pidm.net import SafeFetcher
from pidm.status.bitstring import encode_bitstring
from pidm.status.bitstring_vc import status_list_entry
from pidm.status.check import check_status
from pidm.status.client import CachedStatusListClient
from pidm.status.inflate import Container, deflate
from pidm.status.token import status_claim
from pidm.testing import DictFetcher
from pidm.verification import Check, CheckStatus
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


def _bomb(container: Container, expanded: int) -> bytes:
    """``expanded`` zero bytes compressed without ever holding them in memory."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, int(container))
    chunk = bytes(1 << 20)
    out = [compressor.compress(chunk) for _ in range(expanded >> 20)]
    return b"".join(out) + compressor.flush()


def _client(fetcher: Any) -> CachedStatusListClient:
    return CachedStatusListClient(
        fetcher, MethodRouter(), verify_proofs=check_fake_proof, clock=FakeMonotonic()
    )


async def _w3c(encoded: str, index: int = 1) -> Check:
    issuer = Issuer()
    fetcher = DictFetcher({W3C_URL: w3c_body(issuer.w3c_doc(encoded=encoded))})
    entry = status_list_entry(W3C_URL, index)
    return await check_status(entry, issuer=issuer.did, client=_client(fetcher), now=NOW)


async def _token(jwt: str, issuer: Issuer, idx: int = 0) -> Check:
    fetcher = DictFetcher({TOKEN_URI: token_body(jwt)})
    claim = status_claim(TOKEN_URI, idx)
    return await check_status(claim, issuer=issuer.did, client=_client(fetcher), now=NOW)


def _signed_token(issuer: Issuer, status_list: dict[str, Any], **header: Any) -> str:
    claims = {"sub": TOKEN_URI, "iat": int(NOW.timestamp()), "status_list": status_list}
    signer = issuer.key.with_key_id(did_key_vm_id(issuer.key.public))
    return sign_jwt({"typ": "statuslist+jwt", **header}, claims, signer)


def _failed(check: Check, code: str) -> None:
    assert (check.status, check.code) == (CheckStatus.FAILED, code), check


async def test_rejects_gzip_bomb() -> None:
    bomb = _bomb(Container.GZIP, 32 << 20)  # 32 MiB of zeros in ~32 KiB
    assert len(bomb) < 1 << 16
    _failed(await _w3c("u" + b64url_encode(bomb)), "PAYLOAD_TOO_LARGE")


async def test_rejects_zlib_bomb() -> None:
    issuer = Issuer()
    lst = b64url_encode(_bomb(Container.ZLIB, 32 << 20))
    _failed(
        await _token(_signed_token(issuer, {"bits": 1, "lst": lst}), issuer), "PAYLOAD_TOO_LARGE"
    )


async def test_rejects_truncated_gzip() -> None:
    full = deflate(bytes(range(256)) * 64, Container.GZIP)
    _failed(await _w3c("u" + b64url_encode(full[: len(full) // 2])), "MALFORMED_VALUE_ERROR")


async def test_rejects_truncated_zlib() -> None:
    issuer = Issuer()
    lst = b64url_encode(deflate(bytes(range(256)) * 64, Container.ZLIB)[:-5])
    check = await _token(_signed_token(issuer, {"bits": 1, "lst": lst}), issuer)
    _failed(check, "MALFORMED_VALUE_ERROR")


async def test_rejects_wrong_multibase_prefix() -> None:
    gz = deflate(bytes(16384), Container.GZIP)
    _failed(await _w3c(multibase_encode(gz, "z")), "MALFORMED_VALUE_ERROR")
    _failed(await _w3c("U" + b64url_encode(gz)), "MALFORMED_VALUE_ERROR")
    _failed(await _w3c(b64url_encode(gz)), "MALFORMED_VALUE_ERROR")  # no prefix: 'H4sI...'


async def test_rejects_padded_or_non_url_base64() -> None:
    gz = deflate(bytes(16384), Container.GZIP)
    encoded = b64url_encode(gz)
    _failed(await _w3c("u" + encoded + "=" * (-len(encoded) % 4 or 4)), "MALFORMED_VALUE_ERROR")
    _failed(await _w3c("u" + encoded.replace("-", "+") + "+/"), "MALFORMED_VALUE_ERROR")


async def test_rejects_zlib_where_gzip_is_required() -> None:
    _failed(
        await _w3c("u" + b64url_encode(deflate(bytes(16384), Container.ZLIB))),
        "MALFORMED_VALUE_ERROR",
    )


async def test_rejects_trailing_data_after_gzip() -> None:
    gz = deflate(bytes(16384), Container.GZIP)
    _failed(await _w3c("u" + b64url_encode(gz + b"\x00junk")), "MALFORMED_VALUE_ERROR")


async def test_rejects_list_below_herd_privacy_minimum() -> None:
    _failed(await _w3c(encode_bitstring(bytes(1024))), "STATUS_LIST_LENGTH_ERROR")


async def test_rejects_index_out_of_range() -> None:
    _failed(await _w3c(encode_bitstring(bytes(16384)), index=131_072), "STATUS_LIST_LENGTH_ERROR")
    issuer = Issuer()
    _failed(await _token(issuer.token_jwt(), issuer, idx=1 << 17), "STATUS_LIST_LENGTH_ERROR")


async def test_rejects_absurd_index_string() -> None:
    issuer = Issuer()
    entry = status_list_entry(W3C_URL, 1)
    entry["statusListIndex"] = "9" * 10_000
    client = _client(DictFetcher({W3C_URL: w3c_body(issuer.w3c_doc())}))
    _failed(
        await check_status(entry, issuer=issuer.did, client=client, now=NOW),
        "STATUS_LIST_LENGTH_ERROR",
    )


async def test_rejects_private_address() -> None:
    for url in ("https://127.0.0.1/status/1", "https://10.0.0.8/status/1", "https://[::1]/s"):
        client = CachedStatusListClient(SafeFetcher(), MethodRouter(), clock=FakeMonotonic())
        check = await check_status(
            status_list_entry(url, 1), issuer="did:example:i", client=client, now=NOW
        )
        _failed(check, "STATUS_RETRIEVAL_ERROR")
        assert "FETCH_REFUSED" in check.message and "non-public" in check.message


async def test_rejects_plain_http_list_url() -> None:
    client = CachedStatusListClient(SafeFetcher(), MethodRouter(), clock=FakeMonotonic())
    check = await check_status(
        status_claim("http://issuer.example/s", 0), issuer="did:example:i", client=client, now=NOW
    )
    _failed(check, "STATUS_RETRIEVAL_ERROR")
    assert "FETCH_REFUSED" in check.message


async def test_rejects_oversized_download() -> None:
    issuer = Issuer()
    doc = issuer.w3c_doc()
    doc["padding"] = "x" * 2_000_000
    fetcher = DictFetcher({W3C_URL: w3c_body(doc)})
    check = await check_status(
        status_list_entry(W3C_URL, 1), issuer=issuer.did, client=_client(fetcher), now=NOW
    )
    _failed(check, "STATUS_RETRIEVAL_ERROR")
    assert "PAYLOAD_TOO_LARGE" in check.message


async def test_rejects_json_with_duplicate_keys_or_deep_nesting() -> None:
    issuer = Issuer()
    body = json.dumps(issuer.w3c_doc())
    duplicate = body[:-1] + ', "issuer": "did:example:mallory"}'
    deep = "[" * 100_000 + "]" * 100_000
    for text in (duplicate, deep):
        fetcher = DictFetcher({W3C_URL: text.encode()})
        check = await check_status(
            status_list_entry(W3C_URL, 1), issuer=issuer.did, client=_client(fetcher), now=NOW
        )
        _failed(check, "STATUS_RETRIEVAL_ERROR")


async def test_rejects_unsigned_list_credential() -> None:
    issuer = Issuer()
    doc = issuer.w3c_doc()
    del doc["proof"]
    fetcher = DictFetcher({W3C_URL: w3c_body(doc)})
    check = await check_status(
        status_list_entry(W3C_URL, 1), issuer=issuer.did, client=_client(fetcher), now=NOW
    )
    _failed(check, "STATUS_VERIFICATION_ERROR")


async def test_rejects_alg_none_token() -> None:
    issuer = Issuer()
    head = b64url_encode(json.dumps({"alg": "none", "typ": "statuslist+jwt"}).encode())
    body = b64url_encode(
        json.dumps(
            {"sub": TOKEN_URI, "iat": 1, "status_list": {"bits": 1, "lst": "eNrbuRgAAhcBXQ"}}
        ).encode()
    )
    check = await _token(f"{head}.{body}.", issuer)
    _failed(check, "STATUS_VERIFICATION_ERROR")


async def test_rejects_token_with_bad_bits() -> None:
    issuer = Issuer()
    jwt = _signed_token(issuer, {"bits": 3, "lst": "eNrbuRgAAhcBXQ"})
    _failed(await _token(jwt, issuer), "MALFORMED_VALUE_ERROR")


async def test_rejects_binary_token_body() -> None:
    issuer = Issuer()
    fetcher = DictFetcher({TOKEN_URI: b"\xff\xfe" * 10})
    check = await check_status(
        status_claim(TOKEN_URI, 0), issuer=issuer.did, client=_client(fetcher), now=NOW
    )
    _failed(check, "STATUS_RETRIEVAL_ERROR")


async def test_rejects_malformed_status_claims() -> None:
    client = _client(DictFetcher({}))
    for claim in (
        {"status_list": {"idx": -1, "uri": TOKEN_URI}},
        {"status_list": {"idx": "0", "uri": TOKEN_URI}},
        [],
        [{"type": "StatusList2021Entry"}],
        "https://issuer.example/status",
    ):
        check = await check_status(claim, issuer="did:example:i", client=client, now=NOW)
        _failed(check, "MALFORMED_VALUE_ERROR")
