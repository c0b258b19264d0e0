"""The issuer store on SQLite (aiosqlite): the default, one file created on first run."""

from __future__ import annotations

import json
import secrets
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import aiosqlite

from pidm.clock import Clock, SystemClock
from service_kit.db import (
    SqliteDB,
    dump_json,
    opt_parse_time,
    opt_time_text,
    parse_time,
    time_text,
)
from service_kit.lifecycle import SqliteLifecycle

from . import _rules
from ._schema import SQLITE_STEPS as MIGRATIONS
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


def _offer(row: Any) -> Offer:
    return Offer(
        offer_id=row["offer_id"],
        configuration_ids=tuple(json.loads(row["configuration_ids"])),
        subject=json.loads(row["subject"]),
        pre_auth_code_hash=row["pre_auth_code_hash"],
        tx_code_hash=row["tx_code_hash"],
        created_at=parse_time(row["created_at"]),
        expires_at=parse_time(row["expires_at"]),
        used_at=opt_parse_time(row["used_at"]),
        tx_failures=row["tx_failures"],
    )


def _credential(row: Any) -> CredentialRecord:
    return CredentialRecord(
        credential_id=row["credential_id"],
        configuration_id=row["configuration_id"],
        format=row["format"],
        holder_thumbprint=row["holder_thumbprint"],
        status_list_id=row["status_list_id"],
        status_index=row["status_index"],
        status=CredentialStatus(row["status"]),
        issued_at=parse_time(row["issued_at"]),
        expires_at=opt_parse_time(row["expires_at"]),
    )


def _status_list(row: Any) -> StatusListState:
    return StatusListState(
        list_id=row["list_id"],
        purpose=row["purpose"],
        size=row["size"],
        status_size=row["status_size"],
        bits=bytes(row["bits"]),
        version=row["version"],
        allocated=row["allocated"],
        created_at=parse_time(row["created_at"]),
        updated_at=parse_time(row["updated_at"]),
    )


async def _one(conn: aiosqlite.Connection, sql: str, *args: Any) -> Any:
    async with conn.execute(sql, args) as cur:
        return await cur.fetchone()


class SqliteIssuerStore(SqliteLifecycle):
    """:class:`issuer.store.base.IssuerStore` on a SQLite file (WAL mode)."""

    COMPONENT = "issuer"
    STEPS = MIGRATIONS

    def __init__(
        self,
        path: str | Path,
        *,
        clock: Clock | None = None,
        rng: _rules.Rng = secrets.token_bytes,
    ) -> None:
        self._db = SqliteDB(Path(path))
        self._clock: Clock = clock or SystemClock()
        self._rng = rng
        self._sizes: dict[str, int] = {}

    async def purge_expired(self) -> int:
        now = time_text(self._clock.now())
        async with self._db.write() as conn:
            gone = 0
            for sql in (
                "DELETE FROM access_tokens WHERE expires_at <= ?",
                "DELETE FROM c_nonces WHERE expires_at <= ?",
                """DELETE FROM offers WHERE expires_at <= ? AND NOT EXISTS
                    (SELECT 1 FROM access_tokens t WHERE t.offer_id = offers.offer_id)""",
            ):
                cur = await conn.execute(sql, (now,))
                gone += cur.rowcount
            return gone

    # --- offers ------------------------------------------------------------------------------
    async def create_offer(self, offer: Offer) -> None:
        async with self._db.read() as conn:
            await conn.execute(
                f"INSERT INTO offers ({_OFFER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    offer.offer_id,
                    json.dumps(list(offer.configuration_ids)),
                    dump_json(offer.subject),
                    offer.pre_auth_code_hash,
                    offer.tx_code_hash,
                    time_text(offer.created_at),
                    time_text(offer.expires_at),
                    opt_time_text(offer.used_at),
                    offer.tx_failures,
                ),
            )

    async def get_offer(self, offer_id: str) -> Offer | None:
        async with self._db.read() as conn:
            row = await _one(conn, "SELECT * FROM offers WHERE offer_id = ?", offer_id)
        return None if row is None else _offer(row)

    async def find_offer_by_code(self, code_hash: str) -> Offer | None:
        async with self._db.read() as conn:
            row = await _one(conn, "SELECT * FROM offers WHERE pre_auth_code_hash = ?", code_hash)
        return None if row is None else _offer(row)

    async def redeem_offer(self, code_hash: str) -> Offer | None:
        now = time_text(self._clock.now())
        async with self._db.write() as conn:
            row = await _one(
                conn,
                """UPDATE offers SET used_at = ? WHERE pre_auth_code_hash = ?
                    AND used_at IS NULL AND expires_at > ? RETURNING *""",
                now,
                code_hash,
                now,
            )
        return None if row is None else _offer(row)

    async def record_tx_failure(self, code_hash: str, *, limit: int) -> int | None:
        now = time_text(self._clock.now())
        async with self._db.write() as conn:
            row = await _one(
                conn,
                """UPDATE offers SET tx_failures = tx_failures + 1,
                    used_at = CASE WHEN tx_failures + 1 >= ? THEN ? ELSE used_at END
                    WHERE pre_auth_code_hash = ? AND used_at IS NULL AND expires_at > ?
                    RETURNING tx_failures""",
                limit,
                now,
                code_hash,
                now,
            )
        return None if row is None else int(row["tx_failures"])

    # --- tokens and nonces ---------------------------------------------------------------------
    async def save_token(self, token: AccessToken) -> None:
        async with self._db.read() as conn:
            await conn.execute(
                "INSERT INTO access_tokens VALUES (?, ?, ?)",
                (token.token_hash, token.offer_id, time_text(token.expires_at)),
            )

    async def get_token(self, token_hash: str) -> AccessToken | None:
        async with self._db.read() as conn:
            row = await _one(
                conn,
                "SELECT * FROM access_tokens WHERE token_hash = ? AND expires_at > ?",
                token_hash,
                time_text(self._clock.now()),
            )
        if row is None:
            return None
        return AccessToken(row["token_hash"], row["offer_id"], parse_time(row["expires_at"]))

    async def add_nonce(self, nonce: str, *, expires: datetime) -> None:
        async with self._db.read() as conn:
            await conn.execute("INSERT INTO c_nonces VALUES (?, ?)", (nonce, time_text(expires)))

    async def consume_nonce(self, nonce: str) -> bool:
        now = time_text(self._clock.now())
        async with self._db.write() as conn:
            row = await _one(
                conn,
                "DELETE FROM c_nonces WHERE nonce = ? AND expires_at > ? RETURNING nonce",
                nonce,
                now,
            )
        return row is not None

    # --- credentials ---------------------------------------------------------------------------
    async def record_credential(self, record: CredentialRecord) -> None:
        async with self._db.read() as conn:
            await conn.execute(
                "INSERT INTO credentials VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    record.credential_id,
                    record.configuration_id,
                    record.format,
                    record.holder_thumbprint,
                    record.status_list_id,
                    record.status_index,
                    CredentialStatus(record.status).value,
                    time_text(record.issued_at),
                    opt_time_text(record.expires_at),
                ),
            )

    async def get_credential(self, credential_id: str) -> CredentialRecord | None:
        async with self._db.read() as conn:
            row = await _one(
                conn, "SELECT * FROM credentials WHERE credential_id = ?", credential_id
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
            cur = await conn.execute(
                """SELECT * FROM credentials
                    WHERE (?1 IS NULL OR holder_thumbprint = ?1) AND (?2 IS NULL OR status = ?2)
                    ORDER BY issued_at DESC, credential_id LIMIT ?3 OFFSET ?4""",
                (holder_thumbprint, None if status is None else status.value, limit, offset),
            )
            rows = await cur.fetchall()
        return [_credential(r) for r in rows]

    async def set_credential_status(
        self, credential_id: str, status: CredentialStatus, *, list_value: int | None = None
    ) -> CredentialRecord | None:
        status = CredentialStatus(status)
        async with self._db.write() as conn:
            row = await _one(
                conn, "SELECT * FROM credentials WHERE credential_id = ?", credential_id
            )
            if row is None:
                return None
            old = _credential(row)
            _rules.check_transition(credential_id, old.status, status)
            await conn.execute(
                "UPDATE credentials SET status = ? WHERE credential_id = ?",
                (status.value, credential_id),
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
        created = time_text(status_list.created_at)
        async with self._db.read() as conn:
            await conn.execute(
                "INSERT INTO status_lists VALUES (?, ?, ?, ?, ?, 0, ?, ?)",
                (
                    status_list.list_id,
                    status_list.purpose,
                    status_list.size,
                    status_list.status_size,
                    bytes(nbytes),
                    created,
                    created,
                ),
            )
        return _rules.fresh_state(status_list, nbytes)

    async def allocate_index(self, list_id: str) -> int:
        size = await self._size(list_id)

        async def try_claim(index: int) -> bool:
            async with self._db.read() as conn:
                cur = await conn.execute(
                    "INSERT OR IGNORE INTO status_allocations VALUES (?, ?)", (list_id, index)
                )
                return cur.rowcount == 1

        async def allocated() -> set[int]:
            async with self._db.read() as conn:
                cur = await conn.execute(
                    "SELECT idx FROM status_allocations WHERE list_id = ?", (list_id,)
                )
                return {r[0] for r in await cur.fetchall()}

        return await _rules.allocate(list_id, size, self._rng, try_claim, allocated)

    async def set_status(self, list_id: str, index: int, value: int) -> int:
        async with self._db.write() as conn:
            return await self._set_bits(conn, list_id, index, value)

    async def load(self, list_id: str) -> StatusListState | None:
        async with self._db.read() as conn:
            row = await _one(conn, _LIST_SELECT + " WHERE l.list_id = ?", list_id)
        return None if row is None else _status_list(row)

    async def list_status_lists(self, *, purpose: str | None = None) -> list[StatusListState]:
        async with self._db.read() as conn:
            cur = await conn.execute(
                _LIST_SELECT + " WHERE ?1 IS NULL OR l.purpose = ?1 ORDER BY created_at, list_id",
                (purpose,),
            )
            rows = await cur.fetchall()
        return [_status_list(r) for r in rows]

    async def _size(self, list_id: str) -> int:
        if list_id not in self._sizes:
            async with self._db.read() as conn:
                row = await _one(conn, "SELECT size FROM status_lists WHERE list_id = ?", list_id)
            if row is None:
                raise _rules.unknown_list(list_id)
            self._sizes[list_id] = int(row[0])
        return self._sizes[list_id]

    async def _set_bits(
        self, conn: aiosqlite.Connection, list_id: str, index: int, value: int
    ) -> int:
        """Read-modify-write of the bits inside the caller's write transaction."""
        row = await _one(
            conn, "SELECT size, status_size, bits FROM status_lists WHERE list_id = ?", list_id
        )
        if row is None:
            raise _rules.unknown_list(list_id)
        _rules.check_entry(list_id, row["size"], row["status_size"], index, value)
        bits = bytearray(row["bits"])
        write_entry(bits, index, row["status_size"], value)
        new = await _one(
            conn,
            """UPDATE status_lists SET bits = ?, version = version + 1, updated_at = ?
                WHERE list_id = ? RETURNING version""",
            bytes(bits),
            time_text(self._clock.now()),
            list_id,
        )
        return int(new[0])
