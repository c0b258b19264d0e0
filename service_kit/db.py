"""Connection handling shared by the issuer and verifier stores (SQLite and PostgreSQL).

Library exceptions stop here: each backend runs its statements inside :func:`sqlite_errors` or
:func:`postgres_errors`, which turn them into ``StoreUnavailable``, ``Conflict`` or — for a
value the database cannot hold (a NUL character, a lone surrogate) — ``MalformedValueError``.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

import aiosqlite
import asyncpg

from pidm.errors import Conflict, MalformedValueError, StoreUnavailable, shorten

if TYPE_CHECKING:
    from asyncpg.pool import PoolConnectionProxy

#: A pooled PostgreSQL connection, as the backends see it.
PgConn: TypeAlias = "PoolConnectionProxy[asyncpg.Record]"

BUSY_TIMEOUT_MS = 10_000
WAL_RETRIES = 60  # ~9 s of back-off in all
CONNECT_TIMEOUT_S = 10.0


# --- values --------------------------------------------------------------------------------------
def aware(value: datetime, name: str = "datetime") -> datetime:
    """Return ``value`` in UTC; a naive datetime is caller misuse (TypeError)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise TypeError(f"{name} must be a tz-aware datetime, got naive {value!r}")
    return value.astimezone(UTC)


def opt_aware(value: datetime | None, name: str = "datetime") -> datetime | None:
    return None if value is None else aware(value, name)


def time_text(value: datetime) -> str:
    """Fixed-width UTC ISO 8601 text, so SQLite can compare times as strings."""
    return aware(value).isoformat(timespec="microseconds")


def opt_time_text(value: datetime | None) -> str | None:
    return None if value is None else time_text(value)


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def opt_parse_time(text: str | None) -> datetime | None:
    return None if text is None else parse_time(text)


def dump_json(value: Any) -> str:
    """Compact JSON text; a read-only Mapping at the top level is stored like a dict."""
    if isinstance(value, Mapping) and not isinstance(value, dict):
        value = dict(value)
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


# --- targets -------------------------------------------------------------------------------------
def is_postgres(target: str) -> bool:
    """True for ``postgresql://`` / ``postgres://`` DSNs."""
    return target.startswith(("postgresql://", "postgres://"))


def sqlite_path(target: str | os.PathLike[str]) -> Path:
    """Map ``sqlite:///path``, ``sqlite://relative`` or a plain path to a filesystem path."""
    text = os.fspath(target)
    if text.startswith("sqlite://"):
        text = text[len("sqlite://") :]
        if text.startswith("//"):  # sqlite:////abs/path, SQLAlchemy style
            text = text[1:]
    if not text or text == ":memory:":
        raise StoreUnavailable(
            f"'sqlite' store needs a file path, got {shorten(os.fspath(target))}"
        )
    return Path(text)


def unstorable(exc: Exception) -> MalformedValueError:
    """A request value the database cannot hold as text (NUL, a lone surrogate)."""
    return MalformedValueError(f"a value cannot be stored: {type(exc).__name__}")


# --- SQLite --------------------------------------------------------------------------------------
@contextmanager
def sqlite_errors() -> Iterator[None]:
    """Turn sqlite3 exceptions into Conflict (constraints) or StoreUnavailable (the rest)."""
    try:
        yield
    except sqlite3.IntegrityError as exc:
        raise Conflict(f"constraint violated: {exc}") from exc
    except UnicodeEncodeError as exc:
        raise unstorable(exc) from exc
    except (sqlite3.ProgrammingError, sqlite3.InterfaceError, sqlite3.NotSupportedError):
        raise  # a bug in our SQL, not the database's fault
    except (sqlite3.DatabaseError, OSError) as exc:
        raise StoreUnavailable(f"sqlite store unavailable: {exc}") from exc


async def _enable_wal(conn: aiosqlite.Connection) -> None:
    """Switch to WAL mode, retrying: the switch fails at once with "database is locked",
    without consulting the busy timeout, while another connection holds the file."""
    for attempt in range(WAL_RETRIES):
        try:
            await conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == WAL_RETRIES - 1:
                raise
            await asyncio.sleep(0.005 * (attempt + 1))


class SqliteDB:
    """One aiosqlite connection, WAL mode, serialized by an asyncio lock.

    The lock keeps one coroutine's transaction from interleaving with another's on the shared
    connection; ``BEGIN IMMEDIATE`` plus a busy timeout serializes writers across processes.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()

    async def open(self) -> None:
        if self._conn is not None:
            return
        with sqlite_errors():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if not self.path.exists():  # personal data inside: owner-only from the start
                os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
            conn = await aiosqlite.connect(self.path, isolation_level=None)
            try:
                conn.row_factory = aiosqlite.Row
                await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                await _enable_wal(conn)
                await conn.execute("PRAGMA foreign_keys = ON")
                await conn.execute("PRAGMA synchronous = NORMAL")
            except BaseException:
                await conn.close()
                raise
            self._conn = conn

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            async with self._lock:
                await conn.close()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[aiosqlite.Connection]:
        """The connection for autocommit statements (each one atomic)."""
        async with self._lock:
            with sqlite_errors():
                yield self._live()

    @asynccontextmanager
    async def write(self) -> AsyncIterator[aiosqlite.Connection]:
        """The connection inside ``BEGIN IMMEDIATE`` … ``COMMIT`` (rolled back on error)."""
        async with self._lock:
            with sqlite_errors():
                conn = self._live()
                await conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                except BaseException:
                    await conn.rollback()
                    raise
                await conn.commit()

    def _live(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise StoreUnavailable("store is not open; call 'await store.open()' first")
        return self._conn


# --- PostgreSQL ----------------------------------------------------------------------------------
_PG_UNAVAILABLE: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,  # a connection the server killed under us
    asyncpg.InvalidCatalogNameError,
    asyncpg.InvalidAuthorizationSpecificationError,
    asyncpg.InsufficientResourcesError,
    asyncpg.OperatorInterventionError,
    asyncpg.InvalidSchemaNameError,
)


@contextmanager
def postgres_errors() -> Iterator[None]:
    """Turn asyncpg exceptions into Conflict (constraints) or StoreUnavailable (connectivity)."""
    try:
        yield
    except asyncpg.IntegrityConstraintViolationError as exc:
        raise Conflict(f"constraint violated: {exc}") from exc
    except (asyncpg.DataError, UnicodeEncodeError) as exc:  # NUL in text, lone surrogates
        raise unstorable(exc) from exc
    except _PG_UNAVAILABLE as exc:
        raise StoreUnavailable(f"postgres store unavailable: {type(exc).__name__}: {exc}") from exc


def rowcount(tag: str) -> int:
    """Rows affected, from an asyncpg command tag such as ``DELETE 3``."""
    return int(tag.rsplit(" ", 1)[-1])


async def _init_connection(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec(
        "jsonb", encoder=dump_json, decoder=json.loads, schema="pg_catalog", format="text"
    )


class PostgresDB:
    """An asyncpg pool; DSN query parameters asyncpg does not know become server settings
    (so ``?search_path=myschema`` selects a schema)."""

    def __init__(
        self,
        dsn: str,
        *,
        min_size: int = 1,
        max_size: int = 10,
        server_settings: Mapping[str, str] | None = None,
    ) -> None:
        self.dsn = dsn
        self._min_size = min_size
        self._max_size = max_size
        self._settings = dict(server_settings or {})
        self._pool: asyncpg.Pool | None = None

    async def open(self) -> None:
        if self._pool is not None:
            return
        with postgres_errors():
            self._pool = await asyncpg.create_pool(
                self.dsn,
                min_size=self._min_size,
                max_size=self._max_size,
                timeout=CONNECT_TIMEOUT_S,
                server_settings=self._settings or None,
                init=_init_connection,
            )

    async def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[PgConn]:
        """A pooled connection for autocommit statements."""
        with postgres_errors():
            async with self._live().acquire() as conn:
                yield conn

    @asynccontextmanager
    async def write(self) -> AsyncIterator[PgConn]:
        """A pooled connection inside a READ COMMITTED transaction."""
        with postgres_errors():
            async with self._live().acquire() as conn, conn.transaction():
                yield conn

    def _live(self) -> asyncpg.Pool:
        if self._pool is None:
            raise StoreUnavailable("store is not open; call 'await store.open()' first")
        return self._pool
