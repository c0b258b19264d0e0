"""Disclosures (RFC 9901 §4.2): ``base64url(JSON [salt, name, value])`` for an object property,
``base64url(JSON [salt, value])`` for an array element, and their SHA-256 digests."""

from __future__ import annotations

import binascii
import hashlib
import json
import secrets
from collections.abc import Callable, Sequence
from json.scanner import make_scanner
from typing import Any, NamedTuple, cast

from pidm.encoding import b64url_encode
from pidm.errors import (
    DisclosureInvalid,
    MalformedValueError,
    PidmError,
    SdAlgUnsupported,
    shorten,
)
from pidm.jose import _LAST_VALUE, _TO_STANDARD, MAX_JSON_DEPTH, b64url_strict, json_loads
from pidm.keys import Rng

#: The only digest algorithm pidm issues and accepts (RFC 9901 §4.1.1 default).
SD_ALG = "sha-256"
SD_KEY = "_sd"
SD_ALG_KEY = "_sd_alg"
ELLIPSIS = "..."
#: Salt length in bytes: 128 bits, as RFC 9901 §9.3 recommends.
SALT_BYTES = 16


_TO_URLSAFE = bytes.maketrans(b"+/", b"-_")


def sd_digest(text: str) -> str:
    """base64url(SHA-256(ASCII(text))) — the digest of a disclosure, and the ``sd_hash``."""
    digest = hashlib.sha256(text.encode("ascii")).digest()
    # 32 bytes -> 43 characters plus one '=' of padding.
    return binascii.b2a_base64(digest, newline=False)[:43].translate(_TO_URLSAFE).decode()


def new_salt(rng: Rng = secrets.token_bytes) -> str:
    """A fresh salt: 128 bits from ``rng``, base64url."""
    return b64url_encode(rng(SALT_BYTES))


def decoy_digest(rng: Rng = secrets.token_bytes) -> str:
    """A digest that matches no disclosure (RFC 9901 §4.2.5)."""
    return sd_digest(new_salt(rng))


_scan: Callable[[str, int], tuple[Any, int]] = make_scanner(cast(Any, json.JSONDecoder()))


def _fast_array(raw: bytes) -> list[Any] | None:
    """Decode the common disclosure — a JSON array of scalars and arrays, no whitespace around
    it — with one call of the C scanner; None sends anything else to the strict decoder.

    Without ``{`` there is no object (so no duplicate member names) and without ``NaN`` /
    ``Infinity`` no non-standard constant, so the plain scanner is exactly as strict there.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if (
        not text
        or text[0] != "["
        or text[-1] != "]"
        or "{" in text
        or "NaN" in text
        or "Infinity" in text
        or text.count("[") > MAX_JSON_DEPTH
    ):
        return None
    try:
        value, end = _scan(text, 0)
    except (StopIteration, ValueError, RecursionError):
        return None
    return value if end == len(text) and type(value) is list else None


class Disclosure(NamedTuple):
    """One disclosure: its encoded text, its parts and its digest.

    ``name`` is None for an array-element disclosure. An immutable NamedTuple rather than a
    frozen dataclass: a verifier builds one per disclosure per presentation, and tuple
    construction is several times cheaper than a frozen dataclass's ``__init__``.
    """

    encoded: str
    salt: str
    name: str | None
    value: Any
    digest: str

    @classmethod
    def create(cls, salt: str, name: str | None, value: Any) -> Disclosure:
        """Encode a disclosure as the RFC's example generator does: ``json.dumps`` defaults,
        i.e. ``", "`` separators and non-ASCII escaped (``\\u00f6``), so the bytes are ASCII."""
        parts = [salt, value] if name is None else [salt, name, value]
        try:
            text = json.dumps(parts, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise MalformedValueError(f"claim {shorten(name)} is not plain JSON: {exc}") from exc
        encoded = b64url_encode(text.encode("ascii"))
        return cls(encoded, salt, name, value, sd_digest(encoded))

    @classmethod
    def parse(cls, encoded: str) -> Disclosure:
        """Decode one disclosure; anything but a well-formed one is ``DISCLOSURE_INVALID``."""
        return parse_disclosures((encoded,))[0]

    def to_json(self) -> list[Any]:
        return [self.salt, self.value] if self.name is None else [self.salt, self.name, self.value]


_new_tuple = tuple.__new__


def _parse_one(encoded: Any) -> Disclosure:
    raw = b64url_strict(encoded) if type(encoded) is str else None
    if raw is None:
        raise DisclosureInvalid(f"disclosure {shorten(encoded, 40)} is not base64url")
    parts = _fast_array(raw)
    if parts is None:
        try:
            parts = json_loads(raw, what="disclosure")
        except PidmError as exc:
            raise DisclosureInvalid(f"disclosure {shorten(encoded, 40)}: {exc}") from exc
    size = len(parts) if type(parts) is list else 0
    if size == 3:
        salt, name, value = parts
        if type(name) is not str:
            raise DisclosureInvalid("disclosure claim name must be a string")
        if name == SD_KEY or name == ELLIPSIS:
            raise DisclosureInvalid(f"disclosure claim name {name!r} is reserved")
    elif size == 2:
        salt, value = parts
        name = None
    else:
        raise DisclosureInvalid("a disclosure is a JSON array of 2 or 3 elements")
    if type(salt) is not str:
        raise DisclosureInvalid("disclosure salt must be a string")
    # tuple.__new__ skips NamedTuple's Python-level __new__ (a verifier makes one per disclosure).
    return _new_tuple(Disclosure, (encoded, salt, name, value, sd_digest(encoded)))


_PAD = (b"", b"", b"==", b"=")
_LAST_MASK = (0, 0, 0x0F, 0x03)
_SCAN_ERRORS = (StopIteration, ValueError, RecursionError)


def _fast_one(text: str) -> Disclosure | None:
    """:func:`_parse_one` for the common disclosure in one frame (a verifier's hot loop):
    canonical base64url of a JSON array without objects or non-standard constants. None for
    anything else, which :func:`_parse_one` then decodes or refuses with its message."""
    rest = len(text) & 3
    if rest == 1:
        return None
    try:
        ascii_text = text.encode("ascii")
        raw = binascii.a2b_base64(
            ascii_text.translate(_TO_STANDARD) + _PAD[rest], strict_mode=True
        )
        json_text = raw.decode("utf-8")
    except (UnicodeError, binascii.Error):
        return None
    if (
        (rest and _LAST_VALUE.get(text[-1], 1) & _LAST_MASK[rest])
        or not json_text
        or json_text[0] != "["
        or json_text[-1] != "]"
        or "{" in json_text
        or "NaN" in json_text
        or "Infinity" in json_text
        or json_text.count("[") > MAX_JSON_DEPTH
    ):
        return None
    try:
        parts, end = _scan(json_text, 0)
    except _SCAN_ERRORS:
        return None
    if end != len(json_text) or type(parts) is not list:
        return None
    size = len(parts)
    if size == 3:
        salt, name, value = parts
        if type(name) is not str or name == SD_KEY or name == ELLIPSIS:
            return None
    elif size == 2:
        salt, value = parts
        name = None
    else:
        return None
    if type(salt) is not str:
        return None
    digest = hashlib.sha256(ascii_text).digest()
    b64 = binascii.b2a_base64(digest, newline=False)[:43].translate(_TO_URLSAFE).decode()
    return _new_tuple(Disclosure, (text, salt, name, value, b64))


def parse_disclosures(encoded: Sequence[str]) -> tuple[Disclosure, ...]:
    """Decode disclosures in order (see :meth:`Disclosure.parse`)."""
    out = []
    for text in encoded:
        found = _fast_one(text) if type(text) is str else None
        out.append(found if found is not None else _parse_one(text))
    return tuple(out)


def check_sd_alg(payload: dict[str, Any]) -> None:
    """Refuse any ``_sd_alg`` but sha-256 (absent means sha-256)."""
    alg = payload.get(SD_ALG_KEY, SD_ALG)
    if alg != SD_ALG:
        raise SdAlgUnsupported(f"_sd_alg {shorten(alg)} is not supported; only {SD_ALG}")


__all__ = [
    "ELLIPSIS",
    "SALT_BYTES",
    "SD_ALG",
    "SD_ALG_KEY",
    "SD_KEY",
    "Disclosure",
    "check_sd_alg",
    "decoy_digest",
    "new_salt",
    "parse_disclosures",
    "sd_digest",
]
