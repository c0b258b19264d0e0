"""Byte encodings the standards use: base64url (RFC 4648 §5, no padding), multibase
(base58btc ``z``, base64url ``u``) and unsigned-varint multicodec headers.

Decoders are strict: non-canonical or padded input is refused with ``MALFORMED_VALUE_ERROR``.
"""

from __future__ import annotations

import base64
import binascii
import re

import base58

from pidm.errors import MalformedValueError, shorten

_B64URL = re.compile(r"^[A-Za-z0-9_-]*$")
_B58 = re.compile(r"^[1-9A-HJ-NP-Za-km-z]*$")
_B58_DIGITS = {c: i for i, c in enumerate(
    "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz")}


def b64url_encode(data: bytes) -> str:
    """Return unpadded base64url text for ``data``."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str, *, field: str = "value") -> bytes:
    """Decode unpadded base64url; raise MalformedValueError on any other alphabet or padding."""
    if not isinstance(text, str) or not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        raise MalformedValueError(f"'{field}' is not base64url: {shorten(text)}")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:  # pragma: no cover - regex guards this
        raise MalformedValueError(f"'{field}' is not base64url: {shorten(text)}") from exc
    if b64url_encode(data) != text:
        raise MalformedValueError(f"'{field}' is not canonical base64url: {shorten(text)}")
    return data


def multibase_encode(data: bytes, base: str = "z") -> str:
    """Encode ``data`` as multibase: ``z`` = base58btc, ``u`` = base64url."""
    if base == "z":
        return "z" + base58.b58encode(data).decode("ascii")
    if base == "u":
        return "u" + b64url_encode(data)
    raise MalformedValueError(f"unsupported multibase prefix {shorten(base)}")


def multibase_decode(text: str, *, field: str = "value", allowed: str = "zu") -> bytes:
    """Decode a multibase string whose prefix is in ``allowed``."""
    if not isinstance(text, str) or not text or text[0] not in allowed:
        raise MalformedValueError(
            f"'{field}' must be multibase with prefix {' or '.join(allowed)}: {shorten(text)}"
        )
    body = text[1:]
    if text[0] == "u":
        return b64url_decode(body, field=field)
    if not _B58.fullmatch(body):  # match() let 'z…\n' through to a KeyError
        raise MalformedValueError(f"'{field}' is not base58btc: {shorten(text)}")
    return _b58decode(body)


def _b58decode(body: str) -> bytes:
    """base58btc (already checked against the alphabet): each leading ``1`` is a zero byte, the
    rest one big-endian number (``base58.b58decode``'s result, without its per-byte loop)."""
    number = 0
    digits = _B58_DIGITS
    for char in body:
        number = number * 58 + digits[char]
    zeros = len(body) - len(body.lstrip("1"))
    return b"\0" * zeros + number.to_bytes((number.bit_length() + 7) // 8, "big")


def varint_encode(value: int) -> bytes:
    """Unsigned LEB128 varint, as multicodec uses."""
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def varint_decode(data: bytes) -> tuple[int, int]:
    """Return (value, bytes consumed) for a varint at the start of ``data`` (at most 9 bytes)."""
    value = 0
    for i, byte in enumerate(data[:9]):
        value |= (byte & 0x7F) << (7 * i)
        if not byte & 0x80:
            if i and byte == 0:
                raise MalformedValueError("non-minimal varint")
            return value, i + 1
    raise MalformedValueError("truncated or oversized varint")


def multicodec_wrap(code: int, data: bytes) -> bytes:
    return varint_encode(code) + data


def multicodec_unwrap(data: bytes) -> tuple[int, bytes]:
    """Split a multicodec-prefixed value into (codec, payload)."""
    code, used = varint_decode(data)
    return code, data[used:]
