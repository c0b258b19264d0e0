"""The demo's three configuration files, written by the same ``init`` code as ``pidm issuer
init`` / ``pidm verifier init`` and then adapted in the same file format: each issuer's
catalogue narrowed to what it issues, display names, a short status-list TTL, the marketer's
trust in each issuer for its own credential type, and the marketer's named request.

Every edit is checked (the text it replaces must be there) and the result is loaded with the
services' own ``load_config``, so a template change breaks the demo loudly, not silently.
"""

from __future__ import annotations

from pathlib import Path

from pidm.errors import ConfigError

RETAILER_NAME = "Corner Shop Rewards"
AGE_CHECK_NAME = "AgeCheck"
MARKETER_NAME = "Sunny Deals (marketing)"
REQUEST = "over18_postcode"
MEMBERSHIP_VCT = "urn:pidm:vct:loyalty_membership"
AGE_VCT = "urn:pidm:vct:age_over_18"
#: Seconds a status list may be cached; the demo's revocation is seen after at most this long.
STATUS_TTL = 1

MEMBERSHIP = '''
[credentials.loyalty_membership]
name = "Loyalty membership"
type = "LoyaltyMembershipCredential"
vct = "urn:pidm:vct:loyalty_membership"
formats = ["dc+sd-jwt"]
validity_days = 365
claims = { member_id = "Member number", tier = "Membership tier", given_name = "Given name", \
family_name = "Family name", birthdate = "Date of birth", postal_code = "Postal code" }
selectively_disclosable = ["member_id", "tier", "given_name", "family_name", "birthdate", \
"postal_code"]
'''

AGE_OVER_18 = '''
[credentials.age_over_18]
name = "Age over 18"
type = "AgeOver18Credential"
vct = "urn:pidm:vct:age_over_18"
formats = ["dc+sd-jwt"]
validity_days = 365
claims = { age_over_18 = "Over 18", birthdate = "Date of birth" }
selectively_disclosable = ["age_over_18", "birthdate"]
'''

NAMED_REQUEST = f'''
# The marketer's request in the demo: over 18 (from the age check) and the postcode (from the
# loyalty membership), nothing else.
[requests.{REQUEST}]
purpose = "Show you offers from shops near you (adults only)."
retention = "P30D"
offer = {{ kind = "points", amount = "50", unit = "points", description = "50 bonus points" }}

[[requests.{REQUEST}.dcql_query.credentials]]
id = "age"
format = "dc+sd-jwt"
meta = {{ vct_values = ["{AGE_VCT}"] }}
claims = [{{ path = ["age_over_18"], values = [true] }}]

[[requests.{REQUEST}.dcql_query.credentials]]
id = "membership"
format = "dc+sd-jwt"
meta = {{ vct_values = ["{MEMBERSHIP_VCT}"] }}
claims = [{{ path = ["postal_code"] }}]
'''


def _replace(text: str, old: str, new: str, where: Path) -> str:
    if old not in text:
        raise ConfigError(f"{where}: expected {old!r} in the file `init` wrote")
    return text.replace(old, new, 1)


def adapt_issuer(path: Path, *, name: str, catalogue: str) -> None:
    """Rename the issuer, shorten the status-list TTL and replace its credential catalogue."""
    from issuer.config import load_config

    text = path.read_text(encoding="utf-8")
    head, sep, _ = text.partition("\n[credentials.")
    if not sep:
        raise ConfigError(f"{path}: no [credentials.*] table to replace")
    head = _replace(head, 'name = "pidm issuer"', f'name = "{name}"', path)
    head = _replace(head, "ttl = 300 ", f"ttl = {STATUS_TTL} ", path)
    path.write_text(head + "\n" + catalogue, encoding="utf-8")
    config = load_config(path)
    if config.name != name or config.status_list_ttl != STATUS_TTL:
        raise ConfigError(f"{path}: the demo's edits did not take")


def adapt_verifier(path: Path, *, retailer_did: str) -> None:
    """Rename the verifier, trust the retailer for memberships, add the demo's named request and
    lower the status-list cache floor to the demo's TTL, so a revocation shows within seconds (a
    production verifier keeps the 30 s floor)."""
    from verifier.config import load_config

    text = path.read_text(encoding="utf-8")
    text = _replace(text, 'name = "pidm verifier"', f'name = "{MARKETER_NAME}"', path)
    text = _replace(text, "status_min_ttl = 30 ", f"status_min_ttl = {STATUS_TTL} ", path)
    text = _replace(text, "[trust]\n", f'[trust]\n"{MEMBERSHIP_VCT}" = ["{retailer_did}"]\n',
                    path)
    path.write_text(text + NAMED_REQUEST, encoding="utf-8")
    config = load_config(path)
    if (REQUEST not in config.requests or config.name != MARKETER_NAME
            or config.status_min_ttl != STATUS_TTL):
        raise ConfigError(f"{path}: the demo's edits did not take")
