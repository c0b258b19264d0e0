"""SQLite implementation of the wallet store (stdlib ``sqlite3``, WAL, ``synchronous=FULL``).

Every write is one transaction, so killing the process loses at most the write in flight.
A new wallet file is built under a temporary name and linked into place only when complete,
so a crash during creation leaves no half-made wallet. The connection is shared between
threads behind a lock (a wallet is single-user; calls are short).
"""

from __future__ import annotations

import builtins
import os
import secrets
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from pidm.errors import Conflict, StoreUnavailable, WalletNotFound
from wallet.store.base import FORMAT_VERSION, StoredRow, WalletHeader

#: ``PRAGMA application_id`` of a pidm wallet file ("pidw").
APPLICATION_ID = 0x70696477
BUSY_TIMEOUT_MS = 5000

_SCHEMA = f"""
PRAGMA application_id = {APPLICATION_ID};
PRAGMA user_version = {FORMAT_VERSION};
CREATE TABLE header (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL,
    kdf TEXT NOT NULL,
    opslimit INTEGER NOT NULL,
    memlimit INTEGER NOT NULL,
    salt BLOB NOT NULL,
    wrapped_key BLOB NOT NULL,
    verifier BLOB NOT NULL
);
CREATE TABLE records (
    kind TEXT NOT NULL,
    tag BLOB NOT NULL,
    sealed BLOB NOT NULL,
    PRIMARY KEY (kind, tag)
) WITHOUT ROWID;
"""

_HEADER_COLUMNS = "version, kdf, opslimit, memlimit, salt, wrapped_key, verifier"


@contextmanager
def _db_errors(path: Path) -> Iterator[None]:
    try:
        yield
    except sqlite3.Error as exc:
        raise StoreUnavailable(f"wallet database {str(path)!r} failed: {exc}") from exc


def _connect(path: Path, mode: str) -> sqlite3.Connection:
    uri = f"{path.resolve().as_uri()}?mode={mode}"
    conn = sqlite3.connect(
        uri, uri=True, isolation_level=None, check_same_thread=False,
        timeout=BUSY_TIMEOUT_MS / 1000,
    )
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA trusted_schema = OFF")
    return conn


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class SqliteStore:
    """A wallet file. Build with :meth:`create` or :meth:`open`; close with :meth:`close`."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn: sqlite3.Connection | None = conn
        self._path = path
        self._lock = threading.Lock()

    @property
    def path(self) -> Path:
        return self._path

    # --- lifecycle ------------------------------------------------------------------------
    @classmethod
    def create(
        cls, path: str | Path, header: WalletHeader, rows: Iterable[StoredRow] = ()
    ) -> SqliteStore:
        """Create the wallet file at ``path`` holding ``header`` and ``rows``, atomically.

        Raises CONFLICT if a file already exists there, STORE_UNAVAILABLE on I/O failure.
        """
        path = Path(path)
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            os.close(fd)
            with _db_errors(path):
                conn = _connect(tmp, "rw")
                try:
                    conn.executescript("BEGIN;" + _SCHEMA)
                    _insert_header(conn, header)
                    conn.executemany(
                        "INSERT INTO records (kind, tag, sealed) VALUES (?, ?, ?)",
                        ((r.kind, r.tag, r.sealed) for r in rows),
                    )
                    conn.execute("COMMIT")
                finally:
                    conn.close()
            try:
                os.link(tmp, path)
            except FileExistsError:
                raise Conflict(f"a wallet already exists at {str(path)!r}") from None
            _fsync_dir(path.parent)
        except OSError as exc:
            raise StoreUnavailable(f"cannot create wallet {str(path)!r}: {exc.strerror}") from exc
        finally:
            tmp.unlink(missing_ok=True)
        return cls.open(path)

    @classmethod
    def open(cls, path: str | Path) -> SqliteStore:
        """Open a wallet file: WALLET_NOT_FOUND if absent, STORE_UNAVAILABLE if not a wallet."""
        path = Path(path)
        if not path.is_file():
            raise WalletNotFound(f"no wallet at {str(path.parent)!r}")
        with _db_errors(path):
            conn = _connect(path, "rw")
            try:
                (app_id,) = conn.execute("PRAGMA application_id").fetchone()
                if app_id != APPLICATION_ID:
                    raise StoreUnavailable(f"{str(path)!r} is not a pidm wallet")
                conn.execute("PRAGMA journal_mode = WAL")
            except BaseException:
                conn.close()
                raise
        return cls(conn, path)

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    @contextmanager
    def _tx(self, *, write: bool) -> Iterator[sqlite3.Connection]:
        with self._lock, _db_errors(self._path):
            conn = self._conn
            if conn is None:
                raise StoreUnavailable("wallet store is closed")
            if not write:
                yield conn
                return
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    # --- header ---------------------------------------------------------------------------
    def header(self) -> WalletHeader:
        with self._tx(write=False) as conn:
            row = conn.execute(f"SELECT {_HEADER_COLUMNS} FROM header WHERE id = 1").fetchone()
        if row is None:
            raise StoreUnavailable(f"wallet {str(self._path)!r} has no header")
        return WalletHeader(*row)

    def set_header(self, header: WalletHeader) -> None:
        with self._tx(write=True) as conn:
            conn.execute("DELETE FROM header")
            _insert_header(conn, header)

    # --- records --------------------------------------------------------------------------
    def put(self, row: StoredRow) -> None:
        self.put_many([row])

    def put_many(self, rows: Iterable[StoredRow]) -> None:
        with self._tx(write=True) as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO records (kind, tag, sealed) VALUES (?, ?, ?)",
                ((r.kind, r.tag, r.sealed) for r in rows),
            )

    def get(self, kind: str, tag: bytes) -> bytes | None:
        with self._tx(write=False) as conn:
            row = conn.execute(
                "SELECT sealed FROM records WHERE kind = ? AND tag = ?", (kind, tag)
            ).fetchone()
        return None if row is None else bytes(row[0])

    def list(self, kind: str) -> list[StoredRow]:
        with self._tx(write=False) as conn:
            found = conn.execute(
                "SELECT tag, sealed FROM records WHERE kind = ?", (kind,)
            ).fetchall()
        return [StoredRow(kind, bytes(tag), bytes(sealed)) for tag, sealed in found]

    def delete(self, kind: str, tag: bytes) -> bool:
        with self._tx(write=True) as conn:
            cursor = conn.execute("DELETE FROM records WHERE kind = ? AND tag = ?", (kind, tag))
            return cursor.rowcount > 0

    def rows(self) -> builtins.list[StoredRow]:
        with self._tx(write=False) as conn:
            found = conn.execute("SELECT kind, tag, sealed FROM records ORDER BY kind, tag")
            return [StoredRow(k, bytes(t), bytes(s)) for k, t, s in found.fetchall()]


def _insert_header(conn: sqlite3.Connection, header: WalletHeader) -> None:
    conn.execute(
        f"INSERT INTO header (id, {_HEADER_COLUMNS}) VALUES (1, ?, ?, ?, ?, ?, ?, ?)",
        (
            header.version, header.kdf, header.opslimit, header.memlimit,
            header.salt, header.wrapped_key, header.verifier,
        ),
    )
