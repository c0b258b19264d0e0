"""The issuer store on PostgreSQL (asyncpg): shared by any number of issuer replicas."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

import asyncpg

from pidm.clock import Clock, SystemClock
from service_kit.db import PgConn, PostgresDB, aware, opt_aware, rowcount
from service_kit.lifecycle import PostgresLifecycle

from . import _rules
from ._schema import POSTGRES_STEPS as MIGRATIONS
from .base import (
    AccessToken,
    CredentialRecord,
    CredentialStatus,
    Offer,
    StatusList,
    StatusListState,
    write_entry,
)

_OFFER_COLUMNS = (
    "offer_id, configuration_ids, subject, pre_auth_code_hash, tx_code_hash, created_at,"
    " expires_at, used_at, tx_failures"
)
_LIST_SELECT = """SELECT l.*, (SELECT COUNT(*) FROM status_allocations a
    WHERE a.list_id = l.list_id) AS allocated FROM status_lists l"""


def _offer(row: asyncpg.Record) -> Offer:
    return Offer(
        offer_id=row["offer_id"],
        configuration_ids=tuple(row["configuration_ids"]),
        subject=row["subject"],
        pre_auth_code_hash=row["pre_auth_code_hash"],
        tx_code_hash=row["tx_code_hash"],
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        used_at=row["used_at"],
        tx_failures=row["tx_failures"],
    )


def _credential(row: asyncpg.Record) -> CredentialRecord:
    return CredentialRecord(
        credential_id=row["credential_id"],
        configuration_id=row["configuration_id"],
        format=row["format"],
        holder_thumbprint=row["holder_thumbprint"],
        status_list_id=row["status_list_id"],
        status_index=row["status_index"],
        status=CredentialStatus(row["status"]),
        issued_at=row["issued_at"],
        expires_at=row["expires_at"],
    )


def _status_list(row: asyncpg.Record) -> StatusListState:
    return StatusListState(
        list_id=row["list_id"],
        purpose=row["purpose"],
        size=row["size"],
        status_size=row["status_size"],
        bits=bytes(row["bits"]),
        version=row["version"],
        allocated=row["allocated"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


class PostgresIssuerStore(PostgresLifecycle):
    """:class:`issuer.store.base.IssuerStore` on PostgreSQL.

    ``dsn`` is an asyncpg DSN; unknown query parameters become server settings, so
    ``?search_path=tenant`` selects a schema (or pass ``server_settings``).
    """

    COMPONENT = "issuer"
    STEPS = MIGRATIONS

    def __init__(
        self,
        dsn: str,
        *,
        clock: Clock | None = None,
        rng: _rules.Rng = secrets.token_bytes,
        min_size: int = 1,
        max_size: int = 10,
        server_settings: Mapping[str, str] | None = None,
    ) -> None:
        self._db = PostgresDB(
            dsn, min_size=min_size, max_size=max_size, server_settings=server_settings
        )
        self._clock: Clock = clock or SystemClock()
        self._rng = rng
        self._sizes: dict[str, int] = {}

    async def purge_expired(self) -> int:
        now = self._clock.now()
        gone = 0
        async with self._db.write() as conn:
            for sql in (
                "DELETE FROM access_tokens WHERE expires_at <= $1",
                "DELETE FROM c_nonces WHERE expires_at <= $1",
                """DELETE FROM offers o WHERE expires_at <= $1 AND NOT EXISTS
                    (SELECT 1 FROM access_tokens t WHERE t.offer_id = o.offer_id)""",
            ):
                gone += rowcount(await conn.execute(sql, now))
        return gone

    # --- offers ------------------------------------------------------------------------------
    async def create_offer(self, offer: Offer) -> None:
        async with self._db.read() as conn:
            await conn.execute(
                f"INSERT INTO offers ({_OFFER_COLUMNS})"
                " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                offer.offer_id,
                list(offer.configuration_ids),
                offer.subject,
                offer.pre_auth_code_hash,
                offer.tx_code_hash,
                aware(offer.created_at),
                aware(offer.expires_at),
                opt_aware(offer.used_at),
                offer.tx_failures,
            )

    async def get_offer(self, offer_id: str) -> Offer | None:
        async with self._db.read() as conn:
            row = await conn.fetchrow("SELECT * FROM offers WHERE offer_id = $1", offer_id)
        return None if row is None else _offer(row)

    async def find_offer_by_code(self, code_hash: str) -> Offer | None:
        async with self._db.read() as conn:
            row = await conn.fetchrow(
                "SELECT * FROM offers WHERE pre_auth_code_hash = $1", code_hash
            )
        return None if row is None else _offer(row)

    async def redeem_offer(self, code_hash: str) -> Offer | None:
        async with self._db.read() as conn:
            row = await conn.fetchrow(
                """UPDATE offers SET used_at = $2 WHERE pre_auth_code_hash = $1
                    AND used_at IS NULL AND expires_at > $2 RETURNING *""",
                code_hash,
                self._clock.now(),
            )
        return None if row is None else _offer(row)

    async def record_tx_failure(self, code_hash: str, *, limit: int) -> int | None:
        async with self._db.read() as conn:
            count = await conn.fetchval(
                """UPDATE offers SET tx_failures = tx_failures + 1,
                    used_at = CASE WHEN tx_failures + 1 >= $2 THEN $3 ELSE used_at END
                    WHERE pre_auth_code_hash = $1 AND used_at IS NULL AND expires_at > $3
                    RETURNING tx_failures""",
                code_hash,
                limit,
                self._clock.now(),
            )
        return None if count is None else int(count)

    # --- tokens and nonces ---------------------------------------------------------------------
    async def save_token(self, token: AccessToken) -> None:
        async with self._db.read() as conn:
            await conn.execute(
                "INSERT INTO access_tokens VALUES ($1, $2, $3)",
                token.token_hash,
                token.offer_id,
                aware(token.expires_at),
            )

    async def get_token(self, token_hash: str) -> AccessToken | None:
        async with self._db.read() as conn:
            row = await conn.fetchrow(
                "SELECT * FROM access_tokens WHERE token_hash = $1 AND expires_at > $2",
                token_hash,
                self._clock.now(),
            )
        if row is None:
            return None
        return AccessToken(row["token_hash"], row["offer_id"], row["expires_at"])

    async def add_nonce(self, nonce: str, *, expires: datetime) -> None:
        async with self._db.read() as conn:
            await conn.execute("INSERT INTO c_nonces VALUES ($1, $2)", nonce, aware(expires))

    async def consume_nonce(self, nonce: str) -> bool:
        async with self._db.read() as conn:
            row = await conn.fetchrow(
                "DELETE FROM c_nonces WHERE nonce = $1 AND expires_at > $2 RETURNING nonce",
                nonce,
                self._clock.now(),
            )
        return row is not None

    # --- credentials ---------------------------------------------------------------------------
    async def record_credential(self, record: CredentialRecord) -> None:
        async with self._db.read() as conn:
            await conn.execute(
                "INSERT INTO credentials VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                record.credential_id,
                record.configuration_id,
                record.format,
                record.holder_thumbprint,
                record.status_list_id,
                record.status_index,
                CredentialStatus(record.status).value,
                aware(record.issued_at),
                opt_aware(record.expires_at),
            )

    async def get_credential(self, credential_id: str) -> CredentialRecord | None:
        async with self._db.read() as conn:
            row = await conn.fetchrow(
                "SELECT * FROM credentials WHERE credential_id = $1", credential_id
            )
        return None if row is None else _credential(row)

    async def list_credentials(
        self,
        *,
        holder_thumbprint: str | None = None,
        status: CredentialStatus | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[CredentialRecord]:
        async with self._db.read() as conn:
            rows = await conn.fetch(
                """SELECT * FROM credentials
                    WHERE ($1::text IS NULL OR holder_thumbprint = $1)
                      AND ($2::text IS NULL OR status = $2)
                    ORDER BY issued_at DESC, credential_id LIMIT $3 OFFSET $4""",
                holder_thumbprint,
                None if status is None else CredentialStatus(status).value,
                limit,
                offset,
            )
        return [_credential(r) for r in rows]

    async def set_credential_status(
        self, credential_id: str, status: CredentialStatus, *, list_value: int | None = None
    ) -> CredentialRecord | None:
        status = CredentialStatus(status)
        async with self._db.write() as conn:
            row = await conn.fetchrow(
                "SELECT * FROM credentials WHERE credential_id = $1 FOR UPDATE", credential_id
            )
            if row is None:
                return None
            old = _credential(row)
            _rules.check_transition(credential_id, old.status, status)
            await conn.execute(
                "UPDATE credentials SET status = $2 WHERE credential_id = $1",
                credential_id,
                status.value,
            )
            if (
                list_value is not None
                and old.status_list_id is not None
                and old.status_index is not None
            ):
                await self._set_bits(conn, old.status_list_id, old.status_index, list_value)
        return replace(old, status=status)

    # --- status lists --------------------------------------------------------------------------
    async def create_status_list(self, status_list: StatusList) -> StatusListState:
        nbytes = _rules.check_list_params(status_list)
        async with self._db.read() as conn:
            await conn.execute(
                "INSERT INTO status_lists VALUES ($1, $2, $3, $4, $5, 0, $6, $6)",
                status_list.list_id,
                status_list.purpose,
                status_list.size,
                status_list.status_size,
                bytes(nbytes),
                aware(status_list.created_at),
            )
        return _rules.fresh_state(status_list, nbytes)

    async def allocate_index(self, list_id: str) -> int:
        size = await self._size(list_id)

        async def try_claim(index: int) -> bool:
            async with self._db.read() as conn:
                got = await conn.fetchval(
                    """INSERT INTO status_allocations VALUES ($1, $2)
                        ON CONFLICT DO NOTHING RETURNING idx""",
                    list_id,
                    index,
                )
            return got is not None

        async def allocated() -> set[int]:
            async with self._db.read() as conn:
                rows = await conn.fetch(
                    "SELECT idx FROM status_allocations WHERE list_id = $1", list_id
                )
            return {r[0] for r in rows}

        return await _rules.allocate(list_id, size, self._rng, try_claim, allocated)

    async def set_status(self, list_id: str, index: int, value: int) -> int:
        async with self._db.write() as conn:
            return await self._set_bits(conn, list_id, index, value)

    async def load(self, list_id: str) -> StatusListState | None:
        async with self._db.read() as conn:
            row = await conn.fetchrow(_LIST_SELECT + " WHERE l.list_id = $1", list_id)
        return None if row is None else _status_list(row)

    async def list_status_lists(self, *, purpose: str | None = None) -> list[StatusListState]:
        async with self._db.read() as conn:
            rows = await conn.fetch(
                _LIST_SELECT + " WHERE $1::text IS NULL OR l.purpose = $1"
                " ORDER BY created_at, list_id",
                purpose,
            )
        return [_status_list(r) for r in rows]

    async def _size(self, list_id: str) -> int:
        if list_id not in self._sizes:
            async with self._db.read() as conn:
                size = await conn.fetchval(
                    "SELECT size FROM status_lists WHERE list_id = $1", list_id
                )
            if size is None:
                raise _rules.unknown_list(list_id)
            self._sizes[list_id] = int(size)
        return self._sizes[list_id]

    async def _set_bits(self, conn: PgConn, list_id: str, index: int, value: int) -> int:
        """Read-modify-write of the bits under a row lock, in the caller's transaction.

        ``FOR NO KEY UPDATE`` (not ``FOR UPDATE``) so concurrent index allocations, which take
        ``FOR KEY SHARE`` on the list through the foreign key, are not blocked.
        """
        row = await conn.fetchrow(
            """SELECT size, status_size, bits FROM status_lists WHERE list_id = $1
                FOR NO KEY UPDATE""",
            list_id,
        )
        if row is None:
            raise _rules.unknown_list(list_id)
        _rules.check_entry(list_id, row["size"], row["status_size"], index, value)
        bits = bytearray(row["bits"])
        write_entry(bits, index, row["status_size"], value)
        version = await conn.fetchval(
            """UPDATE status_lists SET bits = $2, version = version + 1, updated_at = $3
                WHERE list_id = $1 RETURNING version""",
            list_id,
            bytes(bits),
            self._clock.now(),
        )
        return int(version)
