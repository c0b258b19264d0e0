"""``pidm issuer init`` / ``pidm verifier init``: write a working configuration, a signing key
and an admin token into a directory. Nothing is ever overwritten; secrets get mode 0600; the
configuration written must load, or nothing is reported as done."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from pidm.did.key import did_key
from pidm.did.web import url_to_did_web
from pidm.encoding import b64url_encode
from pidm.errors import ConfigError, InvalidDID
from pidm.keys import KeyPair, write_key_file

TOKEN_NAME = "admin-token"


@dataclass(frozen=True, slots=True)
class InitResult:
    """Where the init wrote things, and the service DID it chose."""

    config_path: Path
    key_path: Path
    token_path: Path
    did: str
    public_url: str


def choose_did(public_url: str, did_method: str, pair: KeyPair) -> str:
    """did:web for the public URL, or the key's did:key. Raises CONFIG_ERROR."""
    if did_method == "key":
        return did_key(pair.public)
    if did_method != "web":
        raise ConfigError(f"unknown DID method {did_method!r}; use 'web' or 'key'")
    parts = urlsplit(public_url)
    try:
        return url_to_did_web(f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}")
    except InvalidDID as exc:
        raise ConfigError(f"cannot derive a did:web from {public_url!r}: {exc}") from exc


def init_service(
    directory: str | Path,
    *,
    config_name: str,
    key_name: str,
    public_url: str,
    did_method: str,
    rng: Callable[[int], bytes],
    render: Callable[[str, str], str],
    load: Callable[[Path], object],
) -> InitResult:
    """Write ``config_name`` (``render(public_url, did)``), ``key_name`` (a new Ed25519 key)
    and ``admin-token`` into ``directory``, then ``load`` the configuration.

    Raises CONFIG_ERROR if any of the files exists or the URL is unusable.
    """
    folder = Path(directory)
    paths = [folder / config_name, folder / key_name, folder / TOKEN_NAME]
    existing = [str(p) for p in paths if os.path.lexists(p)]  # a dangling symlink too
    if existing:
        raise ConfigError(f"refusing to overwrite {', '.join(existing)}")
    url = public_url.rstrip("/")
    pair = KeyPair.generate("Ed25519", rng=rng)
    did = choose_did(url, did_method, pair)
    folder.mkdir(parents=True, exist_ok=True)
    write_key_file(paths[1], pair)
    write_new(paths[2], b64url_encode(rng(32)) + "\n", 0o600)
    write_new(paths[0], render(url, did), 0o644)
    load(paths[0])  # what we wrote must load
    return InitResult(paths[0], paths[1], paths[2], did, url)


def write_new(path: Path, text: str, mode: int) -> None:
    """Create ``path`` with ``mode`` (never replacing a file) and write ``text``."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
