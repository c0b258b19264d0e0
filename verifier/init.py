"""``pidm verifier init``: write a working configuration, signing key and admin token.

Tests build their configuration with the same function, so the file a user starts from is the
file the test-suite runs. Nothing is ever overwritten; secrets are written with mode 0600.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from pidm.did.key import did_key
from pidm.did.web import url_to_did_web
from pidm.encoding import b64url_encode
from pidm.errors import ConfigError, InvalidDID
from pidm.keys import KeyPair, write_key_file

CONFIG_NAME = "verifier.toml"
KEY_NAME = "verifier-key.jwk"
TOKEN_NAME = "admin-token"
DEFAULT_URL = "http://127.0.0.1:8081"
#: Placeholder trusted issuer: replace it in ``[trust]`` (or pass ``--trust`` to init).
DEFAULT_ISSUER = "did:web:issuer.example"
_LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True, slots=True)
class InitResult:
    """Where :func:`init_verifier` wrote things, and the verifier DID it chose."""

    config_path: Path
    key_path: Path
    token_path: Path
    did: str
    public_url: str


_REQUESTS = '''
# A named request: what the marketer asks for (DCQL), why, for how long, and the reward.
# POST /admin/transactions {"request": "age_and_area"} starts one.
[requests.age_and_area]
purpose = "Confirm you are over 18 and share your postcode so we can show offers near you."
retention = "P30D"
offer = { kind = "points", amount = "10", unit = "points", description = "10 loyalty points" }

[[requests.age_and_area.dcql_query.credentials]]
id = "age"
format = "dc+sd-jwt"
meta = { vct_values = ["urn:pidm:vct:age_over_18"] }
claims = [{ path = ["age_over_18"], values = [true] }]

[[requests.age_and_area.dcql_query.credentials]]
id = "postcode"
format = "dc+sd-jwt"
meta = { vct_values = ["urn:pidm:vct:contact_profile"] }
claims = [{ path = ["postal_code"] }]

# To make the postcode optional, add DCQL credential sets:
# [[requests.age_and_area.dcql_query.credential_sets]]
# options = [["age"]]
# [[requests.age_and_area.dcql_query.credential_sets]]
# options = [["postcode"]]
# required = false
'''


def _toml_list(items: Sequence[str]) -> str:
    return "[" + ", ".join(f'"{i}"' for i in items) + "]"


def render_config(
    *, public_url: str, did: str, issuers: Sequence[str] = (DEFAULT_ISSUER,),
    store: str = "verifier.db", local: bool = False,
) -> str:
    """Return the text of a configuration file (paths relative to its directory)."""
    trusted = _toml_list(issuers)
    flag = "true" if local else "false"
    return f'''# pidm verifier configuration (`pidm verifier init`). Paths are relative to here.

[verifier]
name = "pidm verifier"            # shown to consumers in their wallet
public_url = "{public_url}"
did = "{did}"
signing_key_file = "{KEY_NAME}"   # private JWK, mode 0600
admin_token_file = "{TOKEN_NAME}"     # bearer token of /admin/* and the VC API endpoints
store = "{store}"                 # SQLite file here, or postgresql://user@host/db for replicas
receipt_cryptosuite = "eddsa-jcs-2022"   # or eddsa-rdfc-2022
# webhook_url = "https://shop.example/pidm-results"   # POSTed each result (JSON), signed:
#   Pidm-Signature: t=<unix time>,v1=<hex HMAC-SHA256(admin token, "<t>." + body)>
# redirect_uri = "https://shop.example/thanks"        # the wallet is sent here afterwards

[oid4vp]
request_ttl = 600   # seconds a transaction waits for the wallet
kb_max_age = 300    # oldest key-binding proof accepted (seconds)
clock_skew = 60

[network]
allow_private = {flag}   # status lists / did:web on loopback or private addresses: local demos only
allow_http = {flag}
timeout = 10

[server]
max_body_bytes = 1048576

# Trusted issuers per credential type (SD-JWT VC vct, or W3C VC type).
[trust]
"urn:pidm:vct:age_over_18" = {trusted}
"urn:pidm:vct:contact_profile" = {trusted}
AgeOver18Credential = {trusted}
ContactProfileCredential = {trusted}
{_REQUESTS}'''


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


def init_verifier(
    directory: str | Path,
    *,
    public_url: str = DEFAULT_URL,
    did_method: str = "web",
    issuers: Sequence[str] = (DEFAULT_ISSUER,),
    store: str = "verifier.db",
    rng: Callable[[int], bytes] = secrets.token_bytes,
) -> InitResult:
    """Write ``verifier.toml``, ``verifier-key.jwk`` and ``admin-token`` into ``directory``.

    A loopback ``public_url`` turns on ``allow_private`` / ``allow_http`` for local demos.
    Raises CONFIG_ERROR if any file exists (nothing is overwritten) or the URL is unusable.
    """
    from verifier.config import load_config

    folder = Path(directory)
    paths = [folder / CONFIG_NAME, folder / KEY_NAME, folder / TOKEN_NAME]
    existing = [str(p) for p in paths if p.exists()]
    if existing:
        raise ConfigError(f"refusing to overwrite {', '.join(existing)}")
    url = public_url.rstrip("/")
    pair = KeyPair.generate("Ed25519", rng=rng)
    did = choose_did(url, did_method, pair)
    local = urlsplit(url).hostname in _LOCAL_HOSTS
    folder.mkdir(parents=True, exist_ok=True)
    write_key_file(paths[1], pair)
    _write(paths[2], b64url_encode(rng(32)) + "\n", 0o600)
    text = render_config(public_url=url, did=did, issuers=issuers, store=store, local=local)
    _write(paths[0], text, 0o644)
    load_config(paths[0])  # what we wrote must load
    return InitResult(paths[0], paths[1], paths[2], did, url)


def _write(path: Path, text: str, mode: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
