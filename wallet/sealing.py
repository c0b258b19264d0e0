"""Sealing: Argon2id passphrase keys and XSalsa20-Poly1305 boxes with bound associated data.

A passphrase (NFC-normalised UTF-8) and a random 16-byte salt go through Argon2id
(libsodium ``crypto_pwhash``, via PyNaCl) to a 32-byte key; data is sealed with
``crypto_secretbox`` (XSalsa20-Poly1305, random 24-byte nonce). SecretBox has no associated
data, so the associated data (a record's kind and id, a file header) is put inside the sealed
plaintext, length-prefixed, and compared on unsealing: a box moved to another record fails.

Sealed blob layout: ``0x01 || nonce(24) || secretbox(u16be(len(aad)) || aad || message)``.

Every unsealing failure — wrong key, flipped byte, truncated blob, other associated data,
unknown layout byte — raises the one opaque :class:`~pidm.errors.WrongPassphrase`, as pyca's
Fernet raises ``InvalidToken``: no oracle telling them apart.

Python cannot reliably wipe memory; keys live in :class:`SealingKey` objects that never show
their bytes in ``repr`` and are dropped when the wallet is closed.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import nacl.bindings
import nacl.exceptions
import nacl.pwhash.argon2id as _argon2id

from pidm.errors import MalformedValueError, WrongPassphrase, shorten

Rng = Callable[[int], bytes]

KEY_BYTES = 32
SALT_BYTES = _argon2id.SALTBYTES
NONCE_BYTES = nacl.bindings.crypto_secretbox_NONCEBYTES
MAC_BYTES = nacl.bindings.crypto_secretbox_MACBYTES
LAYOUT_V1 = 1
KDF_NAME = "argon2id13"

#: Upper bounds accepted when reading KDF parameters from a file, so a hostile header or backup
#: cannot make opening it take hours or all the memory (SENSITIVE is ops 4, 1 GiB).
MAX_OPSLIMIT = 32
MAX_MEMLIMIT = 2 * 1024**3


@dataclass(frozen=True, slots=True)
class KdfParams:
    """Argon2id cost parameters as recorded in a wallet or backup header.

    ``MODERATE`` (3 passes, 256 MiB, about a second) is the default for real wallets;
    ``INTERACTIVE`` (2, 64 MiB) and ``MINIMUM`` (1, 8 KiB) exist for tests and benchmarks.
    """

    opslimit: int
    memlimit: int
    name: str = KDF_NAME

    MODERATE: ClassVar[KdfParams]
    INTERACTIVE: ClassVar[KdfParams]
    SENSITIVE: ClassVar[KdfParams]
    MINIMUM: ClassVar[KdfParams]

    def __post_init__(self) -> None:
        if self.name != KDF_NAME:
            raise MalformedValueError(f"unsupported KDF {shorten(self.name)}")
        ops, mem = self.opslimit, self.memlimit
        if type(ops) is not int or not _argon2id.OPSLIMIT_MIN <= ops <= MAX_OPSLIMIT:
            raise MalformedValueError(f"KDF 'opslimit' out of range: {shorten(ops)}")
        if type(mem) is not int or not _argon2id.MEMLIMIT_MIN <= mem <= MAX_MEMLIMIT:
            raise MalformedValueError(f"KDF 'memlimit' out of range: {shorten(mem)}")

    @classmethod
    def parse(cls, value: Mapping[str, Any]) -> KdfParams:
        """Parse ``{"name", "opslimit", "memlimit"}``; MALFORMED_VALUE_ERROR when out of bounds."""
        if not isinstance(value, Mapping):
            raise MalformedValueError("KDF parameters must be an object")
        ops, mem, name = value.get("opslimit"), value.get("memlimit"), value.get("name", KDF_NAME)
        if type(ops) is not int or type(mem) is not int or not isinstance(name, str):
            raise MalformedValueError("KDF 'opslimit', 'memlimit' must be integers")
        return cls(ops, mem, name)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "opslimit": self.opslimit, "memlimit": self.memlimit}


KdfParams.MODERATE = KdfParams(_argon2id.OPSLIMIT_MODERATE, _argon2id.MEMLIMIT_MODERATE)
KdfParams.INTERACTIVE = KdfParams(_argon2id.OPSLIMIT_INTERACTIVE, _argon2id.MEMLIMIT_INTERACTIVE)
KdfParams.SENSITIVE = KdfParams(_argon2id.OPSLIMIT_SENSITIVE, _argon2id.MEMLIMIT_SENSITIVE)
KdfParams.MINIMUM = KdfParams(_argon2id.OPSLIMIT_MIN, _argon2id.MEMLIMIT_MIN)


class SealingKey:
    """A 32-byte symmetric key. ``repr`` never shows it; build one with the functions below."""

    __slots__ = ("_raw",)

    def __init__(self, raw: bytes) -> None:
        if len(raw) != KEY_BYTES:
            raise TypeError("a sealing key is 32 bytes")
        self._raw = bytes(raw)

    def __repr__(self) -> str:
        return "SealingKey(<hidden>)"

    def subkey(self, purpose: str) -> SealingKey:
        """Derive an independent key for ``purpose`` (keyed BLAKE2b, domain-separated)."""
        return SealingKey(self.tag(b"pidm-subkey/1:" + purpose.encode()))

    def tag(self, message: bytes) -> bytes:
        """Return a 32-byte keyed BLAKE2b MAC of ``message``."""
        return hashlib.blake2b(message, key=self._raw, digest_size=32).digest()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SealingKey) and hmac.compare_digest(self._raw, other._raw)


def generate_key(rng: Rng = secrets.token_bytes) -> SealingKey:
    """Return a fresh random key from ``rng``."""
    return SealingKey(rng(KEY_BYTES))


def new_salt(rng: Rng = secrets.token_bytes) -> bytes:
    """Return a fresh 16-byte Argon2id salt."""
    return rng(SALT_BYTES)


def derive_key(passphrase: str, salt: bytes, params: KdfParams) -> SealingKey:
    """Derive a key from ``passphrase`` with Argon2id; raises MALFORMED_VALUE_ERROR on bad input."""
    if not isinstance(passphrase, str):
        raise TypeError("passphrase must be a str")
    if len(salt) != SALT_BYTES:
        raise MalformedValueError(f"Argon2id salt must be {SALT_BYTES} bytes, got {len(salt)}")
    secret = unicodedata.normalize("NFC", passphrase).encode("utf-8")
    try:
        raw = _argon2id.kdf(
            KEY_BYTES, secret, salt, opslimit=params.opslimit, memlimit=params.memlimit
        )
    except (nacl.exceptions.CryptoError, ValueError, TypeError) as exc:
        raise MalformedValueError("Argon2id rejected the KDF parameters") from exc
    return SealingKey(raw)


def seal(key: SealingKey, message: bytes, *, aad: bytes, rng: Rng = secrets.token_bytes) -> bytes:
    """Encrypt and authenticate ``message`` bound to ``aad``; returns the sealed blob."""
    if len(aad) > 0xFFFF:
        raise MalformedValueError("associated data longer than 65535 bytes")
    inner = len(aad).to_bytes(2, "big") + aad + message
    nonce = rng(NONCE_BYTES)
    if len(nonce) != NONCE_BYTES:
        raise TypeError("rng returned the wrong number of bytes")
    box = nacl.bindings.crypto_secretbox_easy(inner, nonce, key._raw)
    return bytes([LAYOUT_V1]) + nonce + box


def unseal_with_aad(key: SealingKey, sealed: bytes) -> tuple[bytes, bytes]:
    """Decrypt ``sealed``; return ``(aad, message)``. Raises WRONG_PASSPHRASE on any failure."""
    if len(sealed) < 1 + NONCE_BYTES + MAC_BYTES + 2 or sealed[0] != LAYOUT_V1:
        raise WrongPassphrase("sealed data is damaged or the key is wrong")
    nonce, box = sealed[1 : 1 + NONCE_BYTES], sealed[1 + NONCE_BYTES :]
    try:
        inner = nacl.bindings.crypto_secretbox_open_easy(box, nonce, key._raw)
    except nacl.exceptions.CryptoError:
        raise WrongPassphrase("sealed data is damaged or the key is wrong") from None
    size = int.from_bytes(inner[:2], "big")
    if len(inner) < 2 + size:
        raise WrongPassphrase("sealed data is damaged or the key is wrong")
    return inner[2 : 2 + size], inner[2 + size :]


def unseal(key: SealingKey, sealed: bytes, *, aad: bytes) -> bytes:
    """Decrypt ``sealed`` and check it was bound to ``aad``; WRONG_PASSPHRASE otherwise."""
    found, message = unseal_with_aad(key, sealed)
    if not hmac.compare_digest(found, aad):
        raise WrongPassphrase("sealed data belongs elsewhere or the key is wrong")
    return message


def wrap_key(
    kek: SealingKey, key: SealingKey, *, aad: bytes, rng: Rng = secrets.token_bytes
) -> bytes:
    """Seal ``key`` under the key-encryption key ``kek``."""
    return seal(kek, key._raw, aad=aad, rng=rng)


def unwrap_key(kek: SealingKey, wrapped: bytes, *, aad: bytes) -> SealingKey:
    """Unseal a key wrapped by :func:`wrap_key`; WRONG_PASSPHRASE on any failure."""
    raw = unseal(kek, wrapped, aad=aad)
    if len(raw) != KEY_BYTES:
        raise WrongPassphrase("wrapped key is damaged")
    return SealingKey(raw)
