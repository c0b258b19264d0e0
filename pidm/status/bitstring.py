"""W3C Bitstring Status List v1.0: the ``encodedList`` value (§2.2, §3.3, §3.4).

``encodedList`` is multibase base64url (prefix ``u``, no padding) of the GZIP-compressed
bitstring; index 0 is the left-most bit (MSB-first). A list must hold at least 131,072 entries
(§3.2 ``minimumNumberOfEntries``, the herd-privacy minimum) of ``statusSize`` bits each.
"""

from __future__ import annotations

from pidm.encoding import b64url_encode, multibase_decode
from pidm.errors import MalformedValueError, StatusListLengthError, shorten
from pidm.status.inflate import (
    DEFAULT_LEVEL,
    DEFAULT_MAX_INFLATED,
    Container,
    deflate,
    inflate,
)
from pidm.status.packed import BitOrder, MutableStatusList, StatusList, entry_count

__all__ = [
    "MIN_ENTRIES",
    "check_min_entries",
    "decode_bitstring",
    "encode_bitstring",
    "new_bitstring",
]

#: §3.2: ``minimumNumberOfEntries`` unless an ecosystem specification sets another bound.
MIN_ENTRIES = 131_072


def new_bitstring(
    entries: int = MIN_ENTRIES, status_size: int = 1, *, min_entries: int = MIN_ENTRIES
) -> MutableStatusList:
    """An all-zero bitstring of ``entries`` statuses of ``status_size`` bits (§3.3)."""
    if type(entries) is int and entries < min_entries:
        raise StatusListLengthError(f"a status list needs at least {min_entries} entries")
    return MutableStatusList.new(entries, status_size, BitOrder.MSB_FIRST)


def encode_bitstring(
    bitstring: StatusList | MutableStatusList | bytes, *, level: int = DEFAULT_LEVEL
) -> str:
    """``encodedList`` for ``bitstring``: ``u`` + base64url(GZIP(bytes))."""
    data = bitstring if isinstance(bitstring, bytes) else bitstring.data
    if not isinstance(bitstring, bytes) and bitstring.order is not BitOrder.MSB_FIRST:
        raise MalformedValueError("a Bitstring Status List is MSB-first")
    return "u" + b64url_encode(deflate(data, Container.GZIP, level=level))


def decode_bitstring(encoded: str, *, max_bytes: int = DEFAULT_MAX_INFLATED) -> bytes:
    """The uncompressed bitstring of an ``encodedList`` (§3.4), at most ``max_bytes`` long.

    ``MALFORMED_VALUE_ERROR`` for a prefix other than ``u``, bad base64url or a broken GZIP
    stream; ``PAYLOAD_TOO_LARGE`` when the compressed or expanded data is too large.
    """
    if not isinstance(encoded, str) or not encoded.startswith("u"):
        raise MalformedValueError(
            f"encodedList must be multibase base64url ('u' prefix): {shorten(encoded)}"
        )
    compressed = multibase_decode(encoded, field="encodedList", allowed="u")
    return inflate(compressed, Container.GZIP, max_bytes=max_bytes, field="encodedList")


def check_min_entries(data: bytes, status_size: int, min_entries: int = MIN_ENTRIES) -> int:
    """Return the entry count; ``STATUS_LIST_LENGTH_ERROR`` below ``min_entries`` (§3.2)."""
    count = entry_count(data, status_size)
    if count < min_entries:
        raise StatusListLengthError(
            f"status list has {count} entries of {status_size} bit(s); "
            f"at least {min_entries} are required for herd privacy"
        )
    return count
