"""``open`` / ``close`` / ``ping`` / ``async with`` — the same for every pidm store: open the
connection (or pool), bring the component's schema to its newest step (see :mod:`.migrate`),
and close again when that fails. A backend class sets ``COMPONENT`` and ``STEPS`` and assigns
``_db`` and ``_clock`` in its constructor."""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import ClassVar, Self

from pidm.clock import Clock

from .db import PostgresDB, SqliteDB
from .migrate import Step, migrate_postgres, migrate_sqlite


class _Lifecycle:
    COMPONENT: ClassVar[str]
    STEPS: ClassVar[Sequence[Step]]
    _clock: Clock
    _db: SqliteDB | PostgresDB

    async def open(self) -> None:
        await self._db.open()
        try:
            await self._migrate()
        except BaseException:
            await self._db.close()
            raise

    async def _migrate(self) -> None:
        raise NotImplementedError

    async def close(self) -> None:
        await self._db.close()

    async def __aenter__(self) -> Self:
        await self.open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()


class SqliteLifecycle(_Lifecycle):
    """Lifecycle of a store on a :class:`.db.SqliteDB`."""

    _db: SqliteDB

    async def _migrate(self) -> None:
        async with self._db.write() as conn:
            await migrate_sqlite(conn, self.COMPONENT, self.STEPS, now=self._clock.now())

    async def ping(self) -> None:
        """Raise StoreUnavailable unless the database answers."""
        async with self._db.read() as conn, conn.execute("SELECT 1") as cur:
            await cur.fetchone()


class PostgresLifecycle(_Lifecycle):
    """Lifecycle of a store on a :class:`.db.PostgresDB` pool."""

    _db: PostgresDB

    async def _migrate(self) -> None:
        async with self._db.write() as conn:
            await migrate_postgres(conn, self.COMPONENT, self.STEPS, now=self._clock.now())

    async def ping(self) -> None:
        """Raise StoreUnavailable unless the server answers."""
        async with self._db.read() as conn:
            await conn.fetchval("SELECT 1")
