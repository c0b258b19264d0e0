"""wallet.backup: encrypted single-file backup; refused intact when damaged; identical restore."""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path

import pytest

from pidm.errors import (
    Conflict,
    LockerLocked,
    MalformedValueError,
    PayloadTooLarge,
    StoreUnavailable,
    WrongPassphrase,
)
from wallet.backup import (
    HEADER_BYTES,
    MAGIC,
    MAX_BACKUP_BYTES,
    export_backup,
    import_backup,
    read_backup,
)
from wallet.locker import DB_NAME, KINDS, Locker
from wallet.sealing import KdfParams

WALLET_PASS = "wallet passphrase"
BACKUP_PASS = "backup passphrase"
FAST = KdfParams.MINIMUM


def _fill(locker: Locker) -> None:
    for kind in sorted(KINDS):
        locker.put_many(kind, [(f"{kind}-{i}", {"i": i, "kind": kind}) for i in range(5)])


@pytest.fixture
def backup(tmp_path: Path) -> Path:
    with Locker.create(tmp_path / "source", WALLET_PASS, kdf=FAST) as locker:
        _fill(locker)
        export_backup(locker, tmp_path / "wallet.pidmbak", BACKUP_PASS, kdf=FAST)
    return tmp_path / "wallet.pidmbak"


@pytest.fixture
def existing(tmp_path: Path) -> Path:
    """A wallet already at the destination, with one record of its own."""
    with Locker.create(tmp_path / "dest", "dest passphrase", kdf=FAST) as locker:
        locker.put("credential", "mine", {"keep": True})
    return tmp_path / "dest"


def _digest(directory: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.iterdir())
    }


def _siblings(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.parent.iterdir())


def test_restore_is_identical(tmp_path: Path, backup: Path) -> None:
    restored = import_backup(backup, BACKUP_PASS, tmp_path / "restored")
    assert restored == tmp_path / "restored"
    with Locker.open(tmp_path / "source", WALLET_PASS) as source, Locker.open(
        restored, WALLET_PASS
    ) as copy:
        for kind in sorted(KINDS):
            assert copy.list(kind) == source.list(kind)
            assert len(copy.list(kind)) == 5
        assert copy.sealed_snapshot() == source.sealed_snapshot()
        assert copy.kdf == FAST


def test_restored_wallet_opens_with_the_wallet_passphrase(tmp_path: Path, backup: Path) -> None:
    import_backup(backup, BACKUP_PASS, tmp_path / "restored")
    with pytest.raises(WrongPassphrase):
        Locker.open(tmp_path / "restored", BACKUP_PASS)
    Locker.open(tmp_path / "restored", WALLET_PASS).close()


def test_backup_file_is_private_and_opaque(backup: Path) -> None:
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    raw = backup.read_bytes()
    assert raw.startswith(MAGIC)
    assert b"credential" not in raw and b"kind" not in raw


def test_read_backup_returns_the_sealed_rows(backup: Path) -> None:
    header, rows = read_backup(backup, BACKUP_PASS)
    assert len(rows) == 5 * len(KINDS)
    assert header.opslimit == FAST.opslimit


def test_rejects_wrong_passphrase_backup_without_touching_wallet(
    backup: Path, existing: Path
) -> None:
    before = _digest(existing)
    siblings = _siblings(existing)
    with pytest.raises(WrongPassphrase) as info:
        import_backup(backup, "not the backup passphrase", existing, force=True)
    assert info.value.code == "WRONG_PASSPHRASE"
    assert _digest(existing) == before
    assert _siblings(existing) == siblings


@pytest.mark.parametrize("keep", [0, 7, HEADER_BYTES - 1, HEADER_BYTES, HEADER_BYTES + 20, -1])
def test_rejects_truncated_backup(backup: Path, existing: Path, keep: int) -> None:
    data = backup.read_bytes()
    backup.write_bytes(data[:keep])
    before = _digest(existing)
    with pytest.raises(WrongPassphrase):
        import_backup(backup, BACKUP_PASS, existing, force=True)
    assert _digest(existing) == before
    assert not any(".restore-" in name for name in _siblings(existing))


def test_rejects_backup_with_any_header_byte_flipped(backup: Path, tmp_path: Path) -> None:
    data = backup.read_bytes()
    for position in range(HEADER_BYTES):
        damaged = bytearray(data)
        damaged[position] ^= 0x01
        backup.write_bytes(bytes(damaged))
        with pytest.raises(WrongPassphrase):
            import_backup(backup, BACKUP_PASS, tmp_path / "restored")
    assert not (tmp_path / "restored").exists()


@pytest.mark.parametrize("where", [HEADER_BYTES, HEADER_BYTES + 1, HEADER_BYTES + 30, -100, -1])
def test_rejects_backup_with_body_byte_flipped(backup: Path, existing: Path, where: int) -> None:
    damaged = bytearray(backup.read_bytes())
    damaged[where] ^= 0x80
    backup.write_bytes(bytes(damaged))
    before = _digest(existing)
    with pytest.raises(WrongPassphrase):
        import_backup(backup, BACKUP_PASS, existing, force=True)
    assert _digest(existing) == before


def test_rejects_a_file_that_is_not_a_backup(tmp_path: Path) -> None:
    junk = tmp_path / "junk"
    junk.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    with pytest.raises(WrongPassphrase):
        import_backup(junk, BACKUP_PASS, tmp_path / "restored")


def test_rejects_an_oversized_file_before_reading_it(tmp_path: Path, existing: Path) -> None:
    huge = tmp_path / "huge.pidmbak"
    with huge.open("wb") as handle:
        handle.write(MAGIC)
        handle.truncate(MAX_BACKUP_BYTES + 1)  # sparse: no disk, and never read
    before = _digest(existing)
    with pytest.raises(PayloadTooLarge) as info:
        import_backup(huge, BACKUP_PASS, existing, force=True)
    assert info.value.code == "PAYLOAD_TOO_LARGE"
    assert _digest(existing) == before


def test_rejects_overwriting_a_wallet_without_force(backup: Path, existing: Path) -> None:
    before = _digest(existing)
    with pytest.raises(Conflict) as info:
        import_backup(backup, BACKUP_PASS, existing)
    assert info.value.code == "CONFLICT"
    assert str(info.value) == f"{str(existing)!r} already holds a wallet; force=True replaces it"
    assert info.value.detail == {"reason": "exists"}
    assert _digest(existing) == before


def test_force_replaces_the_wallet(backup: Path, existing: Path) -> None:
    import_backup(backup, BACKUP_PASS, existing, force=True)
    with Locker.open(existing, WALLET_PASS) as locker:
        assert locker.get("credential", "mine") is None
        assert locker.get("credential", "credential-3") == {"i": 3, "kind": "credential"}
    assert sorted(p.name for p in existing.iterdir()) == [DB_NAME]
    assert _siblings(existing) == sorted(["dest", "source", "wallet.pidmbak"])


def test_force_never_replaces_a_directory_that_is_not_a_wallet(
    backup: Path, existing: Path, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "notes.txt").write_text("precious")
    (home / DB_NAME).write_bytes(b"looks like a wallet")
    afile = tmp_path / "file.txt"
    afile.write_text("precious too")
    (existing / "photo.jpg").write_bytes(b"\xff\xd8")
    for target in (home, afile, existing):
        with pytest.raises(Conflict) as info:
            import_backup(backup, BACKUP_PASS, target, force=True)
        assert "holds files other than a wallet" in str(info.value)
    assert (home / "notes.txt").read_text() == "precious"
    assert afile.read_text() == "precious too"
    assert sorted(p.name for p in existing.iterdir()) == ["photo.jpg", DB_NAME]
    with Locker.open(existing, "dest passphrase") as locker:
        assert locker.get("credential", "mine") == {"keep": True}


def test_force_replaces_a_wallet_with_its_sqlite_side_files(backup: Path, existing: Path) -> None:
    (existing / f"{DB_NAME}-journal").write_bytes(b"")
    (existing / f".{DB_NAME}.0123456789abcdef.tmp").write_bytes(b"crash leftover")
    import_backup(backup, BACKUP_PASS, existing, force=True)
    assert sorted(p.name for p in existing.iterdir()) == [DB_NAME]
    Locker.open(existing, WALLET_PASS).close()


def test_force_keeps_a_file_that_only_starts_with_the_database_name(
    backup: Path, existing: Path
) -> None:
    # A copy made by hand before restoring ("cp wallet.db wallet.db-old") is not a side file.
    for name in (f"{DB_NAME}-old", f"{DB_NAME}-wal.bak", f".{DB_NAME}.mine.tmp"):
        (existing / name).write_bytes(b"my copy")
        with pytest.raises(Conflict) as info:
            import_backup(backup, BACKUP_PASS, existing, force=True)
        assert "holds files other than a wallet" in str(info.value)
        assert (existing / name).read_bytes() == b"my copy"
        (existing / name).unlink()


def test_restores_into_an_existing_empty_directory(backup: Path, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    import_backup(backup, BACKUP_PASS, tmp_path / "empty")
    Locker.open(tmp_path / "empty", WALLET_PASS).close()


def test_rejects_export_from_a_closed_locker(tmp_path: Path) -> None:
    locker = Locker.create(tmp_path / "w", WALLET_PASS, kdf=FAST)
    locker.close()
    with pytest.raises(LockerLocked):
        export_backup(locker, tmp_path / "b", BACKUP_PASS, kdf=FAST)
    assert not (tmp_path / "b").exists()


@pytest.mark.parametrize("weak, why", [
    ("", "must not be empty"),
    ("x", "is too short (1 character)"),
    ("1234567", "is too short (7 characters)"),
    ("zzzzzzzzzzzz", "repeats one character"),
])
def test_rejects_a_weak_backup_passphrase(tmp_path: Path, weak: str, why: str) -> None:
    with Locker.create(tmp_path / "w", WALLET_PASS, kdf=FAST) as locker:
        with pytest.raises(MalformedValueError) as info:
            export_backup(locker, tmp_path / "b", weak, kdf=FAST)
    assert str(info.value) == (f"the backup passphrase {why}; use at least 8 characters, "
                               "not all the same character")
    assert not (tmp_path / "b").exists()


def test_export_refuses_an_existing_file_and_leaves_it_untouched(
    tmp_path: Path, backup: Path
) -> None:
    before = backup.read_bytes()
    other = tmp_path / "notes.txt"
    other.write_text("precious")
    with Locker.open(tmp_path / "source", WALLET_PASS) as locker:
        for target in (backup, other):
            with pytest.raises(Conflict) as info:
                export_backup(locker, target, BACKUP_PASS, kdf=FAST)
            assert str(info.value) == (f"{str(target)!r} exists; refusing to overwrite it "
                                       "(force=True replaces it)")
            assert info.value.detail == {"reason": "exists"}
    assert backup.read_bytes() == before
    assert other.read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")) == []


def test_export_never_replaces_a_file_created_while_it_ran(tmp_path: Path) -> None:
    """The final step does not clobber a file that appeared after the early check."""
    target = tmp_path / "b"

    def rng(n: int) -> bytes:  # the temporary file's 6-byte name is drawn last: the rival
        if n == 6:  # appears after the early check, before the backup is moved into place
            target.write_text("arrived meanwhile")
        return bytes(range(n))

    with Locker.create(tmp_path / "w", WALLET_PASS, kdf=FAST) as locker:
        with pytest.raises(Conflict):
            export_backup(locker, target, BACKUP_PASS, kdf=FAST, rng=rng)
    assert target.read_text() == "arrived meanwhile"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b", "w"]


def test_a_failed_export_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full_disk(fd: int) -> None:
        raise OSError(28, "No space left on device")

    with Locker.create(tmp_path / "w", WALLET_PASS, kdf=FAST) as locker:
        monkeypatch.setattr("wallet.backup.os.fsync", full_disk)
        with pytest.raises(StoreUnavailable) as info:
            export_backup(locker, tmp_path / "b", BACKUP_PASS, kdf=FAST)
    where = str(tmp_path / "b")
    assert str(info.value) == f"cannot write backup {where!r}: No space left on device"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w"]


def test_export_with_force_replaces_an_older_backup(tmp_path: Path, backup: Path) -> None:
    with Locker.open(tmp_path / "source", WALLET_PASS) as locker:
        locker.put("meta", "new", {"v": 1})
        export_backup(locker, backup, BACKUP_PASS, kdf=FAST, force=True)
    import_backup(backup, BACKUP_PASS, tmp_path / "restored")
    with Locker.open(tmp_path / "restored", WALLET_PASS) as locker:
        assert locker.get("meta", "new") == {"v": 1}
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")) == []
