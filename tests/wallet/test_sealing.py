"""wallet.sealing: Argon2id keys, sealed boxes with bound associated data, one opaque error."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pidm.errors import MalformedValueError, WrongPassphrase
from wallet.sealing import (
    MAX_MEMLIMIT,
    MAX_OPSLIMIT,
    NONCE_BYTES,
    KdfParams,
    SealingKey,
    derive_key,
    generate_key,
    seal,
    unseal,
    unseal_with_aad,
    unwrap_key,
    wrap_key,
)

SALT = bytes(range(16))


def _counter_rng() -> Callable[[int], bytes]:
    counter = itertools.count()

    def rng(n: int) -> bytes:
        return bytes(next(counter) % 256 for _ in range(n))

    return rng


def test_seal_round_trip_returns_message_and_aad() -> None:
    key = generate_key()
    sealed = seal(key, b"hello", aad=b"record-1")
    assert unseal(key, sealed, aad=b"record-1") == b"hello"
    assert unseal_with_aad(key, sealed) == (b"record-1", b"hello")


def test_sealed_layout_is_version_nonce_box() -> None:
    key = SealingKey(b"\x07" * 32)
    sealed = seal(key, b"m", aad=b"a", rng=lambda n: b"\x01" * n)
    assert sealed[0] == 1
    assert sealed[1 : 1 + NONCE_BYTES] == b"\x01" * NONCE_BYTES
    # version + nonce + MAC(16) + u16 length + aad + message
    assert len(sealed) == 1 + NONCE_BYTES + 16 + 2 + 1 + 1


def test_rejects_other_associated_data() -> None:
    key = generate_key()
    sealed = seal(key, b"hello", aad=b"record-1")
    with pytest.raises(WrongPassphrase) as info:
        unseal(key, sealed, aad=b"record-2")
    assert info.value.code == "WRONG_PASSPHRASE"


def test_rejects_wrong_key() -> None:
    sealed = seal(generate_key(), b"hello", aad=b"x")
    with pytest.raises(WrongPassphrase):
        unseal(generate_key(), sealed, aad=b"x")


def test_rejects_every_flipped_byte() -> None:
    key = generate_key()
    sealed = seal(key, b"secret data", aad=b"id")
    for position in range(len(sealed)):
        damaged = bytearray(sealed)
        damaged[position] ^= 0x01
        with pytest.raises(WrongPassphrase):
            unseal(key, bytes(damaged), aad=b"id")


@pytest.mark.parametrize("length", [0, 1, 10, 25, 42, 43])
def test_rejects_truncated_blob(length: int) -> None:
    key = generate_key()
    sealed = seal(key, b"", aad=b"")
    assert len(sealed) == 43
    with pytest.raises(WrongPassphrase):
        unseal_with_aad(key, sealed[:length] if length < 43 else sealed[:-1])


def test_derive_key_is_deterministic_and_salted() -> None:
    a = derive_key("correct horse", SALT, KdfParams.MINIMUM)
    assert a == derive_key("correct horse", SALT, KdfParams.MINIMUM)
    assert a != derive_key("correct horse", bytes(16), KdfParams.MINIMUM)
    assert a != derive_key("correct horsE", SALT, KdfParams.MINIMUM)
    assert a != derive_key("correct horse", SALT, KdfParams(2, 8192))


def test_passphrase_is_nfc_normalised() -> None:
    composed, decomposed = "caf\u00e9", "cafe\u0301"
    assert derive_key(composed, SALT, KdfParams.MINIMUM) == derive_key(
        decomposed, SALT, KdfParams.MINIMUM
    )


def test_rejects_short_salt() -> None:
    with pytest.raises(MalformedValueError):
        derive_key("pw", b"short", KdfParams.MINIMUM)


def test_kdf_presets_match_libsodium() -> None:
    assert KdfParams.MODERATE == KdfParams(3, 256 * 1024 * 1024)
    assert KdfParams.INTERACTIVE == KdfParams(2, 64 * 1024 * 1024)
    assert KdfParams.MINIMUM.to_dict() == {"name": "argon2id13", "opslimit": 1, "memlimit": 8192}
    assert KdfParams.parse({"opslimit": 2, "memlimit": 65536}) == KdfParams(2, 65536)


@pytest.mark.parametrize(
    "ops, mem",
    [(0, 8192), (MAX_OPSLIMIT + 1, 8192), (1, 8191), (1, MAX_MEMLIMIT + 1), (True, 8192)],
)
def test_rejects_kdf_params_out_of_bounds(ops: int, mem: int) -> None:
    with pytest.raises(MalformedValueError) as info:
        KdfParams(ops, mem)
    assert info.value.code == "MALFORMED_VALUE_ERROR"


def test_rejects_unknown_kdf_name() -> None:
    with pytest.raises(MalformedValueError):
        KdfParams.parse({"name": "scrypt", "opslimit": 1, "memlimit": 8192})
    with pytest.raises(MalformedValueError):
        KdfParams.parse({"opslimit": "1", "memlimit": 8192})


def test_key_never_shows_in_repr() -> None:
    key = SealingKey(b"\xab" * 32)
    assert repr(key) == "SealingKey(<hidden>)"
    assert "ab" not in repr(key) and "171" not in str(key)


def test_wrap_and_unwrap_key() -> None:
    kek, data_key = generate_key(), generate_key()
    wrapped = wrap_key(kek, data_key, aad=b"wrap")
    assert unwrap_key(kek, wrapped, aad=b"wrap") == data_key
    with pytest.raises(WrongPassphrase):
        unwrap_key(generate_key(), wrapped, aad=b"wrap")


def test_subkeys_are_distinct_and_stable() -> None:
    key = SealingKey(b"\x01" * 32)
    assert key.subkey("a") == SealingKey(b"\x01" * 32).subkey("a")
    assert key.subkey("a") != key.subkey("b")
    assert key.subkey("a") != key
    assert len(key.tag(b"x")) == 32 and key.tag(b"x") != key.tag(b"y")


def test_injected_rng_makes_sealing_deterministic() -> None:
    key = SealingKey(b"\x02" * 32)
    first = seal(key, b"m", aad=b"a", rng=_counter_rng())
    second = seal(key, b"m", aad=b"a", rng=_counter_rng())
    assert first == second
    assert first != seal(key, b"m", aad=b"a")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_rejects_arbitrary_bytes_with_the_one_code(blob: bytes) -> None:
    key = SealingKey(b"\x03" * 32)
    with pytest.raises(WrongPassphrase):
        unseal_with_aad(key, blob)
    with pytest.raises(WrongPassphrase):
        unseal(key, bytes([1]) + blob, aad=b"")
