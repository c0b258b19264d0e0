"""``pidm issuer init``: write a working configuration, signing key and admin token.

Tests build their configuration with the same function, so the file a user starts from is the
file the test-suite runs. Nothing is ever overwritten; secrets are written with mode 0600.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from pidm.did.key import did_key
from pidm.did.web import url_to_did_web
from pidm.encoding import b64url_encode
from pidm.errors import ConfigError, InvalidDID
from pidm.keys import KeyPair, write_key_file

CONFIG_NAME = "issuer.toml"
KEY_NAME = "issuer-key.jwk"
TOKEN_NAME = "admin-token"
DEFAULT_URL = "http://127.0.0.1:8080"


@dataclass(frozen=True, slots=True)
class InitResult:
    """Where :func:`init_issuer` wrote things, and the issuer DID it chose."""

    config_path: Path
    key_path: Path
    token_path: Path
    did: str
    public_url: str


_CREDENTIALS = '''
[credentials.loyalty_membership]
name = "Loyalty membership"
type = "LoyaltyMembershipCredential"
vct = "urn:pidm:vct:loyalty_membership"
formats = ["dc+sd-jwt", "ldp_vc"]
validity_days = 365
claims = { member_id = "Member number", tier = "Membership tier", given_name = "Given name", \
family_name = "Family name", member_since = "Member since" }
selectively_disclosable = ["tier", "given_name", "family_name", "member_since"]

[credentials.age_over_18]
name = "Age over 18"
type = "AgeOver18Credential"
vct = "urn:pidm:vct:age_over_18"
formats = ["dc+sd-jwt", "ldp_vc"]
validity_days = 365
claims = { age_over_18 = "Over 18" }
selectively_disclosable = ["age_over_18"]

[credentials.contact_profile]
name = "Contact profile"
type = "ContactProfileCredential"
vct = "urn:pidm:vct:contact_profile"
formats = ["dc+sd-jwt", "ldp_vc"]
validity_days = 180
claims = { given_name = "Given name", family_name = "Family name", email = "Email", \
phone_number = "Phone number", postal_code = "Postal code" }
selectively_disclosable = ["given_name", "family_name", "email", "phone_number", "postal_code"]
'''


def render_config(*, public_url: str, did: str, store: str = "issuer.db") -> str:
    """Return the text of a configuration file (paths relative to its directory)."""
    return f'''# pidm issuer configuration (`pidm issuer init`). Paths are relative to this file.

[issuer]
name = "pidm issuer"
public_url = "{public_url}"       # the OpenID4VCI credential issuer identifier
did = "{did}"
signing_key_file = "{KEY_NAME}"   # private JWK, mode 0600
admin_token_file = "{TOKEN_NAME}"     # bearer token of /admin/* and /credentials/issue
store = "{store}"                 # SQLite file here, or postgresql://user@host/db

[status_lists]
ttl = 300          # seconds a status list may be cached (Cache-Control max-age)
size = 131072      # entries per list (W3C minimum for herd privacy)
validity = 86400   # seconds a signed status list stays valid

[oid4vci]
offer_ttl = 600
access_token_ttl = 600
nonce_ttl = 300
proof_max_age = 300
batch_size = 10
tx_code_length = 6

[server]
max_body_bytes = 65536
{_CREDENTIALS}'''


def choose_did(public_url: str, did_method: str, pair: KeyPair) -> str:
    """did:web for the public URL's origin, or the key's did:key. Raises CONFIG_ERROR."""
    if did_method == "key":
        return did_key(pair.public)
    if did_method != "web":
        raise ConfigError(f"unknown DID method {did_method!r}; use 'web' or 'key'")
    parts = urlsplit(public_url)
    try:
        return url_to_did_web(f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}")
    except InvalidDID as exc:
        raise ConfigError(f"cannot derive a did:web from {public_url!r}: {exc}") from exc


def init_issuer(
    directory: str | Path,
    *,
    public_url: str = DEFAULT_URL,
    did_method: str = "web",
    store: str = "issuer.db",
    rng: Callable[[int], bytes] = secrets.token_bytes,
) -> InitResult:
    """Write ``issuer.toml``, ``issuer-key.jwk`` and ``admin-token`` into ``directory``.

    Raises CONFIG_ERROR if any of them exists (nothing is overwritten) or the URL is unusable.
    """
    from issuer.config import load_config

    folder = Path(directory)
    paths = [folder / CONFIG_NAME, folder / KEY_NAME, folder / TOKEN_NAME]
    existing = [str(p) for p in paths if p.exists()]
    if existing:
        raise ConfigError(f"refusing to overwrite {', '.join(existing)}")
    url = public_url.rstrip("/")
    pair = KeyPair.generate("Ed25519", rng=rng)
    did = choose_did(url, did_method, pair)
    folder.mkdir(parents=True, exist_ok=True)
    write_key_file(paths[1], pair)
    _write_secret(paths[2], b64url_encode(rng(32)) + "\n")
    _write_new(paths[0], render_config(public_url=url, did=did, store=store))
    load_config(paths[0])  # what we wrote must load
    return InitResult(paths[0], paths[1], paths[2], did, url)


def _write_secret(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


def _write_new(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
