"""``pidm issuer init``: write a working configuration, signing key and admin token.

Tests build their configuration with the same function, so the file a user starts from is the
file the test-suite runs. Nothing is ever overwritten; secrets are written with mode 0600.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path

from service_kit.init import TOKEN_NAME, InitResult, init_service

CONFIG_NAME = "issuer.toml"
KEY_NAME = "issuer-key.jwk"
DEFAULT_URL = "http://127.0.0.1:8080"


_CREDENTIALS = '''
# What this issuer offers, one [credentials.<id>] table each: the wallet's display name, the
# W3C type (ldp_vc) and SD-JWT vct, formats (dc+sd-jwt, ldp_vc), validity_days, the claims
# (claim = display name) and which of them the holder may disclose one by one.
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
ttl = 300          # seconds a status list may be cached (Cache-Control max-age). A verifier
                   # may keep a list for at least its own floor too (a pidm verifier's
                   # [network] status_min_ttl, 30 s by default), so a revocation can take
                   # the longer of the two to show.
size = 131072      # entries per list (W3C minimum for herd privacy)
validity = 86400   # seconds a signed status list stays valid

[oid4vci]
offer_ttl = 600          # seconds a credential offer can be redeemed
access_token_ttl = 600   # seconds an access token from /token stays usable
nonce_ttl = 300          # seconds a c_nonce from /nonce stays usable (once)
proof_max_age = 300      # oldest holder key proof (iat) accepted, seconds
batch_size = 10          # most credential copies per request (one holder key each)
tx_code_length = 6       # digits of a transaction code (5 wrong tries void the offer)

[server]
max_body_bytes = 65536   # larger request bodies are refused (413)
{_CREDENTIALS}'''


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

    return init_service(
        directory, config_name=CONFIG_NAME, key_name=KEY_NAME, public_url=public_url,
        did_method=did_method, rng=rng, load=load_config,
        render=lambda url, did: render_config(public_url=url, did=did, store=store),
    )
