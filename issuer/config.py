"""The issuer's configuration file (TOML, read with :mod:`tomllib`), parsed once into frozen values.

Every problem is a ``CONFIG_ERROR`` whose message names the offending key, so ``pidm issuer
serve`` can print it and exit 2. Paths in the file are relative to the file's directory. The
file format is the one :func:`issuer.init.render_config` writes::

    [issuer]         public_url, did, signing_key_file, admin_token_file | admin_token, store, name
    [status_lists]   ttl (seconds), size (entries per list), validity (seconds)
    [oid4vci]        offer_ttl, access_token_ttl, nonce_ttl, batch_size, tx_code_length,
                     proof_max_age (seconds)
    [server]         max_body_bytes
    [credentials.<name>]  name, type, vct, formats, validity_days, claims, selectively_disclosable

Each ``[credentials.<name>]`` table yields one OpenID4VCI credential configuration per format,
named ``<name>_sd_jwt`` (``dc+sd-jwt``) and ``<name>_ldp_vc`` (``ldp_vc``). Any other table or
key (``[serverr]``, ``timeot``) is a CONFIG_ERROR naming it; only the ``<name>`` of a credential
type and the claim names in its ``claims`` are the user's to choose.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal, TypeVar

from pidm.errors import ConfigError, shorten
from pidm.keys import KeyPair
from service_kit import config as cfg

Format = Literal["dc+sd-jwt", "ldp_vc"]
FORMATS: dict[str, str] = {"dc+sd-jwt": "sd_jwt", "ldp_vc": "ldp_vc"}
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_CLAIM = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_LD_TYPE = re.compile(r"^[A-Z][A-Za-z0-9]{0,99}$")
#: Claim names the formats reserve for themselves; an issuer-defined claim may not use them.
RESERVED_CLAIMS = frozenset(
    {"iss", "sub", "iat", "nbf", "exp", "cnf", "vct", "status", "jti", "aud", "_sd", "_sd_alg",
     "id", "type"}
)
T = TypeVar("T")
#: The tables of the file, and the keys each one takes (see the module docstring).
TABLES = ("issuer", "status_lists", "oid4vci", "server", "credentials")
ISSUER_KEYS = ("name", "public_url", "did", "signing_key_file", "admin_token_file",
               "admin_token", "store")
STATUS_LIST_KEYS = ("ttl", "size", "validity")
OID4VCI_KEYS = ("offer_ttl", "access_token_ttl", "nonce_ttl", "proof_max_age", "batch_size",
                "tx_code_length")
SERVER_KEYS = ("max_body_bytes",)
CREDENTIAL_KEYS = ("name", "type", "vct", "formats", "validity_days", "claims",
                   "selectively_disclosable")


@dataclass(frozen=True, slots=True)
class ClaimSpec:
    """One claim of a credential type: its name, display name and whether it is disclosable."""

    name: str
    display: str
    disclosable: bool


@dataclass(frozen=True, slots=True)
class CredentialType:
    """A kind of credential the issuer offers (``[credentials.<name>]``)."""

    name: str
    display_name: str
    ld_type: str
    vct: str
    formats: tuple[Format, ...]
    validity: timedelta
    claims: tuple[ClaimSpec, ...]

    @property
    def claim_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.claims)

    @property
    def disclosable(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.claims if c.disclosable)


@dataclass(frozen=True, slots=True)
class CredentialConfiguration:
    """One OpenID4VCI credential configuration: a credential type in one format."""

    id: str
    format: Format
    type: CredentialType


@dataclass(frozen=True, slots=True)
class IssuerConfig:
    """The parsed configuration. ``admin_token`` is kept out of ``repr``."""

    base_dir: Path
    public_url: str
    did: str
    signing_key_file: Path
    store_dsn: str
    name: str
    credential_types: tuple[CredentialType, ...]
    admin_token: str = field(repr=False)
    admin_token_file: Path | None = None
    status_list_ttl: int = 300
    status_list_size: int = 131_072
    status_list_validity: int = 86_400
    offer_ttl: int = 600
    access_token_ttl: int = 600
    nonce_ttl: int = 300
    proof_max_age: int = 300
    batch_size: int = 10
    tx_code_length: int = 6
    max_body_bytes: int = 64 * 1024

    @property
    def configurations(self) -> dict[str, CredentialConfiguration]:
        """Every credential configuration, by id, in file order."""
        out: dict[str, CredentialConfiguration] = {}
        for ctype in self.credential_types:
            for fmt in ctype.formats:
                config_id = f"{ctype.name}_{FORMATS[fmt]}"
                out[config_id] = CredentialConfiguration(config_id, fmt, ctype)
        return out

    def url(self, path: str) -> str:
        """Absolute public URL of an app-relative ``path`` (which starts with ``/``)."""
        return self.public_url + path

    @classmethod
    def parse(cls, data: Mapping[str, Any], *, base_dir: Path) -> IssuerConfig:
        """Validate a decoded TOML document. Raises CONFIG_ERROR naming the key at fault."""
        cfg.known_keys(data, "", TABLES)
        issuer = cfg.table(data, "issuer", keys=ISSUER_KEYS)
        public_url = cfg.http_url(cfg.get(issuer, "issuer.public_url", str), "issuer.public_url")
        did = cfg.get(issuer, "issuer.did", str)
        cfg.check_did(did, public_url, "issuer")
        token, token_file = cfg.admin_token(issuer, "issuer", base_dir)
        status = cfg.table(data, "status_lists", required=False, keys=STATUS_LIST_KEYS)
        oid = cfg.table(data, "oid4vci", required=False, keys=OID4VCI_KEYS)
        server = cfg.table(data, "server", required=False, keys=SERVER_KEYS)
        creds = cfg.table(data, "credentials")
        if not creds:
            raise ConfigError("'credentials' must define at least one credential type")
        types = tuple(_credential_type(name, value) for name, value in creds.items())
        return cls(
            base_dir=base_dir,
            public_url=public_url,
            did=did,
            signing_key_file=base_dir / cfg.get(issuer, "issuer.signing_key_file", str),
            store_dsn=cfg.store_dsn(issuer.get("store", "issuer.db"), "issuer", base_dir),
            name=cfg.get(issuer, "issuer.name", str, default="pidm issuer"),
            credential_types=types,
            admin_token=token,
            admin_token_file=token_file,
            status_list_ttl=cfg.integer(status, "status_lists.ttl", 300, 1, 86_400),
            status_list_size=cfg.integer(
                status, "status_lists.size", 131_072, 8, 1 << 24, multiple=8
            ),
            status_list_validity=cfg.integer(
                status, "status_lists.validity", 86_400, 60, 366 * 86_400
            ),
            offer_ttl=cfg.integer(oid, "oid4vci.offer_ttl", 600, 10, 30 * 86_400),
            access_token_ttl=cfg.integer(oid, "oid4vci.access_token_ttl", 600, 10, 86_400),
            nonce_ttl=cfg.integer(oid, "oid4vci.nonce_ttl", 300, 5, 86_400),
            proof_max_age=cfg.integer(oid, "oid4vci.proof_max_age", 300, 5, 86_400),
            batch_size=cfg.integer(oid, "oid4vci.batch_size", 10, 1, 100),
            tx_code_length=cfg.integer(oid, "oid4vci.tx_code_length", 6, 4, 12),
            max_body_bytes=cfg.integer(server, "server.max_body_bytes", 64 * 1024, 1024, 16 << 20),
        )


def load_config(path: str | Path) -> IssuerConfig:
    """Read and validate the TOML file at ``path``. Raises CONFIG_ERROR."""
    data, base_dir = cfg.read_toml(path)
    return IssuerConfig.parse(data, base_dir=base_dir)


def load_signing_key(config: IssuerConfig) -> KeyPair:
    """Read the issuer's signing key and bind it to its verification method id.

    For a did:key issuer the key must be the DID's key; for did:web the method is ``#key-1`` of
    the document this service publishes. Raises CONFIG_ERROR.
    """
    return cfg.load_signing_key(config.did, config.signing_key_file, "issuer")


def did_document_path(config: IssuerConfig) -> str | None:
    """App-relative path of the did:web document this service serves (None for did:key)."""
    return cfg.did_document_path(config.did, config.public_url)


# --- helpers -----------------------------------------------------------------------------------
def _credential_type(name: str, table: Any) -> CredentialType:
    where = f"credentials.{name}"
    if not _NAME.fullmatch(name):
        raise ConfigError(f"'[{where}]': the name must match {_NAME.pattern}")
    if not isinstance(table, Mapping):
        raise ConfigError(f"'{where}' must be a table")
    cfg.known_keys(table, where, CREDENTIAL_KEYS)
    formats = cfg.get(table, f"{where}.formats", list)
    if not formats or any(f not in FORMATS for f in formats) or len(set(formats)) != len(formats):
        raise ConfigError(f"'{where}.formats' must list some of {sorted(FORMATS)}")
    claims = cfg.get(table, f"{where}.claims", dict)
    if not claims:
        raise ConfigError(f"'{where}.claims' must name at least one claim")
    disclosable = cfg.get(table, f"{where}.selectively_disclosable", list, [])
    for claim, display in claims.items():
        if not _CLAIM.fullmatch(claim) or claim in RESERVED_CLAIMS or not isinstance(display, str):
            raise ConfigError(f"'{where}.claims': bad claim {shorten(claim)}")
    unknown = [c for c in disclosable if c not in claims]
    if unknown:
        raise ConfigError(f"'{where}.selectively_disclosable' names unknown claims {unknown}")
    ld_type = cfg.get(table, f"{where}.type", str)
    if not _LD_TYPE.fullmatch(ld_type):
        raise ConfigError(f"'{where}.type' must be a JSON-LD type name like 'MemberCredential'")
    days = cfg.integer(table, f"{where}.validity_days", 365, 1, 100 * 366)
    return CredentialType(
        name=name,
        display_name=cfg.get(table, f"{where}.name", str, name),
        ld_type=ld_type,
        vct=cfg.get(table, f"{where}.vct", str, f"urn:pidm:vct:{name}"),
        formats=tuple(formats),
        validity=timedelta(days=days),
        claims=tuple(ClaimSpec(c, d, c in disclosable) for c, d in claims.items()),
    )


