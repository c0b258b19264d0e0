"""Reading a service's TOML configuration: the checks the issuer and verifier share.

Every problem is CONFIG_ERROR naming the key at fault (``'issuer.public_url' must be …``);
``role`` (``issuer`` / ``verifier``) is the service's top-level table and appears in messages.
A table with a fixed set of keys refuses any other key (a misspelt one would otherwise be
ignored without a word), naming it, the closest allowed key and all the allowed ones.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from pidm.did.key import did_key, did_key_vm_id
from pidm.did.model import DID
from pidm.did.web import did_web_to_url
from pidm.errors import ConfigError, InvalidDID, KeyMaterialError, shorten
from pidm.keys import JOSE_ALG, KeyPair, read_key_file

T = TypeVar("T")
MISSING: Any = object()
_KINDS: dict[type, str] = {
    str: "a string", int: "an integer", bool: "a boolean", list: "a list", dict: "a table",
    float: "a number",
}
MIN_ADMIN_TOKEN = 16
#: Most bytes read from a configuration file (``--config /dev/zero`` filled memory).
MAX_CONFIG_BYTES = 1024 * 1024
#: Most bytes read from an ``admin_token_file``.
MAX_TOKEN_FILE_BYTES = 64 * 1024
#: A key printed as is in messages; any other is quoted and cut (it may be hostile or huge).
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_+-]{1,64}")
#: ``scheme://`` at the start of a store value; only sqlite://, postgresql:// and postgres:// are
#: stores (``mysql://x@y/z`` was taken for a SQLite file name).
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://")


def store_forms(role: str) -> str:
    """The values ``[<role>] store`` takes, for messages."""
    return (f"a SQLite file name ({role}.db, sqlite:{role}.db, sqlite:///abs/path/{role}.db) "
            "or a PostgreSQL DSN (postgresql://user@host/db or postgres://...)")


def read_toml(path: str | Path) -> tuple[dict[str, Any], Path]:
    """The decoded TOML file at ``path`` and the directory its relative paths start from."""
    file = Path(path)
    try:
        raw = _read_at_most(file, MAX_CONFIG_BYTES)
    except OSError as exc:
        raise ConfigError(f"cannot read config file {str(file)!r}: {exc.strerror}") from exc
    if raw is None:
        raise ConfigError(f"config file {str(file)!r} is larger than {MAX_CONFIG_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"config file {str(file)!r} is not UTF-8") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {str(file)!r} is not valid TOML: {exc}") from exc
    return data, file.resolve().parent


def _read_at_most(path: Path, limit: int) -> bytes | None:
    """The bytes of ``path``, or None when it holds more than ``limit`` (only that much read)."""
    with path.open("rb") as handle:
        data = handle.read(limit + 1)
    return None if len(data) > limit else data


# --- tables and keys -----------------------------------------------------------------------------
def key_name(key: str) -> str:
    """``key`` for a message: as is when plain, else quoted and cut."""
    return key if _PLAIN_KEY.fullmatch(key) else shorten(key, 66)


def known_keys(section: Mapping[str, Any], where: str, allowed: Collection[str]) -> None:
    """CONFIG_ERROR for the first key of ``section`` not in ``allowed``, naming it, the closest
    allowed key (if one is close) and every allowed key. ``where`` is the table's dotted name,
    ``""`` for the top level of the file (whose keys are tables)."""
    for key in section:
        if key in allowed:
            continue
        close = difflib.get_close_matches(key, list(allowed), n=1, cutoff=0.6)
        if not where:
            hint = f" (did you mean [{close[0]}]?)" if close else ""
            names = ", ".join(f"[{k}]" for k in allowed)
            if isinstance(section[key], Mapping):
                raise ConfigError(f"unknown table [{key_name(key)}]{hint}; "
                                  f"the file's tables are {names}")
            raise ConfigError(f"unknown key '{key_name(key)}' outside any table{hint}; "
                              f"the file's tables are {names}")
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise ConfigError(f"unknown key '{where}.{key_name(key)}'{hint}; "
                          f"[{where}] takes {', '.join(allowed)}")


def table(
    data: Mapping[str, Any], key: str, *, required: bool = True,
    keys: Collection[str] | None = None,
) -> Mapping[str, Any]:
    """The table ``[key]`` (an empty one when optional and absent); when ``keys`` is given, any
    other key in it is a CONFIG_ERROR (see :func:`known_keys`)."""
    value = data.get(key)
    if value is None:
        if required:
            raise ConfigError(f"'[{key}]' table is missing")
        return {}
    if not isinstance(value, Mapping):
        raise ConfigError(f"'{key}' must be a table ([{key}]), got {shorten(value)}")
    if keys is not None:
        known_keys(value, key, keys)
    return value


# --- values --------------------------------------------------------------------------------------


def get(section: Mapping[str, Any], name: str, kind: type[T], default: T = MISSING) -> T:
    """The value of dotted ``name`` (its last part is the key in ``section``), of type ``kind``."""
    value = section.get(name.rsplit(".", 1)[-1], default)
    if value is MISSING:
        raise ConfigError(f"'{name}' is required")
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ConfigError(f"'{name}' must be {_KINDS.get(kind, 'of type ' + kind.__name__)}, "
                          f"got {shorten(value)}")
    return value


def integer(
    section: Mapping[str, Any], name: str, default: int, low: int, high: int, *, multiple: int = 1
) -> int:
    """An integer in ``[low, high]`` (and a multiple of ``multiple``)."""
    value = get(section, name, int, default)
    if not low <= value <= high or value % multiple:
        extra = f" and a multiple of {multiple}" if multiple > 1 else ""
        raise ConfigError(f"'{name}' must be between {low} and {high}{extra}, got {value}")
    return value


def http_url(url: str, name: str) -> str:
    """A base URL: http(s), a host, no query, fragment or user; without a trailing ``/``."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.query \
            or parts.fragment or parts.username:
        raise ConfigError(f"'{name}' must be an http(s) URL without query or fragment: "
                          f"{shorten(url)}")
    return url.rstrip("/")


# --- the service's own table ---------------------------------------------------------------------
def check_did(did: str, public_url: str, role: str) -> None:
    """``did`` must be a did:key, or a did:web whose document this service serves (at
    ``<public_url>/did.json`` or ``<origin>/.well-known/did.json``)."""
    try:
        parsed = DID.parse(did)
        web = parsed.method == "web"
        doc_url = did_web_to_url(parsed, scheme=urlsplit(public_url).scheme) if web else ""
    except InvalidDID as exc:
        raise ConfigError(f"'{role}.did': {exc}") from exc
    if web:
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(public_url))
        if doc_url not in (public_url + "/did.json", origin + "/.well-known/did.json"):
            raise ConfigError(f"'{role}.did' {did} is not served by this {role}: its document "
                              f"is at {doc_url}, outside {public_url}")
    elif parsed.method != "key":
        raise ConfigError(f"'{role}.did' must be did:web or did:key, got {shorten(did)}")


def admin_token(section: Mapping[str, Any], role: str, base_dir: Path) -> tuple[str, Path | None]:
    """The admin token, inline (``admin_token``) or read from ``admin_token_file`` (returned
    too, None when inline); at least MIN_ADMIN_TOKEN characters."""
    path = None
    if "admin_token" in section and "admin_token_file" in section:
        raise ConfigError(f"'{role}.admin_token' and '{role}.admin_token_file' are both set; "
                          "keep one")
    if "admin_token" in section:
        token = get(section, f"{role}.admin_token", str)
    else:
        path = base_dir / get(section, f"{role}.admin_token_file", str)
        try:
            data = _read_at_most(path, MAX_TOKEN_FILE_BYTES)
            token = "" if data is None else data.decode("utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"'{role}.admin_token_file': cannot read {str(path)!r}") from exc
        if data is None:
            raise ConfigError(f"'{role}.admin_token_file': {str(path)!r} is larger than "
                              f"{MAX_TOKEN_FILE_BYTES} bytes")
    if len(token) < MIN_ADMIN_TOKEN:
        raise ConfigError(f"the admin token must be at least {MIN_ADMIN_TOKEN} characters")
    return token, path


def store_dsn(value: Any, role: str, base_dir: Path) -> str:
    """A PostgreSQL DSN as is; a SQLite file (``x.db``, ``sqlite:x.db``, ``sqlite://rel/x.db``)
    as ``sqlite:///<absolute path>``, relative to ``base_dir``. Any other ``scheme://`` is a
    CONFIG_ERROR (naming only the scheme: the rest may hold a password)."""
    if not isinstance(value, str) or not value:
        raise ConfigError(f"'{role}.store' must be {store_forms(role)}, got {shorten(value)}")
    if value.startswith(("postgres://", "postgresql://", "sqlite:///")):
        return value
    scheme = _SCHEME.match(value)
    if scheme and scheme.group(1) != "sqlite":
        raise ConfigError(f"'{role}.store': unsupported store {shorten(scheme.group(0), 40)}; "
                          f"use {store_forms(role)}")
    path = value.removeprefix("sqlite://").removeprefix("sqlite:")
    return "sqlite://" + str((base_dir / path).resolve())


def load_signing_key(did: str, key_file: Path, role: str) -> KeyPair:
    """Read the service's signing key and bind it to its verification method id.

    For did:key the key must be the DID's key; for did:web the method is ``#key-1`` of the
    document this service publishes.
    """
    try:
        pair = read_key_file(key_file)
    except KeyMaterialError as exc:
        raise ConfigError(f"'{role}.signing_key_file': {exc}") from exc
    if pair.algorithm not in JOSE_ALG:  # P-384 keys serve Data Integrity only
        raise ConfigError(f"'{role}.signing_key_file' holds a {pair.algorithm} key; the service "
                          f"signs with Ed25519 or ES256 (P-256)")
    if did.startswith("did:key:"):
        if did_key(pair.public) != did:
            raise ConfigError(f"'{role}.did' is a did:key that does not match the signing key")
        return pair.with_key_id(did_key_vm_id(pair.public))
    return pair.with_key_id(f"{did}#key-1")


def did_document_path(did: str, public_url: str) -> str | None:
    """App-relative path of the did:web document this service serves (None for did:key)."""
    if not did.startswith("did:web:"):
        return None
    doc_url = did_web_to_url(did, scheme=urlsplit(public_url).scheme)
    return "/did.json" if doc_url == public_url + "/did.json" else "/.well-known/did.json"
