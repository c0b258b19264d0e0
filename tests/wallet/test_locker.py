"""wallet.locker: sealed records, wrong passphrase at open, tamper and swap detection."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from pidm.errors import (
    Conflict,
    LockerLocked,
    MalformedValueError,
    StoreUnavailable,
    WalletNotFound,
    WrongPassphrase,
)
from pidm.keys import KeyPair
from wallet.locker import (
    DB_NAME,
    KINDS,
    Locker,
    LockerKeyRing,
    Record,
    default_wallet_dir,
    get_key_pair,
    put_key_pair,
)
from wallet.sealing import KdfParams

PASS = "correct horse battery staple"
FAST = KdfParams.MINIMUM


@pytest.fixture
def wallet_dir(tmp_path: Path) -> Path:
    return tmp_path / "wallet"


@pytest.fixture
def locker(wallet_dir: Path) -> Locker:
    return Locker.create(wallet_dir, PASS, kdf=FAST)


def _db(wallet_dir: Path) -> sqlite3.Connection:
    return sqlite3.connect(wallet_dir / DB_NAME, isolation_level=None)


def test_round_trip_every_kind(locker: Locker, wallet_dir: Path) -> None:
    for kind in sorted(KINDS):
        locker.put(kind, f"{kind}-1", {"kind": kind, "n": 1, "nested": {"list": [1, "two"]}})
    locker.close()
    with Locker.open(wallet_dir, PASS) as reopened:
        for kind in sorted(KINDS):
            assert reopened.get(kind, f"{kind}-1") == {
                "kind": kind, "n": 1, "nested": {"list": [1, "two"]}
            }
            assert [r.id for r in reopened.list(kind)] == [f"{kind}-1"]


def test_list_decrypts_only_the_kind_asked_sorted_by_id(locker: Locker) -> None:
    locker.put_many("credential", [("c2", {"v": 2}), ("c1", {"v": 1}), ("c3", {"v": 3})])
    locker.put("receipt", "r1", {"v": 9})
    assert locker.list("credential") == [
        Record("credential", "c1", {"v": 1}),
        Record("credential", "c2", {"v": 2}),
        Record("credential", "c3", {"v": 3}),
    ]
    assert locker.list("history") == []


def test_put_replaces_and_delete_removes(locker: Locker) -> None:
    locker.put("meta", "settings", {"lang": "en"})
    locker.put("meta", "settings", {"lang": "fr"})
    assert locker.get("meta", "settings") == {"lang": "fr"}
    assert locker.delete("meta", "settings") is True
    assert locker.delete("meta", "settings") is False
    assert locker.get("meta", "settings") is None
    assert locker.list("meta") == []


def test_same_id_under_two_kinds_are_two_records(locker: Locker) -> None:
    locker.put("credential", "x", {"a": 1})
    locker.put("receipt", "x", {"b": 2})
    assert locker.get("credential", "x") == {"a": 1}
    assert locker.get("receipt", "x") == {"b": 2}


def test_unicode_ids_and_values(locker: Locker) -> None:
    locker.put("credential", "urn:uuid:é/ü?#1", {"name": "Zoë 🙂"})
    assert locker.get("credential", "urn:uuid:é/ü?#1") == {"name": "Zoë 🙂"}
    assert locker.list("credential")[0].id == "urn:uuid:é/ü?#1"


def test_store_holds_ciphertext_only(locker: Locker, wallet_dir: Path) -> None:
    locker.put("credential", "urn:uuid:visible-id", {"given_name": "Plaintext-Alice"})
    locker.close()
    raw = b"".join(p.read_bytes() for p in wallet_dir.iterdir())
    assert b"Plaintext-Alice" not in raw
    assert b"visible-id" not in raw
    assert b"given_name" not in raw


def test_wallet_files_are_private(locker: Locker, wallet_dir: Path) -> None:
    assert stat.S_IMODE(wallet_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((wallet_dir / DB_NAME).stat().st_mode) == 0o600


def test_rejects_wrong_passphrase_at_open(locker: Locker, wallet_dir: Path) -> None:
    locker.close()
    with pytest.raises(WrongPassphrase) as info:
        Locker.open(wallet_dir, "wrong horse battery staple")
    assert info.value.code == "WRONG_PASSPHRASE"
    assert "wrong passphrase" in str(info.value)


def test_wrong_passphrase_fails_before_any_record_is_read(
    locker: Locker, wallet_dir: Path
) -> None:
    locker.close()
    with _db(wallet_dir) as conn:
        conn.execute("DROP TABLE records")
    with pytest.raises(WrongPassphrase):
        Locker.open(wallet_dir, "nope")
    Locker.open(wallet_dir, PASS).close()  # the right passphrase opens: no record read at open


def _flip_in_file(path: Path, needle: bytes) -> None:
    data = bytearray(path.read_bytes())
    at = data.find(needle)
    assert at >= 0 and data.find(needle, at + 1) < 0
    data[at + len(needle) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def _sealed(wallet_dir: Path, kind: str) -> list[bytes]:
    with _db(wallet_dir) as conn:
        rows = conn.execute("SELECT sealed FROM records WHERE kind = ?", (kind,)).fetchall()
    return [bytes(r[0]) for r in rows]


def test_rejects_tampered_ciphertext(locker: Locker, wallet_dir: Path) -> None:
    locker.put("credential", "victim", {"x": "a" * 100})
    locker.put("credential", "bystander", {"y": 1})
    locker.close()
    victim = next(s for s in _sealed(wallet_dir, "credential") if len(s) > 100)
    _flip_in_file(wallet_dir / DB_NAME, victim[30:60])
    with Locker.open(wallet_dir, PASS) as reopened:
        with pytest.raises(WrongPassphrase) as info:
            reopened.get("credential", "victim")
        assert "tampered" in str(info.value)
        with pytest.raises(WrongPassphrase):
            reopened.list("credential")
        assert reopened.get("credential", "bystander") == {"y": 1}


def test_rejects_swapped_records(locker: Locker, wallet_dir: Path) -> None:
    locker.put("credential", "alice", {"owner": "alice"})
    locker.put("credential", "bob", {"owner": "bob"})
    locker.close()
    with _db(wallet_dir) as conn:
        (tag_a, box_a), (tag_b, box_b) = conn.execute("SELECT tag, sealed FROM records").fetchall()
        conn.execute("UPDATE records SET sealed = ? WHERE tag = ?", (box_b, tag_a))
        conn.execute("UPDATE records SET sealed = ? WHERE tag = ?", (box_a, tag_b))
    with Locker.open(wallet_dir, PASS) as reopened:
        for name in ("alice", "bob"):
            with pytest.raises(WrongPassphrase) as info:
                reopened.get("credential", name)
            assert info.value.code == "WRONG_PASSPHRASE"
        with pytest.raises(WrongPassphrase):
            reopened.list("credential")


def test_rejects_record_moved_to_another_kind(locker: Locker, wallet_dir: Path) -> None:
    locker.put("credential", "c", {"v": 1})
    locker.close()
    with _db(wallet_dir) as conn:
        conn.execute("UPDATE records SET kind = 'receipt'")
    with Locker.open(wallet_dir, PASS) as reopened:
        with pytest.raises(WrongPassphrase):
            reopened.list("receipt")
        assert reopened.get("receipt", "c") is None  # its tag is bound to the kind


def test_rejects_damaged_header(locker: Locker, wallet_dir: Path) -> None:
    locker.close()
    with _db(wallet_dir) as conn:
        conn.execute("UPDATE header SET salt = zeroblob(16)")
    with pytest.raises(WrongPassphrase):
        Locker.open(wallet_dir, PASS)


def test_rejects_header_with_hostile_kdf_cost(locker: Locker, wallet_dir: Path) -> None:
    locker.close()
    with _db(wallet_dir) as conn:
        conn.execute("UPDATE header SET opslimit = 4000000000, memlimit = 4398046510080")
    with pytest.raises(WrongPassphrase) as info:
        Locker.open(wallet_dir, PASS)
    assert "damaged" in str(info.value)


def test_rejects_use_after_close(locker: Locker) -> None:
    locker.put("meta", "m", {})
    locker.close()
    assert locker.closed
    for call in (
        lambda: locker.get("meta", "m"),
        lambda: locker.list("meta"),
        lambda: locker.put("meta", "m", {}),
        lambda: locker.delete("meta", "m"),
        lambda: locker.sealed_snapshot(),
    ):
        with pytest.raises(LockerLocked) as info:
            call()
        assert info.value.code == "LOCKER_LOCKED"
    locker.close()  # idempotent


def test_rejects_creating_over_an_existing_wallet(locker: Locker, wallet_dir: Path) -> None:
    with pytest.raises(Conflict) as info:
        Locker.create(wallet_dir, "another passphrase", kdf=FAST)
    assert info.value.code == "CONFLICT"
    assert [p.name for p in wallet_dir.iterdir() if p.name.endswith(".tmp")] == []


def test_rejects_opening_where_there_is_no_wallet(tmp_path: Path) -> None:
    with pytest.raises(WalletNotFound) as info:
        Locker.open(tmp_path / "nothing", PASS)
    assert info.value.code == "WALLET_NOT_FOUND"
    assert not (tmp_path / "nothing").exists()


def test_rejects_a_file_that_is_not_a_wallet(tmp_path: Path) -> None:
    (tmp_path / DB_NAME).write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreUnavailable) as info:
        Locker.open(tmp_path, PASS)
    assert info.value.code == "STORE_UNAVAILABLE"
    other = tmp_path / "other"
    other.mkdir()
    sqlite3.connect(other / DB_NAME).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(StoreUnavailable, match="not a pidm wallet"):
        Locker.open(other, PASS)


@pytest.mark.parametrize("weak, why", [
    ("", "must not be empty"),
    ("a", "is too short (1 character)"),
    ("pass123", "is too short (7 characters)"),
    ("\u00e9" * 9, "repeats one character"),
])
def test_rejects_a_weak_passphrase(wallet_dir: Path, weak: str, why: str) -> None:
    with pytest.raises(MalformedValueError) as info:
        Locker.create(wallet_dir, weak, kdf=FAST)
    assert str(info.value) == (f"the passphrase {why}; use at least 8 characters, not all "
                               "the same character")
    assert not wallet_dir.exists()


def test_change_passphrase_refuses_a_weak_one(locker: Locker, wallet_dir: Path) -> None:
    with pytest.raises(MalformedValueError) as info:
        locker.change_passphrase("1111111111")
    assert info.value.code == "MALFORMED_VALUE_ERROR"
    locker.close()
    Locker.open(wallet_dir, PASS).close()  # still the old passphrase


def test_accepts_eight_characters_of_any_script(tmp_path: Path) -> None:
    eight = ("abababab", "\u00e9t\u00e9 \u00e0 la", "\u5bc6\u7801" * 4)  # counted in characters
    for n, text in enumerate(eight):
        assert len(text) == 8
        Locker.create(tmp_path / str(n), text, kdf=FAST).close()
        Locker.open(tmp_path / str(n), text).close()


@pytest.mark.parametrize(
    "kind, record_id, data",
    [
        ("password", "x", {}),
        ("credential", "", {}),
        ("credential", "x" * 1025, {}),
        ("credential", "x", {"n": float("nan")}),
        ("credential", "x", {"s": {1, 2}}),
        ("credential", "x", ["not", "an", "object"]),
        ("credential", "bad\ud800id", {}),
        ("credential", "x", {"s": "lone \udc00 surrogate"}),
    ],
)
def test_rejects_bad_records(locker: Locker, kind: str, record_id: str, data: object) -> None:
    with pytest.raises(MalformedValueError) as info:
        locker.put(kind, record_id, data)  # type: ignore[arg-type]
    assert info.value.code == "MALFORMED_VALUE_ERROR"
    assert locker.list("credential") == []


def test_change_passphrase_rewraps_and_raises_cost(locker: Locker, wallet_dir: Path) -> None:
    locker.put("key", "k1", {"d": "secret"})
    locker.change_passphrase("new passphrase", kdf=KdfParams(2, 16384))
    assert locker.kdf == KdfParams(2, 16384)
    locker.close()
    with pytest.raises(WrongPassphrase):
        Locker.open(wallet_dir, PASS)
    with Locker.open(wallet_dir, "new passphrase") as reopened:
        assert reopened.get("key", "k1") == {"d": "secret"}
        assert reopened.kdf == KdfParams(2, 16384)


def test_key_pairs_are_stored_sealed_and_sign(locker: Locker) -> None:
    pair = KeyPair.generate("Ed25519").with_key_id("did:example:holder#key-1")
    put_key_pair(locker, pair)
    loaded = get_key_pair(locker, "did:example:holder#key-1")
    assert loaded is not None and loaded.public == pair.public
    assert loaded.key_id == "did:example:holder#key-1"
    signer = LockerKeyRing(locker).signer_for("did:example:holder#key-1")
    assert signer is not None and pair.public.verify(b"msg", signer.sign(b"msg"))
    assert LockerKeyRing(locker).signer_for("did:example:holder#other") is None
    with pytest.raises(MalformedValueError):
        put_key_pair(locker, KeyPair.generate("ES256"))


def test_default_wallet_dir_follows_flag_env_and_xdg(tmp_path: Path) -> None:
    env = {"HOME": "/home/ann"}
    assert default_wallet_dir(environ=env, platform="linux") == Path(
        "/home/ann/.local/share/pidm/wallet")
    env["XDG_DATA_HOME"] = "relative/ignored"
    assert default_wallet_dir(environ=env, platform="linux") == Path(
        "/home/ann/.local/share/pidm/wallet")
    env["XDG_DATA_HOME"] = "/data"
    assert default_wallet_dir(environ=env, platform="linux") == Path("/data/pidm/wallet")
    assert default_wallet_dir(environ=env, platform="darwin") == Path(
        "/home/ann/Library/Application Support/pidm/wallet")
    assert default_wallet_dir(environ=env, platform="win32") == Path(
        "/home/ann/AppData/Local/pidm/wallet")
    env["LOCALAPPDATA"] = "/appdata"
    assert default_wallet_dir(environ=env, platform="win32") == Path("/appdata/pidm/wallet")
    env["PIDM_WALLET"] = str(tmp_path)
    for platform in ("linux", "darwin", "win32"):
        assert default_wallet_dir(environ=env, platform=platform) == tmp_path
        assert default_wallet_dir("/explicit", environ=env, platform=platform) == Path(
            "/explicit")


def test_locker_repr_shows_no_secret(locker: Locker) -> None:
    assert repr(locker) == "Locker(closed=False)"
