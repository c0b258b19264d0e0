"""Key pairs (Ed25519 via PyNaCl, P-256 via cryptography) behind one narrow Signer / Verifier
interface, and their encodings: Multikey (``publicKeyMultibase``), JWK (RFC 7517, OKP and EC),
raw bytes, and JWK thumbprints (RFC 7638).

Library key types never cross this module's public surface; their exceptions are turned into
``INVALID_KEY`` here.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, Protocol

import nacl.exceptions
import nacl.signing
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from pidm.encoding import (
    b64url_decode,
    b64url_encode,
    multibase_decode,
    multibase_encode,
    multicodec_unwrap,
    multicodec_wrap,
)
from pidm.errors import KeyMaterialError, MalformedValueError, UnsupportedAlgorithm, shorten

Algorithm = Literal["Ed25519", "ES256"]
Rng = Callable[[int], bytes]

ED25519_PUB = 0xED
ED25519_PRIV = 0x1300
P256_PUB = 0x1200
P256_PRIV = 0x1306
_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551

#: JOSE ``alg`` for each key algorithm; a JWS whose alg differs from the key's is refused.
JOSE_ALG: dict[str, str] = {"Ed25519": "EdDSA", "ES256": "ES256"}


class Signer(Protocol):
    @property
    def key_id(self) -> str: ...

    @property
    def algorithm(self) -> str: ...

    def sign(self, data: bytes) -> bytes: ...


class Verifier(Protocol):
    @property
    def key_id(self) -> str: ...

    @property
    def algorithm(self) -> str: ...

    def verify(self, data: bytes, signature: bytes) -> bool: ...


class KeyRing(Protocol):
    def signer_for(self, key_id: str) -> Signer | None: ...


class NoEncryption:
    """Marker: export a private key unencrypted (the caller protects the file)."""


@lru_cache(maxsize=1024)
def _p256_public(raw: bytes) -> ec.EllipticCurvePublicKey:
    try:
        return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
    except ValueError as exc:
        raise KeyMaterialError("P-256 public key is not a valid curve point") from exc


@lru_cache(maxsize=1024)
def _ed25519_public(raw: bytes) -> nacl.signing.VerifyKey:
    return nacl.signing.VerifyKey(raw)


def _compress_p256(x: bytes, y: bytes) -> bytes:
    try:
        numbers = ec.EllipticCurvePublicNumbers(
            int.from_bytes(x, "big"), int.from_bytes(y, "big"), ec.SECP256R1()
        )
        key = numbers.public_key()
    except ValueError as exc:
        raise KeyMaterialError("P-256 JWK is not a valid curve point") from exc
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return key.public_bytes(Encoding.X962, PublicFormat.CompressedPoint)


@dataclass(frozen=True, slots=True)
class PublicKey:
    """A public key: ``algorithm`` plus its raw form (32-byte Ed25519, 33-byte compressed P-256)."""

    algorithm: Algorithm
    raw: bytes

    def __post_init__(self) -> None:
        if self.algorithm == "Ed25519":
            if len(self.raw) != 32:
                raise KeyMaterialError("Ed25519 public key must be 32 bytes")
        elif self.algorithm == "ES256":
            if len(self.raw) != 33:
                raise KeyMaterialError("P-256 public key must be a 33-byte compressed point")
            _p256_public(self.raw)
        else:
            raise UnsupportedAlgorithm(f"unsupported key algorithm {shorten(self.algorithm)}")

    # --- Multikey ---------------------------------------------------------------------------
    @classmethod
    def from_multikey(cls, value: str) -> PublicKey:
        """Parse a ``publicKeyMultibase`` value (base58btc, multicodec-prefixed)."""
        data = multibase_decode(value, field="publicKeyMultibase", allowed="z")
        try:
            code, body = multicodec_unwrap(data)
        except MalformedValueError as exc:
            raise KeyMaterialError(f"bad multicodec header in {shorten(value)}") from exc
        if code == ED25519_PUB:
            return cls("Ed25519", body)
        if code == P256_PUB:
            return cls("ES256", body)
        raise UnsupportedAlgorithm(f"unsupported multicodec 0x{code:x} in {shorten(value)}")

    def to_multikey(self) -> str:
        code = ED25519_PUB if self.algorithm == "Ed25519" else P256_PUB
        return multibase_encode(multicodec_wrap(code, self.raw))

    # --- JWK --------------------------------------------------------------------------------
    @classmethod
    def from_jwk(cls, jwk: Mapping[str, Any]) -> PublicKey:
        """Parse a public JWK (OKP/Ed25519 or EC/P-256); other members are ignored."""
        if not isinstance(jwk, Mapping):
            raise KeyMaterialError("JWK must be a JSON object")
        kty, crv = jwk.get("kty"), jwk.get("crv")
        if kty == "OKP" and crv == "Ed25519":
            return cls("Ed25519", _jwk_coord(jwk, "x", 32))
        if kty == "EC" and crv == "P-256":
            return cls("ES256", _compress_p256(_jwk_coord(jwk, "x", 32), _jwk_coord(jwk, "y", 32)))
        raise UnsupportedAlgorithm(f"unsupported JWK kty/crv {shorten(kty)}/{shorten(crv)}")

    def to_jwk(self) -> dict[str, str]:
        if self.algorithm == "Ed25519":
            return {"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(self.raw)}
        numbers = _p256_public(self.raw).public_numbers()
        return {
            "kty": "EC",
            "crv": "P-256",
            "x": b64url_encode(numbers.x.to_bytes(32, "big")),
            "y": b64url_encode(numbers.y.to_bytes(32, "big")),
        }

    def thumbprint(self) -> str:
        """RFC 7638 JWK thumbprint (SHA-256, base64url)."""
        jwk = self.to_jwk()
        canonical = json.dumps(dict(sorted(jwk.items())), separators=(",", ":"))
        return b64url_encode(hashlib.sha256(canonical.encode()).digest())

    @property
    def jose_alg(self) -> str:
        return JOSE_ALG[self.algorithm]

    def verify(self, data: bytes, signature: bytes) -> bool:
        """Return True only if ``signature`` (raw; r||s for ES256) is valid over ``data``."""
        if self.algorithm == "Ed25519":
            if len(signature) != 64:
                return False
            try:
                _ed25519_public(self.raw).verify(data, signature)
            except nacl.exceptions.BadSignatureError:
                return False
            return True
        if len(signature) != 64:
            return False
        der = encode_dss_signature(
            int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        )
        try:
            _p256_public(self.raw).verify(der, data, ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            return False
        return True

    def verifier(self, key_id: str) -> BoundVerifier:
        return BoundVerifier(key_id, self)


@dataclass(frozen=True, slots=True)
class BoundVerifier:
    """A :class:`Verifier` for one verification method."""

    key_id: str
    public_key: PublicKey

    @property
    def algorithm(self) -> str:
        return self.public_key.algorithm

    def verify(self, data: bytes, signature: bytes) -> bool:
        return self.public_key.verify(data, signature)


def _jwk_coord(jwk: Mapping[str, Any], name: str, size: int) -> bytes:
    value = jwk.get(name)
    if not isinstance(value, str):
        raise KeyMaterialError(f"JWK member '{name}' is missing")
    try:
        raw = b64url_decode(value, field=name)
    except MalformedValueError as exc:
        raise KeyMaterialError(f"JWK member '{name}' is not base64url") from exc
    if len(raw) != size:
        raise KeyMaterialError(f"JWK member '{name}' must be {size} bytes, got {len(raw)}")
    return raw


@dataclass(frozen=True, slots=True, repr=False)
class KeyPair:
    """A private key with its public key. ``repr`` shows the algorithm and key id, never secrets."""

    algorithm: Algorithm
    _secret: bytes
    public: PublicKey
    key_id: str = ""
    _backend: Any = field(default=None, compare=False)

    @classmethod
    def generate(
        cls, algorithm: Algorithm = "Ed25519", *, rng: Rng = secrets.token_bytes
    ) -> KeyPair:
        """Create a new key pair from ``rng`` (default: the OS CSPRNG)."""
        if algorithm == "Ed25519":
            return cls.from_private_bytes("Ed25519", rng(32))
        if algorithm == "ES256":
            while True:
                scalar = int.from_bytes(rng(32), "big")
                if 0 < scalar < _P256_ORDER:
                    return cls.from_private_bytes("ES256", scalar.to_bytes(32, "big"))
        raise UnsupportedAlgorithm(f"unsupported key algorithm {shorten(algorithm)}")

    @classmethod
    def from_private_bytes(cls, algorithm: Algorithm, secret: bytes, key_id: str = "") -> KeyPair:
        """Build from a 32-byte Ed25519 seed or a 32-byte P-256 scalar."""
        if len(secret) != 32:
            raise KeyMaterialError("private key must be 32 bytes")
        if algorithm == "Ed25519":
            sk = nacl.signing.SigningKey(secret)
            return cls("Ed25519", secret, PublicKey("Ed25519", bytes(sk.verify_key)), key_id, sk)
        if algorithm == "ES256":
            scalar = int.from_bytes(secret, "big")
            if not 0 < scalar < _P256_ORDER:
                raise KeyMaterialError("P-256 private scalar out of range")
            priv = ec.derive_private_key(scalar, ec.SECP256R1())
            from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

            raw = priv.public_key().public_bytes(Encoding.X962, PublicFormat.CompressedPoint)
            return cls("ES256", secret, PublicKey("ES256", raw), key_id, priv)
        raise UnsupportedAlgorithm(f"unsupported key algorithm {shorten(algorithm)}")

    @classmethod
    def from_multikey(cls, secret_multibase: str, key_id: str = "") -> KeyPair:
        """Parse a ``secretKeyMultibase`` / ``privateKeyMultibase`` value."""
        data = multibase_decode(secret_multibase, field="secretKeyMultibase", allowed="z")
        code, body = multicodec_unwrap(data)
        if code == ED25519_PRIV:
            return cls.from_private_bytes("Ed25519", body, key_id)
        if code == P256_PRIV:
            return cls.from_private_bytes("ES256", body, key_id)
        raise UnsupportedAlgorithm(f"unsupported private multicodec 0x{code:x}")

    @classmethod
    def from_jwk(cls, jwk: Mapping[str, Any], key_id: str = "") -> KeyPair:
        """Parse a private JWK (with ``d``); the public members must match it."""
        public = PublicKey.from_jwk(jwk)
        secret = _jwk_coord(jwk, "d", 32)
        pair = cls.from_private_bytes(public.algorithm, secret, key_id or str(jwk.get("kid", "")))
        if pair.public != public:
            raise KeyMaterialError("JWK private and public members do not match")
        return pair

    def with_key_id(self, key_id: str) -> KeyPair:
        return KeyPair(self.algorithm, self._secret, self.public, key_id, self._backend)

    def sign(self, data: bytes) -> bytes:
        """Sign ``data``: Ed25519 (64 bytes) or ES256 as raw r||s (64 bytes)."""
        if self.algorithm == "Ed25519":
            return bytes(self._backend.sign(data).signature)
        der = self._backend.sign(data, ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")

    def export_private_jwk(self, *, encrypt_with: NoEncryption) -> dict[str, str]:
        """Return the private JWK. Only unencrypted export exists; say so explicitly."""
        if not isinstance(encrypt_with, NoEncryption):
            raise TypeError("encrypt_with must be NoEncryption()")
        jwk = self.public.to_jwk()
        jwk["d"] = b64url_encode(self._secret)
        return jwk

    def export_secret_multikey(self, *, encrypt_with: NoEncryption) -> str:
        if not isinstance(encrypt_with, NoEncryption):
            raise TypeError("encrypt_with must be NoEncryption()")
        code = ED25519_PRIV if self.algorithm == "Ed25519" else P256_PRIV
        return multibase_encode(multicodec_wrap(code, self._secret))

    def __repr__(self) -> str:
        return f"KeyPair(algorithm={self.algorithm!r}, key_id={self.key_id!r})"

    __str__ = __repr__


def write_key_file(path: str | Path, pair: KeyPair) -> None:
    """Write ``pair`` as a private JWK to ``path`` with mode 0600 (refuses to overwrite)."""
    data = json.dumps(pair.export_private_jwk(encrypt_with=NoEncryption()), indent=2) + "\n"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(data)


#: Largest key file read: a private JWK is a few hundred bytes (``/dev/zero`` must not fill RAM).
MAX_KEY_FILE_BYTES = 65536


def read_key_file(path: str | Path) -> KeyPair:
    """Read a private JWK key file written by :func:`write_key_file`."""
    try:
        with Path(path).open("rb") as handle:
            data = handle.read(MAX_KEY_FILE_BYTES + 1)
    except OSError as exc:
        raise KeyMaterialError(f"cannot read key file {str(path)!r}: {exc.strerror}") from exc
    if len(data) > MAX_KEY_FILE_BYTES:
        raise KeyMaterialError(f"key file {str(path)!r} is larger than {MAX_KEY_FILE_BYTES} "
                               f"bytes; not a JWK")
    try:
        jwk = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise KeyMaterialError(f"key file {str(path)!r} is not UTF-8 JSON") from exc
    if not isinstance(jwk, dict) or "d" not in jwk:
        raise KeyMaterialError(f"key file {str(path)!r} holds no private JWK")
    return KeyPair.from_jwk(jwk)
