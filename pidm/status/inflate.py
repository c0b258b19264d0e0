"""Bounded GZIP / ZLIB compression for status lists.

A status list arrives compressed from a server we do not control, and a few kilobytes of
DEFLATE can expand to gigabytes. :func:`inflate` therefore asks zlib for at most
``max_bytes + 1`` bytes of output (``decompressobj(...).decompress(data, max_length)``), so a
bomb costs bounded time and memory and ends in ``PAYLOAD_TOO_LARGE``. Truncated streams, bad
checksums, the wrong container and trailing bytes are ``MALFORMED_VALUE_ERROR``.
"""

from __future__ import annotations

import zlib
from enum import IntEnum

from pidm.errors import MalformedValueError, PayloadTooLarge

__all__ = ["DEFAULT_MAX_INFLATED", "Container", "deflate", "inflate"]

#: Largest decoded list accepted by default: 16 MiB = 16,777,216 one-byte statuses.
DEFAULT_MAX_INFLATED = 16 * 1024 * 1024

#: Compression level for publishing: level 6 is ~3x faster than 9 on large lists for a few
#: percent more bytes (see bench/status.py); re-publishing after a revocation must be fast.
DEFAULT_LEVEL = 6


class Container(IntEnum):
    """zlib ``wbits`` selecting the container: GZIP (RFC 1952) or ZLIB (RFC 1950)."""

    GZIP = 16 + zlib.MAX_WBITS  # W3C Bitstring Status List
    ZLIB = zlib.MAX_WBITS  # IETF Token Status List


def deflate(data: bytes | bytearray, container: Container, *, level: int = DEFAULT_LEVEL) -> bytes:
    """Compress ``data``; deterministic (a GZIP header carries mtime 0)."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, int(container))
    return compressor.compress(data) + compressor.flush()


def inflate(
    data: bytes,
    container: Container,
    *,
    max_bytes: int = DEFAULT_MAX_INFLATED,
    field: str = "status list",
) -> bytes:
    """Decompress one complete ``container`` stream of at most ``max_bytes`` decoded bytes."""
    decompressor = zlib.decompressobj(int(container))
    try:
        out = decompressor.decompress(data, max_bytes + 1)
    except zlib.error as exc:
        raise MalformedValueError(f"{field} is not valid {container.name} data: {exc}") from exc
    if len(out) > max_bytes:
        raise PayloadTooLarge(f"{field} expands past the limit of {max_bytes} bytes")
    if not decompressor.eof:
        raise MalformedValueError(f"{field} is a truncated {container.name} stream")
    if decompressor.unused_data:
        raise MalformedValueError(f"{field} has bytes after the end of its {container.name} stream")
    return out
