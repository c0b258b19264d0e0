"""Packed arrays of n-bit statuses: the decoded form shared by both status list kinds.

The two specifications pack the same array in opposite bit orders:

* W3C Bitstring Status List: index 0 is the **left-most** (most significant) bit of byte 0
  (``BitOrder.MSB_FIRST``); a status of ``statusSize`` bits is read left to right.
* IETF Token Status List: index 0 is the **least significant** bit of byte 0
  (``BitOrder.LSB_FIRST``); each status fills ``bits`` bits from bit 0 upwards.

:func:`read_status` is the hot path of a cached status check: one index computation and one or
two byte reads, no allocation. Sizes of 1 to 8 bits are supported; a status that does not divide
8 (W3C allows ``statusSize`` 3) may straddle two bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from pidm.errors import MalformedValueError, StatusListLengthError, shorten

__all__ = [
    "MAX_BITS",
    "BitOrder",
    "MutableStatusList",
    "StatusList",
    "entry_count",
    "read_status",
]

#: The widest status pidm reads or writes (one byte; the IETF maximum, and W3C's 2**8 messages).
MAX_BITS = 8

_NONZERO = re.compile(rb"[^\x00]")


class BitOrder(StrEnum):
    MSB_FIRST = "msb-first"  # W3C Bitstring Status List
    LSB_FIRST = "lsb-first"  # IETF Token Status List


def _check_bits(bits: object) -> int:
    if type(bits) is not int or not 1 <= bits <= MAX_BITS:
        raise MalformedValueError(f"status size must be an integer 1..{MAX_BITS}: {shorten(bits)}")
    return bits


def entry_count(data: bytes | bytearray, bits: int) -> int:
    """How many whole ``bits``-wide statuses ``data`` holds."""
    return len(data) * 8 // bits


def read_status(data: bytes | bytearray, index: int, bits: int, order: BitOrder) -> int:
    """Return the status at ``index``; the caller has bounds-checked ``index``."""
    bit = index * bits
    pos = bit >> 3
    off = bit & 7
    mask = (1 << bits) - 1
    if off + bits <= 8:
        if order is BitOrder.MSB_FIRST:
            return (data[pos] >> (8 - off - bits)) & mask
        return (data[pos] >> off) & mask
    if order is BitOrder.MSB_FIRST:
        return (((data[pos] << 8) | data[pos + 1]) >> (16 - off - bits)) & mask
    return ((data[pos] | (data[pos + 1] << 8)) >> off) & mask


def _write_status(data: bytearray, index: int, bits: int, order: BitOrder, value: int) -> None:
    bit = index * bits
    pos = bit >> 3
    off = bit & 7
    mask = (1 << bits) - 1
    if off + bits <= 8:
        shift = 8 - off - bits if order is BitOrder.MSB_FIRST else off
        data[pos] = (data[pos] & ~(mask << shift) & 0xFF) | (value << shift)
        return
    if order is BitOrder.MSB_FIRST:
        shift = 16 - off - bits
        word = (data[pos] << 8) | data[pos + 1]
        word = (word & ~(mask << shift) & 0xFFFF) | (value << shift)
        data[pos], data[pos + 1] = word >> 8, word & 0xFF
    else:
        word = data[pos] | (data[pos + 1] << 8)
        word = (word & ~(mask << off) & 0xFFFF) | (value << off)
        data[pos], data[pos + 1] = word & 0xFF, word >> 8


def _bounds(index: object, size: int) -> int:
    if type(index) is not int:
        raise MalformedValueError(f"status list index must be an integer: {shorten(index)}")
    if not 0 <= index < size:
        raise StatusListLengthError(f"index {index} is outside a status list of {size} entries")
    return index


@dataclass(frozen=True, slots=True)
class StatusList:
    """An immutable decoded status list: raw bytes, the status width and the bit order."""

    data: bytes
    bits: int
    order: BitOrder

    def __post_init__(self) -> None:
        _check_bits(self.bits)

    def __len__(self) -> int:
        return entry_count(self.data, self.bits)

    def get(self, index: int) -> int:
        """The status at ``index``; ``STATUS_LIST_LENGTH_ERROR`` when it is out of range."""
        return read_status(self.data, _bounds(index, len(self)), self.bits, self.order)

    def nonzero(self) -> Iterator[tuple[int, int]]:
        """Yield ``(index, status)`` for every non-zero status, in index order (fast on sparse
        lists: zero bytes are skipped by a regex scan)."""
        per_byte_bits = self.bits
        seen = -1
        for match in _NONZERO.finditer(self.data):
            first = match.start() * 8 // per_byte_bits
            last = min(((match.start() + 1) * 8 - 1) // per_byte_bits, len(self) - 1)
            for index in range(max(first, seen + 1), last + 1):
                value = read_status(self.data, index, self.bits, self.order)
                if value:
                    yield index, value
            seen = last

    def thaw(self) -> MutableStatusList:
        """A mutable copy, e.g. to revoke one entry and re-publish."""
        return MutableStatusList(bytearray(self.data), self.bits, self.order)


class MutableStatusList:
    """A status list an issuer edits in place (``set``) and then encodes or freezes."""

    __slots__ = ("bits", "data", "order")

    def __init__(self, data: bytearray, bits: int, order: BitOrder) -> None:
        self.data = data
        self.bits = _check_bits(bits)
        self.order = order

    @classmethod
    def new(cls, entries: int, bits: int, order: BitOrder) -> MutableStatusList:
        """An all-zero list of at least ``entries`` statuses (rounded up to whole bytes)."""
        _check_bits(bits)
        if type(entries) is not int or entries < 1:
            raise MalformedValueError(f"entry count must be a positive integer: {shorten(entries)}")
        return cls(bytearray((entries * bits + 7) // 8), bits, order)

    def __len__(self) -> int:
        return entry_count(self.data, self.bits)

    def get(self, index: int) -> int:
        return read_status(self.data, _bounds(index, len(self)), self.bits, self.order)

    def set(self, index: int, value: int) -> None:
        """Set the status at ``index`` to ``value`` (0 .. 2**bits - 1)."""
        _bounds(index, len(self))
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 1 << self.bits:
            raise MalformedValueError(f"status {shorten(value)} does not fit in {self.bits} bit(s)")
        _write_status(self.data, index, self.bits, self.order, int(value))

    def freeze(self) -> StatusList:
        return StatusList(bytes(self.data), self.bits, self.order)
