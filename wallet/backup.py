"""Encrypted wallet backup: one file that restores the wallet identically on another machine.

File layout (all integers big-endian)::

    magic "PIDMWBK\\0" (8) | version u8 = 1 | opslimit u32 | memlimit u64 | salt (16)
    | sealed(content, aad = the 37 header bytes)

``sealed`` is :func:`wallet.sealing.seal` under an Argon2id key from the backup passphrase, so
the header is authenticated too. ``content`` is JSON holding the wallet header and every row
exactly as stored (still sealed under the wallet's own keys): the restored wallet has the same
records, ids and tags, and opens with the passphrase the wallet had when it was exported.
The backup passphrase only protects the file; it may be the same.

Every failure to read a backup — wrong passphrase, truncated, flipped byte, not a backup at all —
is WRONG_PASSPHRASE, and nothing at the destination is touched: the wallet is rebuilt in a
temporary directory next to it and renamed into place only when complete.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
from pathlib import Path
from typing import Any

from pidm.encoding import b64url_decode, b64url_encode
from pidm.errors import (
    Conflict,
    MalformedValueError,
    PayloadTooLarge,
    PidmError,
    StoreUnavailable,
    WrongPassphrase,
)
from wallet.locker import DB_NAME, KINDS, Locker
from wallet.passphrase import check_new_passphrase
from wallet.sealing import SALT_BYTES, KdfParams, Rng, derive_key, new_salt, seal, unseal
from wallet.store.base import StoredRow, WalletHeader
from wallet.store.sqlite import SqliteStore

MAGIC = b"PIDMWBK\x00"
VERSION = 1
HEADER_BYTES = len(MAGIC) + 1 + 4 + 8 + SALT_BYTES
CONTENT_FORMAT = "pidm-wallet-backup"
#: Largest backup read (about 300,000 credentials); bounds the memory an import can take.
MAX_BACKUP_BYTES = 1024**3

_REFUSED = "the backup could not be opened: wrong passphrase or a damaged file"


def _header_bytes(kdf: KdfParams, salt: bytes) -> bytes:
    return (
        MAGIC + bytes([VERSION]) + kdf.opslimit.to_bytes(4, "big")
        + kdf.memlimit.to_bytes(8, "big") + salt
    )


def _parse_header(blob: bytes) -> tuple[KdfParams, bytes]:
    if len(blob) < HEADER_BYTES or blob[:8] != MAGIC or blob[8] != VERSION:
        raise WrongPassphrase(_REFUSED)
    try:
        kdf = KdfParams(int.from_bytes(blob[9:13], "big"), int.from_bytes(blob[13:21], "big"))
    except MalformedValueError:
        raise WrongPassphrase(_REFUSED) from None
    return kdf, blob[21:HEADER_BYTES]


def _content(header: WalletHeader, rows: list[StoredRow]) -> bytes:
    wallet = {
        "version": header.version,
        "kdf": header.kdf,
        "opslimit": header.opslimit,
        "memlimit": header.memlimit,
        "salt": b64url_encode(header.salt),
        "wrapped_key": b64url_encode(header.wrapped_key),
        "verifier": b64url_encode(header.verifier),
    }
    records = [[r.kind, b64url_encode(r.tag), b64url_encode(r.sealed)] for r in rows]
    doc = {"format": CONTENT_FORMAT, "version": VERSION, "wallet": wallet, "records": records}
    return json.dumps(doc, separators=(",", ":")).encode()


def _parse_content(message: bytes) -> tuple[WalletHeader, list[StoredRow]]:
    try:
        doc: Any = json.loads(message)
        if doc["format"] != CONTENT_FORMAT or doc["version"] != VERSION:
            raise MalformedValueError("unsupported backup content version")
        w = doc["wallet"]
        header = WalletHeader(
            int(w["version"]), str(w["kdf"]), int(w["opslimit"]), int(w["memlimit"]),
            b64url_decode(w["salt"]), b64url_decode(w["wrapped_key"]), b64url_decode(w["verifier"]),
        )
        rows = [StoredRow(k, b64url_decode(t), b64url_decode(s)) for k, t, s in doc["records"]]
        if not all(isinstance(row.kind, str) and row.kind in KINDS for row in rows):
            raise MalformedValueError("unknown record kind")
    except (ValueError, TypeError, KeyError, PidmError) as exc:
        raise MalformedValueError(f"backup content is not understood: {exc}") from None
    return header, rows


def _write_atomically(path: Path, data: bytes, rng: Rng, *, replace: bool) -> None:
    """Write ``data`` to a temporary sibling, then move it to ``path`` in one step, so ``path``
    is either untouched or complete. Without ``replace`` an existing ``path`` is never replaced
    (FileExistsError), even one created meanwhile: the move is a hard link, which refuses an
    existing name (a file system without hard links falls back to a check, then a rename)."""
    tmp = path.with_name(f".{path.name}.{rng(6).hex()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if replace:
            os.replace(tmp, path)
            return
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise
        except OSError:
            if os.path.lexists(path):
                raise FileExistsError(path) from None
            os.rename(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _exists(path: str | os.PathLike[str]) -> Conflict:
    return Conflict(f"{str(path)!r} exists; refusing to overwrite it (force=True replaces it)",
                    detail={"reason": "exists"})


def check_destination(path: str | os.PathLike[str], *, force: bool) -> None:
    """CONFLICT if a backup may not be written to ``path`` because something is there and not
    ``force``: a quick early answer; :func:`export_backup` checks again when it writes."""
    if not force and os.path.lexists(path):
        raise _exists(path)


def export_backup(
    locker: Locker,
    path: str | os.PathLike[str],
    passphrase: str,
    *,
    kdf: KdfParams = KdfParams.MODERATE,
    force: bool = False,
    rng: Rng = secrets.token_bytes,
) -> None:
    """Write an encrypted backup of ``locker`` to ``path`` (mode 0600), atomically: a failed
    export leaves no partial file.

    Raises LOCKER_LOCKED if the locker is closed, MALFORMED_VALUE_ERROR for a backup passphrase
    weaker than :data:`wallet.passphrase.RULE`, CONFLICT (detail ``{"reason": "exists"}``) if
    ``path`` exists and ``force`` is false (the file is left untouched), STORE_UNAVAILABLE if it
    cannot be written.
    """
    check_new_passphrase(passphrase, "backup passphrase")
    check_destination(path, force=force)  # before the slow key derivation
    header, rows = locker.sealed_snapshot()
    salt = new_salt(rng)
    head = _header_bytes(kdf, salt)
    body = seal(derive_key(passphrase, salt, kdf), _content(header, rows), aad=head, rng=rng)
    try:
        _write_atomically(Path(path), head + body, rng, replace=force)
    except FileExistsError:
        raise _exists(path) from None
    except OSError as exc:
        raise StoreUnavailable(f"cannot write backup {str(path)!r}: {exc.strerror}") from exc


def read_backup(
    path: str | os.PathLike[str], passphrase: str
) -> tuple[WalletHeader, list[StoredRow]]:
    """Decrypt and check a backup; return the wallet header and rows it holds.

    Raises WRONG_PASSPHRASE for a wrong passphrase or any damage, STORE_UNAVAILABLE if the
    file cannot be read, PAYLOAD_TOO_LARGE past :data:`MAX_BACKUP_BYTES` (before reading it).
    """
    if not isinstance(passphrase, str):
        raise TypeError("passphrase must be a str")
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > MAX_BACKUP_BYTES:
                raise PayloadTooLarge(f"backup {str(path)!r} is {size} bytes, over the "
                                      f"{MAX_BACKUP_BYTES}-byte limit")
            blob = handle.read(MAX_BACKUP_BYTES + 1)
    except OSError as exc:
        raise StoreUnavailable(f"cannot read backup {str(path)!r}: {exc.strerror}") from exc
    if len(blob) > MAX_BACKUP_BYTES:
        raise PayloadTooLarge(f"backup {str(path)!r} is over the {MAX_BACKUP_BYTES}-byte limit")
    kdf, salt = _parse_header(blob)
    head = blob[:HEADER_BYTES]
    try:
        message = unseal(derive_key(passphrase, salt, kdf), blob[HEADER_BYTES:], aad=head)
    except WrongPassphrase:
        raise WrongPassphrase(_REFUSED) from None
    return _parse_content(message)


def _is_empty_dir(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink() and not any(path.iterdir())


#: The database and SQLite's side files (WAL, shared memory, rollback journal), exactly: a
#: hand-made ``wallet.db-old`` copy is not the wallet's.
_WALLET_FILES = frozenset({DB_NAME, f"{DB_NAME}-wal", f"{DB_NAME}-shm", f"{DB_NAME}-journal"})
#: A temporary file left by a crash while the store was created (``.wallet.db.<16 hex>.tmp``).
_CRASH_LEFTOVER = re.compile(re.escape(f".{DB_NAME}.") + r"[0-9a-f]{16}\.tmp")


def _is_wallet_file(name: str) -> bool:
    """The database, SQLite's side files, a temporary file left by a crash during creation."""
    return name in _WALLET_FILES or _CRASH_LEFTOVER.fullmatch(name) is not None


def _is_wallet_dir(path: Path) -> bool:
    """True for a directory holding a wallet and nothing else (``force`` may replace it)."""
    if not path.is_dir() or path.is_symlink():
        return False
    names = [entry.name for entry in path.iterdir()]
    return DB_NAME in names and all(_is_wallet_file(name) for name in names)


def _install(tmp: Path, dest: Path, rng: Rng) -> None:
    if not os.path.lexists(dest) or _is_empty_dir(dest):
        os.rename(tmp, dest)
        return
    old = dest.with_name(f".{dest.name}.old-{rng(6).hex()}")
    os.rename(dest, old)
    os.rename(tmp, dest)
    if old.is_dir() and not old.is_symlink():
        shutil.rmtree(old, ignore_errors=True)
    else:
        old.unlink(missing_ok=True)


def import_backup(
    path: str | os.PathLike[str],
    passphrase: str,
    dest_dir: str | os.PathLike[str],
    *,
    force: bool = False,
    rng: Rng = secrets.token_bytes,
) -> Path:
    """Restore the backup at ``path`` into ``dest_dir``; return the wallet directory.

    The backup is decrypted and checked first; then the wallet is built in a temporary sibling
    directory and renamed into place. Raises WRONG_PASSPHRASE (wrong passphrase or damaged
    backup; nothing touched), CONFLICT if ``dest_dir`` holds a wallet and ``force`` is false,
    or holds anything but a wallet (``force`` never deletes other files).
    The restored wallet opens with the wallet passphrase in force when the backup was made.
    """
    header, rows = read_backup(path, passphrase)
    dest = Path(dest_dir)
    if os.path.lexists(dest) and not _is_empty_dir(dest):
        if not _is_wallet_dir(dest):
            raise Conflict(f"{str(dest)!r} holds files other than a wallet; refusing to "
                           "replace it (restore into a new or empty directory)")
        if not force:
            raise Conflict(f"{str(dest)!r} already holds a wallet; force=True replaces it",
                           detail={"reason": "exists"})
    tmp = dest.with_name(f".{dest.name}.restore-{rng(6).hex()}")
    try:
        dest.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp.mkdir(mode=0o700)
        SqliteStore.create(tmp / DB_NAME, header, rows).close()
        _install(tmp, dest, rng)
    except OSError as exc:
        raise StoreUnavailable(f"cannot restore into {str(dest)!r}: {exc.strerror}") from exc
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return dest
