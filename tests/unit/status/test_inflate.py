"""Bounded GZIP / ZLIB inflation."""

from __future__ import annotations

import gzip
import zlib

import pytest

from pidm.errors import MalformedValueError, PayloadTooLarge
from pidm.status.inflate import Container, deflate, inflate


@pytest.mark.parametrize("container", list(Container))
def test_roundtrip(container: Container) -> None:
    data = bytes(range(256)) * 100
    assert inflate(deflate(data, container), container) == data


def test_gzip_output_is_deterministic_and_standard() -> None:
    data = b"\0" * 16384
    out = deflate(data, Container.GZIP)
    assert out == deflate(data, Container.GZIP)
    assert out[:2] == b"\x1f\x8b" and gzip.decompress(out) == data


def test_zlib_output_is_standard() -> None:
    assert zlib.decompress(deflate(b"abc", Container.ZLIB)) == b"abc"


def test_exact_limit_is_accepted_one_more_is_not() -> None:
    data = b"\0" * 1000
    assert inflate(deflate(data, Container.ZLIB), Container.ZLIB, max_bytes=1000) == data
    with pytest.raises(PayloadTooLarge) as exc:
        inflate(deflate(data, Container.ZLIB), Container.ZLIB, max_bytes=999)
    assert exc.value.code == "PAYLOAD_TOO_LARGE"


def test_wrong_container_is_malformed() -> None:
    with pytest.raises(MalformedValueError):
        inflate(deflate(b"x", Container.ZLIB), Container.GZIP)
    with pytest.raises(MalformedValueError):
        inflate(deflate(b"x", Container.GZIP), Container.ZLIB)


def test_empty_and_truncated_are_malformed() -> None:
    with pytest.raises(MalformedValueError, match="truncated"):
        inflate(b"", Container.GZIP)
    full = deflate(bytes(range(256)) * 64, Container.GZIP)
    with pytest.raises(MalformedValueError, match="truncated"):
        inflate(full[:-6], Container.GZIP)


def test_trailing_bytes_and_second_member_are_malformed() -> None:
    one = deflate(b"abc", Container.GZIP)
    with pytest.raises(MalformedValueError, match="after the end"):
        inflate(one + one, Container.GZIP)
    with pytest.raises(MalformedValueError, match="after the end"):
        inflate(deflate(b"abc", Container.ZLIB) + b"\0", Container.ZLIB)


def test_bad_checksum_is_malformed() -> None:
    good = bytearray(deflate(b"hello world", Container.ZLIB))
    good[-1] ^= 1
    with pytest.raises(MalformedValueError):
        inflate(bytes(good), Container.ZLIB)
