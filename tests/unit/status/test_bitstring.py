"""W3C encodedList: GZIP + multibase base64url, MSB-first, 131,072-entry minimum."""

from __future__ import annotations

import gzip

import pytest

from pidm.encoding import b64url_decode
from pidm.errors import MalformedValueError, StatusListLengthError
from pidm.status.bitstring import (
    MIN_ENTRIES,
    check_min_entries,
    decode_bitstring,
    encode_bitstring,
    new_bitstring,
)
from pidm.status.packed import BitOrder, StatusList
from pidm.status.token import new_token_list


def test_new_bitstring_default_is_16kib_of_zeros() -> None:
    bits = new_bitstring()
    assert len(bits) == MIN_ENTRIES and len(bits.data) == 16384 and not any(bits.data)


def test_encode_is_u_prefixed_gzip() -> None:
    bits = new_bitstring()
    bits.set(94567, 1)
    encoded = encode_bitstring(bits)
    assert encoded[0] == "u"
    raw = gzip.decompress(b64url_decode(encoded[1:]))
    assert raw[94567 // 8] == 0x80 >> (94567 % 8)
    decoded = StatusList(decode_bitstring(encoded), 1, BitOrder.MSB_FIRST)
    assert list(decoded.nonzero()) == [(94567, 1)]


def test_multibit_roundtrip() -> None:
    bits = new_bitstring(MIN_ENTRIES, 2)
    bits.set(492847 % MIN_ENTRIES, 2)
    decoded = StatusList(decode_bitstring(encode_bitstring(bits)), 2, BitOrder.MSB_FIRST)
    assert decoded.get(492847 % MIN_ENTRIES) == 2 and len(decoded) == MIN_ENTRIES


def test_small_list_refused_at_generation_and_validation() -> None:
    with pytest.raises(StatusListLengthError):
        new_bitstring(1024)
    assert len(new_bitstring(1024, min_entries=1024)) == 1024
    data = bytes(16384)
    assert check_min_entries(data, 1) == MIN_ENTRIES
    with pytest.raises(StatusListLengthError) as exc:
        check_min_entries(data, 2)  # 65,536 two-bit entries
    assert exc.value.code == "STATUS_LIST_LENGTH_ERROR"
    assert check_min_entries(data, 2, min_entries=65536) == 65536


def test_lsb_list_is_not_a_bitstring() -> None:
    with pytest.raises(MalformedValueError):
        encode_bitstring(new_token_list(16))


def test_raw_bytes_accepted() -> None:
    assert decode_bitstring(encode_bitstring(b"\x01\x02")) == b"\x01\x02"
