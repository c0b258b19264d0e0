from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from pidm.encoding import b64url_decode
from pidm.errors import KeyMaterialError, MalformedValueError, UnsupportedAlgorithm
from pidm.keys import KeyPair, NoEncryption, PublicKey, read_key_file, write_key_file
from tests.spec_vectors import load_vector


def test_ed25519_multikey_matches_the_w3c_vector() -> None:
    pair = load_vector("vc-di-eddsa", "TestVectors", "keyPair.json")
    key = KeyPair.from_multikey(pair["privateKeyMultibase"])
    assert key.public.to_multikey() == pair["publicKeyMultibase"]
    assert key.export_secret_multikey(encrypt_with=NoEncryption()) == pair["privateKeyMultibase"]


def test_p256_multikey_matches_the_w3c_vector() -> None:
    pair = load_vector("vc-di-ecdsa", "TestVectors", "p256KeyPair.json")
    key = KeyPair.from_multikey(pair["secretKeyMultibase"])
    assert key.public.to_multikey() == pair["publicKeyMultibase"]
    assert pair["publicKeyMultibase"].startswith("zDna")


def test_rfc7638_thumbprint_example() -> None:
    # RFC 7638 §3.1 uses an RSA key; RFC 8037 §A.3 gives the OKP thumbprint.
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
    assert PublicKey.from_jwk(jwk).thumbprint() == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"


def test_p384_multikey_matches_the_w3c_vector() -> None:
    pair = load_vector("vc-di-ecdsa", "TestVectors", "p384KeyPair.json")
    key = KeyPair.from_multikey(pair["secretKeyMultibase"])
    assert key.algorithm == "ES384"
    assert key.public.to_multikey() == pair["publicKeyMultibase"]
    assert key.export_secret_multikey(encrypt_with=NoEncryption()) == pair["secretKeyMultibase"]
    assert pair["publicKeyMultibase"].startswith("z82L")
    jwk = key.public.to_jwk()
    assert (jwk["kty"], jwk["crv"]) == ("EC", "P-384")
    assert len(b64url_decode(jwk["x"])) == len(b64url_decode(jwk["y"])) == 48


@pytest.mark.parametrize("algorithm, size", [("ES256", 64), ("ES384", 96)])
def test_ecdsa_signatures_are_deterministic_rfc6979_r_s(algorithm: str, size: int) -> None:
    key = KeyPair.generate(algorithm)  # type: ignore[arg-type]
    sig = key.sign(b"message")
    assert len(sig) == size
    assert key.sign(b"message") == sig
    assert key.sign(b"messagf") != sig


def test_p384_key_has_no_jose_alg() -> None:
    with pytest.raises(UnsupportedAlgorithm):
        _ = KeyPair.generate("ES384").public.jose_alg
    assert KeyPair.generate("ES256").public.jose_alg == "ES256"


@pytest.mark.parametrize("algorithm, size", [("Ed25519", 64), ("ES256", 64), ("ES384", 96)])
def test_sign_verify_and_jwk_round_trip(algorithm: str, size: int) -> None:
    key = KeyPair.generate(algorithm)  # type: ignore[arg-type]
    sig = key.sign(b"message")
    assert len(sig) == size
    assert key.public.verify(b"message", sig)
    assert not key.public.verify(b"messagf", sig)
    assert not key.public.verify(b"message", sig[:-1] + bytes([sig[-1] ^ 1]))
    assert PublicKey.from_jwk(key.public.to_jwk()) == key.public
    assert PublicKey.from_multikey(key.public.to_multikey()) == key.public
    again = KeyPair.from_jwk(key.export_private_jwk(encrypt_with=NoEncryption()))
    assert again.public == key.public


def test_repr_never_shows_secret() -> None:
    key = KeyPair.generate("Ed25519").with_key_id("did:key:z#z")
    secret = key.export_private_jwk(encrypt_with=NoEncryption())["d"]
    assert secret not in repr(key) and secret not in str(key)
    assert repr(key) == "KeyPair(algorithm='Ed25519', key_id='did:key:z#z')"


def test_key_file_is_0600(tmp_path: Path) -> None:
    key = KeyPair.generate("ES256")
    path = tmp_path / "k.jwk"
    write_key_file(path, key)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert read_key_file(path).public == key.public


@pytest.mark.parametrize("content, message", [
    (b"\xff\xfe{}", "is not UTF-8 JSON"),
    (b"[" * 5_000, "is not UTF-8 JSON"),
    (b" " * 70_000, "is larger than 65536 bytes"),
])
def test_unreadable_key_files_are_coded_errors(tmp_path: Path, content: bytes,
                                               message: str) -> None:
    path = tmp_path / "k.jwk"
    path.write_bytes(content)
    with pytest.raises(KeyMaterialError, match=message):
        read_key_file(path)


def test_key_file_read_is_bounded() -> None:
    # read_text() on an endless file used to fill memory (pidm vc sign --key /dev/zero)
    with pytest.raises(KeyMaterialError, match="is larger than"):
        read_key_file("/dev/zero")


def test_rejects_bad_key_material() -> None:
    with pytest.raises(KeyMaterialError):
        PublicKey.from_jwk({"kty": "EC", "crv": "P-256", "x": "AAAA", "y": "AAAA"})
    with pytest.raises(KeyMaterialError):
        PublicKey("ES256", b"\x02" + b"\xff" * 32)
    with pytest.raises(KeyMaterialError):
        PublicKey("ES384", b"\x02" + b"\xff" * 48)
    with pytest.raises(KeyMaterialError):  # a P-256-sized point is no P-384 key
        PublicKey("ES384", KeyPair.generate("ES256").public.raw)
    with pytest.raises(KeyMaterialError):
        PublicKey.from_jwk({"kty": "EC", "crv": "P-384", "x": "AAAA", "y": "AAAA"})
    with pytest.raises(KeyMaterialError):
        KeyPair.from_private_bytes("ES384", bytes(32))
    with pytest.raises(KeyMaterialError):
        KeyPair.from_private_bytes("ES384", bytes(48))
    with pytest.raises(UnsupportedAlgorithm):
        PublicKey.from_jwk({"kty": "oct", "k": "AAAA"})
    with pytest.raises(MalformedValueError):
        PublicKey.from_multikey("z6Mk0OIl")
    mismatched = KeyPair.generate().export_private_jwk(encrypt_with=NoEncryption())
    mismatched["x"] = KeyPair.generate().public.to_jwk()["x"]
    with pytest.raises(KeyMaterialError):
        KeyPair.from_jwk(mismatched)
