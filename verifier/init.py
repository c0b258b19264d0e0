"""``pidm verifier init``: write a working configuration, signing key and admin token.

Tests build their configuration with the same function, so the file a user starts from is the
file the test-suite runs. Nothing is ever overwritten; secrets are written with mode 0600.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import urlsplit

from service_kit.init import TOKEN_NAME, InitResult, init_service

CONFIG_NAME = "verifier.toml"
KEY_NAME = "verifier-key.jwk"
DEFAULT_URL = "http://127.0.0.1:8081"
#: Placeholder trusted issuer: replace it in ``[trust]`` (or pass ``--trust`` to init).
DEFAULT_ISSUER = "did:web:issuer.example"
_LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


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
#   Pidm-Signature: t=<unix time>,v1=<hex HMAC-SHA256(webhook secret, "<t>." + body)>
#   (`pidm verifier webhook-secret --config verifier.toml` prints the secret)
# redirect_uri = "https://shop.example/thanks"        # the wallet is sent here afterwards

[oid4vp]
request_ttl = 600   # seconds a transaction waits for the wallet
kb_max_age = 300    # oldest key-binding proof accepted (seconds)
clock_skew = 60     # seconds of clock difference tolerated in validity dates

[network]
allow_private = {flag}   # status lists / did:web on loopback or private addresses: local demos only
allow_http = {flag}
timeout = 10                   # seconds a DID document or status list fetch may take
max_download_bytes = 1048576   # largest status list / DID document fetched
status_min_ttl = 30            # a status list stays cached at least this long (seconds) ...
status_max_ttl = 86400         # ... and at most this long, whatever its ttl / max-age says

[server]
max_body_bytes = 1048576   # larger request bodies are refused (413)

# Trusted issuers per credential type (SD-JWT VC vct, or W3C VC type).
[trust]
"urn:pidm:vct:age_over_18" = {trusted}
"urn:pidm:vct:contact_profile" = {trusted}
AgeOver18Credential = {trusted}
ContactProfileCredential = {trusted}
{_REQUESTS}'''


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

    def render(url: str, did: str) -> str:
        local = urlsplit(url).hostname in _LOCAL_HOSTS
        return render_config(public_url=url, did=did, issuers=issuers, store=store, local=local)

    return init_service(
        directory, config_name=CONFIG_NAME, key_name=KEY_NAME, public_url=public_url,
        did_method=did_method, rng=rng, render=render, load=load_config,
    )
