"""Token Status List: lst encoding, Status List Token claims, references, signing."""

from __future__ import annotations

from typing import Any

import pytest

from pidm.errors import MalformedValueError, PayloadTooLarge
from pidm.jose import decode_jwt, verify_jwt
from pidm.keys import KeyPair
from pidm.status.packed import BitOrder
from pidm.status.token import (
    STATUS_LIST_TYP,
    StatusListToken,
    TokenStatus,
    TokenStatusReference,
    decode_lst,
    encode_lst,
    new_token_list,
    sign_status_list_token,
    status_claim,
    status_list_token_claims,
)

URI = "https://issuer.example/statuslists/1"


def test_statuses_and_bits() -> None:
    assert [int(s) for s in TokenStatus] == [0, 1, 2]
    lst = new_token_list(1 << 20, 2)
    lst.set(5, TokenStatus.SUSPENDED)
    decoded = decode_lst(encode_lst(lst), 2)
    assert decoded.order is BitOrder.LSB_FIRST
    assert decoded.get(5) == TokenStatus.SUSPENDED and len(decoded) == 1 << 20
    for bits in (0, 3, 16, True):
        with pytest.raises(MalformedValueError):
            new_token_list(8, bits)


def test_claims_builder_sign_and_verify() -> None:
    pair = KeyPair.generate("Ed25519").with_key_id("did:example:i#k")
    lst = new_token_list(1024)
    lst.set(3, 1)
    claims = status_list_token_claims(uri=URI, status_list=lst, iat=1000, exp=2000, ttl=60)
    assert claims["sub"] == URI and claims["status_list"]["bits"] == 1
    token = sign_status_list_token(claims, pair)
    jwt = verify_jwt(token, pair.public, typ=STATUS_LIST_TYP)
    assert jwt.header["typ"] == STATUS_LIST_TYP and jwt.header["kid"] == "did:example:i#k"
    parsed = StatusListToken.parse(jwt.payload)
    assert (parsed.sub, parsed.iat, parsed.exp, parsed.ttl) == (URI, 1000.0, 2000.0, 60.0)
    assert parsed.decode().get(3) == 1
    assert decode_jwt(token).payload == claims


def _payload(**over: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "sub": URI,
        "iat": 1000,
        "status_list": {"bits": 1, "lst": "eNrbuRgAAhcBXQ"},
    }
    raw.update(over)
    return {k: v for k, v in raw.items() if v is not None}


@pytest.mark.parametrize(
    "over",
    [
        {"sub": None},
        {"sub": 5},
        {"iat": None},
        {"iat": "1000"},
        {"iat": True},
        {"exp": -1},
        {"ttl": 0},
        {"ttl": "60"},
        {"iss": 7},
        {"status_list": None},
        {"status_list": {"bits": 3, "lst": "eNrbuRgAAhcBXQ"}},
        {"status_list": {"bits": 1}},
    ],
)
def test_malformed_token_claims(over: dict[str, Any]) -> None:
    with pytest.raises(MalformedValueError):
        StatusListToken.parse(_payload(**over))


def test_reference_roundtrip_and_refusals() -> None:
    assert status_claim(URI, 12) == {"status_list": {"idx": 12, "uri": URI}}
    assert TokenStatusReference.parse(status_claim(URI, 12)) == TokenStatusReference(URI, 12)
    for bad in (
        None,
        {"status_list": None},
        {"status_list": {"idx": -1, "uri": URI}},
        {"status_list": {"idx": "1", "uri": URI}},
        {"status_list": {"idx": True, "uri": URI}},
        {"status_list": {"idx": 1, "uri": "nocolon"}},
        {"status_list": {"idx": 1}},
    ):
        with pytest.raises(MalformedValueError):
            TokenStatusReference.parse(bad)


def test_decode_limit() -> None:
    lst = new_token_list(80_000, 8)
    with pytest.raises(PayloadTooLarge):
        decode_lst(encode_lst(lst), 8, max_bytes=79_999)
    with pytest.raises(MalformedValueError):
        decode_lst("eNrbuRgAAhcBXQ==", 1)
    with pytest.raises(MalformedValueError):
        decode_lst(5, 1)
