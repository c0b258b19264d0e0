"""Which status list entry an issued credential gets, and what a status change writes.

Two list families:

* ``token`` — IETF Token Status List (SD-JWT VC), 2 bits per entry: 0 VALID, 1 INVALID
  (revoked), 2 SUSPENDED. List ids ``tok-…``, published at ``/status/token/{id}``.
* ``bitstring`` — W3C Bitstring Status List (``ldp_vc``), a pair of 1-bit lists sharing one
  index space: ``rev-<stem>`` (statusPurpose ``revocation``, where indices are allocated) and
  ``sus-<stem>`` (``suspension``), published at ``/status/bitstring/{id}``.

Indices come from :meth:`issuer.store.base.StatusListStore.allocate_index` (random, never
reused, safe across replicas). A full list makes the allocator open a new one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from issuer.store.base import (
    CredentialRecord,
    CredentialStatus,
    IssuerStore,
    StatusList,
    StatusListFull,
)
from pidm.clock import Clock
from pidm.encoding import b64url_encode
from pidm.errors import Conflict

Family = Literal["token", "bitstring"]
TOKEN: Family = "token"
BITSTRING: Family = "bitstring"
_OPEN_TRIES = 5
_PREFIX = {"token": "tok-", "revocation": "rev-", "suspension": "sus-"}
#: Token Status List values (draft-ietf-oauth-status-list §7.1).
TOKEN_VALUE = {
    CredentialStatus.VALID: 0,
    CredentialStatus.REVOKED: 1,
    CredentialStatus.SUSPENDED: 2,
}


@dataclass(frozen=True, slots=True)
class Entry:
    """A credential's place in the status lists: the list where its index was allocated."""

    family: Family
    list_id: str
    index: int

    @property
    def suspension_list_id(self) -> str | None:
        """The twin suspension list of a bitstring entry (None for a token entry)."""
        return suspension_twin(self.list_id) if self.family == BITSTRING else None


def suspension_twin(list_id: str) -> str | None:
    """``sus-<stem>`` for ``rev-<stem>``; None for any other list id."""
    return "sus-" + list_id[4:] if list_id.startswith("rev-") else None


_LIST_ID = re.compile(r"(tok|rev|sus)-[A-Za-z0-9]{1,64}")


def family_of(list_id: str) -> Family | None:
    """The family a list id belongs to (by prefix), or None — also for anything not shaped like
    an id this issuer makes (so hostile path text never reaches the store)."""
    if not _LIST_ID.fullmatch(list_id):
        return None
    return TOKEN if list_id.startswith("tok-") else BITSTRING


@dataclass(slots=True)
class StatusAllocator:
    """Allocate entries, remembering each family's current list (per process).

    The remembered list id is only a hint: on :class:`StatusListFull` a new list is opened.
    """

    store: IssuerStore
    clock: Clock
    size: int
    rng: Callable[[int], bytes]
    _current: dict[str, str] = field(default_factory=dict)

    async def allocate(self, family: Family) -> Entry:
        """A fresh random index in the family's current list (opening one if needed)."""
        list_id = self._current.get(family) or await self._pick(family)
        try:
            index = await self.store.allocate_index(list_id)
        except StatusListFull:
            list_id = await self._open(family)
            index = await self.store.allocate_index(list_id)
        self._current[family] = list_id
        return Entry(family, list_id, index)

    async def _pick(self, family: Family) -> str:
        purpose = "token" if family == TOKEN else "revocation"
        lists = await self.store.list_status_lists(purpose=purpose)
        for state in reversed(lists):
            if state.allocated < state.size:
                return state.list_id
        return await self._open(family)

    async def _open(self, family: Family) -> str:
        for _ in range(_OPEN_TRIES):
            try:
                return await self._create(family)
            except Conflict:  # another replica (or a poor rng) took the stem
                continue
        raise Conflict(f"could not open a new {family} status list")

    async def _create(self, family: Family) -> str:
        stem = b64url_encode(self.rng(9)).replace("_", "x").replace("-", "y")
        now = self.clock.now()
        if family == TOKEN:
            await self.store.create_status_list(
                StatusList(_PREFIX["token"] + stem, "token", self.size, now, status_size=2)
            )
            return _PREFIX["token"] + stem
        await self.store.create_status_list(
            StatusList(_PREFIX["suspension"] + stem, "suspension", self.size, now)
        )
        await self.store.create_status_list(
            StatusList(_PREFIX["revocation"] + stem, "revocation", self.size, now)
        )
        return _PREFIX["revocation"] + stem


async def change_status(
    store: IssuerStore, record: CredentialRecord, new: CredentialStatus
) -> tuple[CredentialRecord, list[str]]:
    """Move ``record`` to ``new``, writing the list bits; return it and the changed list ids.

    Token entries change in one transaction with the record. Bitstring entries: revocation
    sets the ``rev-`` bit with the record; suspension and reinstatement flip the twin ``sus-``
    bit first, then the record. Revocation is final (CONFLICT).
    """
    list_id, index = record.status_list_id, record.status_index
    if record.status is CredentialStatus.REVOKED and new is not CredentialStatus.REVOKED:
        raise Conflict(f"credential {record.credential_id} is revoked; revocation is final")
    if list_id is None or index is None:
        updated = await store.set_credential_status(record.credential_id, new)
        return _found(updated, record), []
    if family_of(list_id) == TOKEN:
        updated = await store.set_credential_status(
            record.credential_id, new, list_value=TOKEN_VALUE[new]
        )
        return _found(updated, record), [list_id]
    if new is CredentialStatus.REVOKED:
        updated = await store.set_credential_status(record.credential_id, new, list_value=1)
        return _found(updated, record), [list_id]
    twin = suspension_twin(list_id)
    if twin is None:
        raise Conflict(f"status list {list_id} has no suspension list")
    await store.set_status(twin, index, 1 if new is CredentialStatus.SUSPENDED else 0)
    updated = await store.set_credential_status(record.credential_id, new)
    return _found(updated, record), [twin]


def _found(updated: CredentialRecord | None, record: CredentialRecord) -> CredentialRecord:
    if updated is None:
        raise Conflict(f"credential {record.credential_id} disappeared during the update")
    return updated
