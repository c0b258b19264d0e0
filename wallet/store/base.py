"""The wallet store port: a header plus rows of ciphertext, nothing readable without the key.

The store never sees plaintext, record ids or keys. A row is ``(kind, tag, sealed)``: ``kind``
is one of the locker's record kinds, ``tag`` a keyed MAC of the record id (so lookups work
without storing the id in clear) and ``sealed`` the box holding the id and the data.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

#: Version of the header/row layout; bumped when the on-disk meaning changes.
FORMAT_VERSION = 1


@dataclass(frozen=True, slots=True)
class WalletHeader:
    """What a wallet needs before any record can be read: KDF settings and wrapped keys.

    ``wrapped_key`` is the random data key sealed under the passphrase key; ``verifier`` is a
    known value sealed under the data key, checked at open.
    """

    version: int
    kdf: str
    opslimit: int
    memlimit: int
    salt: bytes
    wrapped_key: bytes
    verifier: bytes


@dataclass(frozen=True, slots=True)
class StoredRow:
    """One sealed record as stored: kind in clear, id as a keyed tag, everything else sealed."""

    kind: str
    tag: bytes
    sealed: bytes


class RecordStore(Protocol):
    """Persistence for one wallet. Each method is atomic; a crash loses at most that call."""

    def header(self) -> WalletHeader: ...

    def set_header(self, header: WalletHeader) -> None: ...

    def put(self, row: StoredRow) -> None: ...

    def put_many(self, rows: Iterable[StoredRow]) -> None: ...

    def get(self, kind: str, tag: bytes) -> bytes | None: ...

    def list(self, kind: str) -> list[StoredRow]: ...

    def delete(self, kind: str, tag: bytes) -> bool: ...

    def rows(self) -> builtins.list[StoredRow]: ...

    def close(self) -> None: ...
