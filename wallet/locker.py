"""The personal data locker: sealed records of keys, credentials, history and receipts.

Key hierarchy. The passphrase goes through Argon2id (salt and cost in the wallet header) to a
key-encryption key, which unwraps a random 32-byte data key stored sealed in the header. From
the data key come two subkeys: one seals records (XSalsa20-Poly1305), one computes the id tags
used to find a record without storing its id in clear. Changing the passphrase or raising the
Argon2id cost rewraps the data key only; records are untouched.

Opening checks a verifier (a known value sealed under the data key), so a wrong passphrase
fails at open with WRONG_PASSPHRASE before any record is read. Each record's box holds its
kind and id as associated data, and the row's tag must match them, so a box copied onto another
row, kind or id fails to unseal. Every such failure is the one opaque WRONG_PASSPHRASE
(``specs/errors.md``); once the passphrase has been verified at open, it means the record is
damaged or was tampered with.

Not covered: someone able to write the file can delete rows or put back an older box of the
same record (there is no MAC over the whole store); backups are the remedy for loss.
"""

from __future__ import annotations

import builtins
import hmac
import json
import os
import secrets
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from pidm.errors import (
    LockerLocked,
    MalformedValueError,
    StoreUnavailable,
    WrongPassphrase,
    shorten,
)
from pidm.keys import KeyPair, NoEncryption
from wallet.passphrase import check_new_passphrase
from wallet.sealing import (
    KdfParams,
    Rng,
    SealingKey,
    derive_key,
    generate_key,
    new_salt,
    seal,
    unseal,
    unseal_with_aad,
    unwrap_key,
    wrap_key,
)
from wallet.store.base import FORMAT_VERSION, RecordStore, StoredRow, WalletHeader
from wallet.store.sqlite import SqliteStore

KINDS: frozenset[str] = frozenset({"key", "credential", "history", "receipt", "meta"})
DB_NAME = "wallet.db"
MAX_ID_LENGTH = 1024

_WRAP_AAD = b"pidm-wallet/1:data-key"
_VERIFIER_AAD = b"pidm-wallet/1:verifier"
_VERIFIER_VALUE = b"pidm wallet verifier v1"
_RECORD_AAD_LABEL = "pidm-record/1"


def default_wallet_dir(
    override: str | os.PathLike[str] | None = None, *, environ: Mapping[str, str] | None = None,
    platform: str | None = None,
) -> Path:
    """Return the wallet directory: ``override`` (``--wallet``), else ``$PIDM_WALLET``, else
    ``pidm/wallet`` in the user's data directory: ``$XDG_DATA_HOME`` or ``~/.local/share``
    (Linux and other Unix), ``~/Library/Application Support`` (macOS), ``%LOCALAPPDATA%``
    (Windows; the wallet stays on this machine, ``export`` moves it)."""
    env = os.environ if environ is None else environ
    system = sys.platform if platform is None else platform
    if override:
        return Path(override).expanduser()
    if env.get("PIDM_WALLET"):
        return Path(env["PIDM_WALLET"]).expanduser()
    home = Path(env["HOME"]) if env.get("HOME") else Path.home()
    if system == "win32":
        local = env.get("LOCALAPPDATA", "")
        base = Path(local) if local else home / "AppData" / "Local"
        return base / "pidm" / "wallet"
    if system == "darwin":
        return home / "Library" / "Application Support" / "pidm" / "wallet"
    xdg = env.get("XDG_DATA_HOME", "")
    if os.path.isabs(xdg):
        return Path(xdg) / "pidm" / "wallet"
    return home / ".local" / "share" / "pidm" / "wallet"


@dataclass(frozen=True, slots=True)
class Record:
    """One unsealed record."""

    kind: str
    id: str
    data: dict[str, Any]


@dataclass(frozen=True, slots=True, repr=False)
class _Keys:
    seal: SealingKey
    tag: SealingKey
    data: SealingKey


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise MalformedValueError(f"unknown record kind {shorten(kind)}")


def _check_id(record_id: str) -> None:
    if not isinstance(record_id, str) or not 0 < len(record_id) <= MAX_ID_LENGTH:
        raise MalformedValueError(f"record id must be 1..{MAX_ID_LENGTH} characters")
    try:
        record_id.encode("utf-8")
    except UnicodeEncodeError:
        raise MalformedValueError(f"record id is not valid Unicode: {shorten(record_id)}") from None


def _record_aad(kind: str, record_id: str) -> bytes:
    return json.dumps([_RECORD_AAD_LABEL, kind, record_id], separators=(",", ":")).encode()


def _encode_data(data: Mapping[str, Any]) -> bytes:
    if not isinstance(data, Mapping):
        raise MalformedValueError("record data must be a JSON object")
    try:
        text = json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        return text.encode("utf-8")
    except (TypeError, ValueError) as exc:
        raise MalformedValueError(f"record data is not JSON: {exc}") from None


def _decode_data(message: bytes, what: str) -> dict[str, Any]:
    try:
        data = json.loads(message.decode("utf-8"))
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise WrongPassphrase(f"{what} is damaged")
    return data


def _derive_keys(data_key: SealingKey) -> _Keys:
    return _Keys(data_key.subkey("record-seal"), data_key.subkey("record-id-tag"), data_key)


def _new_header(data_key: SealingKey, passphrase: str, kdf: KdfParams, rng: Rng) -> WalletHeader:
    salt = new_salt(rng)
    kek = derive_key(passphrase, salt, kdf)
    return WalletHeader(
        version=FORMAT_VERSION,
        kdf=kdf.name,
        opslimit=kdf.opslimit,
        memlimit=kdf.memlimit,
        salt=salt,
        wrapped_key=wrap_key(kek, data_key, aad=_WRAP_AAD, rng=rng),
        verifier=seal(data_key, _VERIFIER_VALUE, aad=_VERIFIER_AAD, rng=rng),
    )


def _unlock(header: WalletHeader, passphrase: str) -> SealingKey:
    if header.version != FORMAT_VERSION:
        raise StoreUnavailable(f"unsupported wallet format version {shorten(header.version)}")
    try:
        kdf = KdfParams(header.opslimit, header.memlimit, header.kdf)
    except MalformedValueError:
        raise WrongPassphrase("the wallet header is damaged") from None
    kek = derive_key(passphrase, header.salt, kdf)
    try:
        data_key = unwrap_key(kek, header.wrapped_key, aad=_WRAP_AAD)
        known = unseal(data_key, header.verifier, aad=_VERIFIER_AAD)
    except WrongPassphrase:
        raise WrongPassphrase("wrong passphrase (or a damaged wallet header)") from None
    if not hmac.compare_digest(known, _VERIFIER_VALUE):
        raise WrongPassphrase("wrong passphrase (or a damaged wallet header)")
    return data_key


class Locker:
    """An open wallet. Build with :meth:`create` or :meth:`open`; :meth:`close` forgets the keys.

    Every method of a closed locker raises LOCKER_LOCKED. Keys are held only in memory while
    open; nothing unsealed is cached.
    """

    def __init__(self, store: RecordStore, keys: _Keys, rng: Rng) -> None:
        self._store = store
        self._keys: _Keys | None = keys
        self._rng = rng

    # --- lifecycle ------------------------------------------------------------------------
    @classmethod
    def create(
        cls,
        directory: str | os.PathLike[str],
        passphrase: str,
        *,
        kdf: KdfParams = KdfParams.MODERATE,
        rng: Rng = secrets.token_bytes,
    ) -> Locker:
        """Create an empty wallet in ``directory`` (made 0700 if absent) and return it open.

        Raises CONFLICT if a wallet exists there, MALFORMED_VALUE_ERROR for a passphrase weaker
        than :data:`wallet.passphrase.RULE` (at least 8 characters, not all the same).
        """
        check_new_passphrase(passphrase)
        path = Path(directory)
        try:
            path.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreUnavailable(f"cannot create {str(path)!r}: {exc.strerror}") from exc
        data_key = generate_key(rng)
        store = SqliteStore.create(path / DB_NAME, _new_header(data_key, passphrase, kdf, rng))
        return cls(store, _derive_keys(data_key), rng)

    @classmethod
    def open(
        cls, directory: str | os.PathLike[str], passphrase: str, *, rng: Rng = secrets.token_bytes
    ) -> Locker:
        """Open the wallet in ``directory``.

        Raises WALLET_NOT_FOUND if there is none, WRONG_PASSPHRASE if the passphrase is wrong
        (checked against the verifier before any record is read), STORE_UNAVAILABLE if the
        file is not a readable pidm wallet.
        """
        if not isinstance(passphrase, str):
            raise TypeError("passphrase must be a str")
        store = SqliteStore.open(Path(directory) / DB_NAME)
        try:
            data_key = _unlock(store.header(), passphrase)
        except BaseException:
            store.close()
            raise
        return cls(store, _derive_keys(data_key), rng)

    def close(self) -> None:
        """Forget the keys and close the store; idempotent."""
        self._keys = None
        self._store.close()

    @property
    def closed(self) -> bool:
        return self._keys is None

    def __enter__(self) -> Locker:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Locker(closed={self.closed})"

    def _open_keys(self) -> _Keys:
        if self._keys is None:
            raise LockerLocked("the wallet is locked; open it with the passphrase")
        return self._keys

    # --- records --------------------------------------------------------------------------
    def _row(self, keys: _Keys, kind: str, record_id: str, data: Mapping[str, Any]) -> StoredRow:
        _check_kind(kind)
        _check_id(record_id)
        aad = _record_aad(kind, record_id)
        sealed = seal(keys.seal, _encode_data(data), aad=aad, rng=self._rng)
        return StoredRow(kind, keys.tag.tag(aad), sealed)

    def put(self, kind: str, record_id: str, data: Mapping[str, Any]) -> None:
        """Seal ``data`` (a JSON object) as record ``kind``/``record_id``, replacing any old one."""
        keys = self._open_keys()
        self._store.put(self._row(keys, kind, record_id, data))

    def put_many(self, kind: str, items: Iterable[tuple[str, Mapping[str, Any]]]) -> int:
        """Seal and store many ``(id, data)`` records in one transaction; return how many."""
        keys = self._open_keys()
        rows = [self._row(keys, kind, record_id, data) for record_id, data in items]
        self._store.put_many(rows)
        return len(rows)

    def put_records(self, items: Iterable[tuple[str, str, Mapping[str, Any]]]) -> int:
        """Seal and store ``(kind, id, data)`` records of several kinds in one transaction
        (a credential and its holder key land together or not at all); return how many."""
        keys = self._open_keys()
        rows = [self._row(keys, kind, record_id, data) for kind, record_id, data in items]
        self._store.put_many(rows)
        return len(rows)

    def get(self, kind: str, record_id: str) -> dict[str, Any] | None:
        """Return the data of ``kind``/``record_id``, or None if there is no such record.

        Raises WRONG_PASSPHRASE if the stored box is damaged or belongs to another record.
        """
        keys = self._open_keys()
        _check_kind(kind)
        _check_id(record_id)
        aad = _record_aad(kind, record_id)
        sealed = self._store.get(kind, keys.tag.tag(aad))
        if sealed is None:
            return None
        what = f"record {kind}/{shorten(record_id)}"
        try:
            message = unseal(keys.seal, sealed, aad=aad)
        except WrongPassphrase:
            raise WrongPassphrase(f"{what} is damaged or was tampered with") from None
        return _decode_data(message, what)

    def list(self, kind: str) -> list[Record]:
        """Unseal every record of ``kind`` (one query, then decrypt), sorted by id.

        Raises WRONG_PASSPHRASE if any of them is damaged or sits on another record's row.
        """
        keys = self._open_keys()
        _check_kind(kind)
        records = [self._unseal_row(keys, row) for row in self._store.list(kind)]
        records.sort(key=lambda record: record.id)
        return records

    def _unseal_row(self, keys: _Keys, row: StoredRow) -> Record:
        try:
            aad, message = unseal_with_aad(keys.seal, row.sealed)
            label, kind, record_id = json.loads(aad)
        except (WrongPassphrase, ValueError, TypeError):
            raise WrongPassphrase(f"a {row.kind} record is damaged or was tampered with") from None
        if (
            label != _RECORD_AAD_LABEL
            or kind != row.kind
            or not hmac.compare_digest(keys.tag.tag(aad), row.tag)
        ):
            raise WrongPassphrase(f"a {row.kind} record was moved from another row")
        return Record(kind, record_id, _decode_data(message, f"record {kind}/{shorten(record_id)}"))

    def delete(self, kind: str, record_id: str) -> bool:
        """Delete ``kind``/``record_id``; return whether it existed."""
        keys = self._open_keys()
        _check_kind(kind)
        _check_id(record_id)
        return self._store.delete(kind, keys.tag.tag(_record_aad(kind, record_id)))

    # --- passphrase and raw access --------------------------------------------------------
    @property
    def kdf(self) -> KdfParams:
        """The Argon2id cost recorded in the header."""
        self._open_keys()
        header = self._store.header()
        return KdfParams(header.opslimit, header.memlimit, header.kdf)

    def change_passphrase(self, new_passphrase: str, *, kdf: KdfParams | None = None) -> None:
        """Rewrap the data key under ``new_passphrase`` (new salt; ``kdf`` raises the cost).

        One atomic header write; records are not touched. MALFORMED_VALUE_ERROR for a
        passphrase weaker than :data:`wallet.passphrase.RULE`.
        """
        keys = self._open_keys()
        check_new_passphrase(new_passphrase)
        header = _new_header(keys.data, new_passphrase, kdf or self.kdf, self._rng)
        self._store.set_header(header)

    def sealed_snapshot(self) -> tuple[WalletHeader, builtins.list[StoredRow]]:
        """Return the header and every sealed row as stored (for backups); no plaintext."""
        self._open_keys()
        return self._store.header(), self._store.rows()


# --- key pairs ---------------------------------------------------------------------------------
def put_key_pair(locker: Locker, pair: KeyPair) -> None:
    """Store ``pair`` sealed as a ``key`` record under its ``key_id`` (which must be set)."""
    if not pair.key_id:
        raise MalformedValueError("a key pair needs a key_id to be stored")
    jwk = pair.export_private_jwk(encrypt_with=NoEncryption())
    locker.put("key", pair.key_id, {"algorithm": pair.algorithm, "jwk": jwk})


def get_key_pair(locker: Locker, key_id: str) -> KeyPair | None:
    """Return the key pair stored under ``key_id``, or None."""
    data = locker.get("key", key_id)
    if data is None:
        return None
    jwk = data.get("jwk")
    if not isinstance(jwk, dict):
        raise WrongPassphrase(f"key record {shorten(key_id)} is damaged")
    return KeyPair.from_jwk(jwk, key_id)


class LockerKeyRing:
    """A :class:`pidm.keys.KeyRing` over the locker's ``key`` records."""

    def __init__(self, locker: Locker) -> None:
        self._locker = locker

    def signer_for(self, key_id: str) -> KeyPair | None:
        return get_key_pair(self._locker, key_id)
