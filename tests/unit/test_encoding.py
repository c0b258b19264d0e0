from __future__ import annotations

import random

import base58
import pytest

from pidm.encoding import (
    b64url_decode,
    b64url_encode,
    multibase_decode,
    multibase_encode,
    varint_decode,
    varint_encode,
)
from pidm.errors import MalformedValueError


def test_b64url_round_trip_without_padding() -> None:
    assert b64url_encode(b"\xfb\xff") == "-_8"
    assert b64url_decode("-_8") == b"\xfb\xff"


@pytest.mark.parametrize("bad", ["-_8=", "ab+/", "a", "ab c", "-_9"])
def test_rejects_non_canonical_b64url(bad: str) -> None:
    with pytest.raises(MalformedValueError) as info:
        b64url_decode(bad)
    assert info.value.code == "MALFORMED_VALUE_ERROR"


def test_multibase_prefixes() -> None:
    assert multibase_encode(b"hello") == "zCn8eVZg"
    assert multibase_decode("zCn8eVZg") == b"hello"
    assert multibase_decode("uaGVsbG8") == b"hello"


def test_base58btc_matches_the_base58_package() -> None:
    rng = random.Random(58)
    for size in [0, 1, 2, 31, 32, 33, 64, 65]:
        for zeros in (0, 1, 3):
            data = b"\0" * zeros + rng.randbytes(size)
            text = "z" + base58.b58encode(data).decode("ascii")
            assert multibase_decode(text) == data == base58.b58decode(text[1:])
    assert multibase_decode("z111") == b"\0\0\0"
    assert multibase_decode("z") == b""


@pytest.mark.parametrize("bad", ["", "mAAAA", "z0OIl", "Cn8eVZg", "z2g\n", "z\n", "uAAAA\n"])
def test_rejects_bad_multibase(bad: str) -> None:
    with pytest.raises(MalformedValueError):
        multibase_decode(bad)


def test_varint_multicodec_headers() -> None:
    assert varint_encode(0xED) == b"\xed\x01"
    assert varint_encode(0x1200) == b"\x80\x24"
    assert varint_decode(b"\x80\x24\x02") == (0x1200, 2)
    with pytest.raises(MalformedValueError):
        varint_decode(b"\x80\x80")
