"""Key pairs (Ed25519 via PyNaCl, P-256 and P-384 via cryptography) behind one narrow Signer /
Verifier interface, and their encodings: Multikey (``publicKeyMultibase``), JWK (RFC 7517, OKP and
EC), raw bytes, and JWK thumbprints (RFC 7638).

ECDSA signatures are raw r||s (IEEE P1363), made deterministically (RFC 6979) over SHA-256 for
P-256 and SHA-384 for P-384; the W3C ``ecdsa-*-2019`` vectors are signed that way. P-384
(``ES384``) serves Data Integrity only: it has no JOSE ``alg`` here (:data:`JOSE_ALG`).

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

Algorithm = Literal["Ed25519", "ES256", "ES384"]
Rng = Callable[[int], bytes]

ED25519_PUB = 0xED
ED25519_PRIV = 0x1300
P256_PUB = 0x1200
P256_PRIV = 0x1306
P384_PUB = 0x1201
P384_PRIV = 0x1307


@dataclass(frozen=True, slots=True)
class _Curve:
    """One NIST curve: its key algorithm name, JWK ``crv``, scalar size, order, hash, codecs."""

    name: str
    crv: str
    size: int
    order: int
    curve: ec.EllipticCurve
    hash: type[hashes.SHA256] | type[hashes.SHA384]
    pub_code: int
    priv_code: int


_CURVES: dict[str, _Curve] = {
    "ES256": _Curve("ES256", "P-256", 32,
                    0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
                    ec.SECP256R1(), hashes.SHA256, P256_PUB, P256_PRIV),
    "ES384": _Curve("ES384", "P-384", 48,
                    int("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF"
                        "581A0DB248B0A77AECEC196ACCC52973", 16),
                    ec.SECP384R1(), hashes.SHA384, P384_PUB, P384_PRIV),
}
_BY_CRV = {c.crv: c for c in _CURVES.values()}
_BY_PUB_CODE = {c.pub_code: c for c in _CURVES.values()}
_BY_PRIV_CODE = {c.priv_code: c for c in _CURVES.values()}

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
def _ec_public(algorithm: str, raw: bytes) -> ec.EllipticCurvePublicKey:
    curve = _CURVES[algorithm]
    try:
        return ec.EllipticCurvePublicKey.from_encoded_point(curve.curve, raw)
    except ValueError as exc:
        raise KeyMaterialError(f"{curve.crv} public key is not a valid curve point") from exc


@lru_cache(maxsize=1024)
def _ed25519_public(raw: bytes) -> nacl.signing.VerifyKey:
    return nacl.signing.VerifyKey(raw)


def _compress_ec(curve: _Curve, x: bytes, y: bytes) -> bytes:
    try:
        numbers = ec.EllipticCurvePublicNumbers(
            int.from_bytes(x, "big"), int.from_bytes(y, "big"), curve.curve
        )
        key = numbers.public_key()
    except ValueError as exc:
        raise KeyMaterialError(f"{curve.crv} JWK is not a valid curve point") from exc
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return key.public_bytes(Encoding.X962, PublicFormat.CompressedPoint)


@dataclass(frozen=True, slots=True)
class PublicKey:
    """A public key: ``algorithm`` plus its raw form (32-byte Ed25519, compressed P-256 / P-384
    point of 33 / 49 bytes)."""

    algorithm: Algorithm
    raw: bytes

    def __post_init__(self) -> None:
        if self.algorithm == "Ed25519":
            if len(self.raw) != 32:
                raise KeyMaterialError("Ed25519 public key must be 32 bytes")
        elif self.algorithm in _CURVES:
            curve = _CURVES[self.algorithm]
            if len(self.raw) != curve.size + 1:
                raise KeyMaterialError(f"{curve.crv} public key must be a {curve.size + 1}-byte "
                                       f"compressed point")
            _ec_public(self.algorithm, self.raw)
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
        if code in _BY_PUB_CODE:
            return cls(_BY_PUB_CODE[code].name, body)  # type: ignore[arg-type]
        raise UnsupportedAlgorithm(f"unsupported multicodec 0x{code:x} in {shorten(value)}")

    def to_multikey(self) -> str:
        code = ED25519_PUB if self.algorithm == "Ed25519" else _CURVES[self.algorithm].pub_code
        return multibase_encode(multicodec_wrap(code, self.raw))

    # --- JWK --------------------------------------------------------------------------------
    @classmethod
    def from_jwk(cls, jwk: Mapping[str, Any]) -> PublicKey:
        """Parse a public JWK (OKP/Ed25519 or EC/P-256, P-384); other members are ignored."""
        if not isinstance(jwk, Mapping):
            raise KeyMaterialError("JWK must be a JSON object")
        kty, crv = jwk.get("kty"), jwk.get("crv")
        if kty == "OKP" and crv == "Ed25519":
            return cls("Ed25519", _jwk_coord(jwk, "x", 32))
        curve = _BY_CRV.get(crv) if kty == "EC" and isinstance(crv, str) else None
        if curve is not None:
            x, y = _jwk_coord(jwk, "x", curve.size), _jwk_coord(jwk, "y", curve.size)
            return cls(curve.name, _compress_ec(curve, x, y))  # type: ignore[arg-type]
        raise UnsupportedAlgorithm(f"unsupported JWK kty/crv {shorten(kty)}/{shorten(crv)}")

    def to_jwk(self) -> dict[str, str]:
        if self.algorithm == "Ed25519":
            return {"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(self.raw)}
        curve = _CURVES[self.algorithm]
        numbers = _ec_public(self.algorithm, self.raw).public_numbers()
        return {
            "kty": "EC",
            "crv": curve.crv,
            "x": b64url_encode(numbers.x.to_bytes(curve.size, "big")),
            "y": b64url_encode(numbers.y.to_bytes(curve.size, "big")),
        }

    def thumbprint(self) -> str:
        """RFC 7638 JWK thumbprint (SHA-256, base64url)."""
        jwk = self.to_jwk()
        canonical = json.dumps(dict(sorted(jwk.items())), separators=(",", ":"))
        return b64url_encode(hashlib.sha256(canonical.encode()).digest())

    @property
    def jose_alg(self) -> str:
        """The JOSE ``alg``; UNSUPPORTED_ALGORITHM for a key JOSE use is not offered for (P-384)."""
        alg = JOSE_ALG.get(self.algorithm)
        if alg is None:
            raise UnsupportedAlgorithm(f"no JOSE alg for a {self.algorithm} key")
        return alg

    def verify(self, data: bytes, signature: bytes) -> bool:
        """Return True only if ``signature`` (raw; r||s for ECDSA) is valid over ``data``."""
        if self.algorithm == "Ed25519":
            if len(signature) != 64:
                return False
            try:
                _ed25519_public(self.raw).verify(data, signature)
            except nacl.exceptions.BadSignatureError:
                return False
            return True
        curve = _CURVES[self.algorithm]
        if len(signature) != 2 * curve.size:
            return False
        der = encode_dss_signature(int.from_bytes(signature[: curve.size], "big"),
                                   int.from_bytes(signature[curve.size :], "big"))
        try:
            _ec_public(self.algorithm, self.raw).verify(der, data, ec.ECDSA(curve.hash()))
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
        if algorithm in _CURVES:
            curve = _CURVES[algorithm]
            while True:
                scalar = int.from_bytes(rng(curve.size), "big")
                if 0 < scalar < curve.order:
                    return cls.from_private_bytes(algorithm, scalar.to_bytes(curve.size, "big"))
        raise UnsupportedAlgorithm(f"unsupported key algorithm {shorten(algorithm)}")

    @classmethod
    def from_private_bytes(cls, algorithm: Algorithm, secret: bytes, key_id: str = "") -> KeyPair:
        """Build from a 32-byte Ed25519 seed or a 32-byte P-256 / 48-byte P-384 scalar."""
        if algorithm == "Ed25519":
            if len(secret) != 32:
                raise KeyMaterialError("private key must be 32 bytes")
            sk = nacl.signing.SigningKey(secret)
            return cls("Ed25519", secret, PublicKey("Ed25519", bytes(sk.verify_key)), key_id, sk)
        if algorithm in _CURVES:
            curve = _CURVES[algorithm]
            if len(secret) != curve.size:
                raise KeyMaterialError(f"{curve.crv} private key must be {curve.size} bytes")
            scalar = int.from_bytes(secret, "big")
            if not 0 < scalar < curve.order:
                raise KeyMaterialError(f"{curve.crv} private scalar out of range")
            priv = ec.derive_private_key(scalar, curve.curve)
            from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

            raw = priv.public_key().public_bytes(Encoding.X962, PublicFormat.CompressedPoint)
            return cls(algorithm, secret, PublicKey(algorithm, raw), key_id, priv)
        raise UnsupportedAlgorithm(f"unsupported key algorithm {shorten(algorithm)}")

    @classmethod
    def from_multikey(cls, secret_multibase: str, key_id: str = "") -> KeyPair:
        """Parse a ``secretKeyMultibase`` / ``privateKeyMultibase`` value."""
        data = multibase_decode(secret_multibase, field="secretKeyMultibase", allowed="z")
        code, body = multicodec_unwrap(data)
        if code == ED25519_PRIV:
            return cls.from_private_bytes("Ed25519", body, key_id)
        if code in _BY_PRIV_CODE:
            return cls.from_private_bytes(_BY_PRIV_CODE[code].name,  # type: ignore[arg-type]
                                          body, key_id)
        raise UnsupportedAlgorithm(f"unsupported private multicodec 0x{code:x}")

    @classmethod
    def from_jwk(cls, jwk: Mapping[str, Any], key_id: str = "") -> KeyPair:
        """Parse a private JWK (with ``d``); the public members must match it."""
        public = PublicKey.from_jwk(jwk)
        size = _CURVES[public.algorithm].size if public.algorithm in _CURVES else 32
        secret = _jwk_coord(jwk, "d", size)
        pair = cls.from_private_bytes(public.algorithm, secret, key_id or str(jwk.get("kid", "")))
        if pair.public != public:
            raise KeyMaterialError("JWK private and public members do not match")
        return pair

    def with_key_id(self, key_id: str) -> KeyPair:
        return KeyPair(self.algorithm, self._secret, self.public, key_id, self._backend)

    def sign(self, data: bytes) -> bytes:
        """Sign ``data``: Ed25519 (64 bytes), or ECDSA (RFC 6979 deterministic) as raw r||s:
        ES256 over SHA-256 (64 bytes), ES384 over SHA-384 (96 bytes)."""
        if self.algorithm == "Ed25519":
            return bytes(self._backend.sign(data).signature)
        curve = _CURVES[self.algorithm]
        der = self._backend.sign(data, ec.ECDSA(curve.hash(), deterministic_signing=True))
        r, s = decode_dss_signature(der)
        return r.to_bytes(curve.size, "big") + s.to_bytes(curve.size, "big")

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
        code = ED25519_PRIV if self.algorithm == "Ed25519" else _CURVES[self.algorithm].priv_code
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
