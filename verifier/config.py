"""The verifier's configuration file (TOML, read with :mod:`tomllib`), parsed once into frozen
values.

Every problem is a ``CONFIG_ERROR`` whose message names the offending key, so ``pidm verifier
serve`` can print it and exit 2. Paths in the file are relative to the file's directory. The
format is the one :func:`verifier.init.render_config` writes::

    [verifier]   name, public_url, did, signing_key_file, admin_token_file | admin_token, store,
                 webhook_url, redirect_uri, receipt_cryptosuite
    [oid4vp]     request_ttl, kb_max_age, clock_skew (seconds), wallet_scheme
    [network]    allow_private, allow_http (status lists and did:web on loopback: demos only),
                 timeout (seconds), max_download_bytes, status_min_ttl / status_max_ttl
                 (seconds: the floor and ceiling of how long a status list stays cached)
    [server]     max_body_bytes
    [trust]      "<vct or VC type>" = ["<issuer DID>", ...]
    [requests.<name>]  purpose, retention (ISO 8601 duration), offer, dcql_query (table or JSON)
                 offer = { kind, amount, unit, description }

Any other table or key (``[serverr]``, ``timeot``) is a CONFIG_ERROR naming it; only the keys of
``[trust]``, the ``<name>`` of a request and the DCQL query (checked by
:mod:`pidm.oid4vc.dcql`) are the user's to choose.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pidm.did.model import DID
from pidm.errors import ConfigError, InvalidDID, PidmError, shorten
from pidm.keys import KeyPair
from pidm.oid4vc.consent import ConsentTerms, Offer
from pidm.oid4vc.dcql import SD_JWT_VC, DcqlQuery
from pidm.oid4vc.vp import DEFAULT_SCHEME, ClientId
from service_kit import config as cfg

LDP_VC = "ldp_vc"
#: Credential formats this verifier can check.
FORMATS = frozenset({SD_JWT_VC, LDP_VC})
CRYPTOSUITES = ("eddsa-jcs-2022", "eddsa-rdfc-2022")
_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")
#: The tables of the file, and the keys each one takes (see the module docstring).
TABLES = ("verifier", "oid4vp", "network", "server", "trust", "requests")
VERIFIER_KEYS = ("name", "public_url", "did", "signing_key_file", "admin_token_file",
                 "admin_token", "store", "webhook_url", "redirect_uri", "receipt_cryptosuite")
OID4VP_KEYS = ("request_ttl", "kb_max_age", "clock_skew", "wallet_scheme")
NETWORK_KEYS = ("allow_private", "allow_http", "timeout", "max_download_bytes", "status_min_ttl",
                "status_max_ttl")
SERVER_KEYS = ("max_body_bytes",)
REQUEST_KEYS = ("purpose", "retention", "offer", "dcql_query")
OFFER_KEYS = ("kind", "amount", "unit", "description")


@dataclass(frozen=True, slots=True)
class NamedRequest:
    """A marketer's named request (``[requests.<name>]``): what is asked, why, and the reward."""

    name: str
    dcql_query: DcqlQuery
    terms: ConsentTerms

    @property
    def purpose(self) -> str:
        return self.terms.purpose or ""

    @property
    def retention(self) -> str:
        return self.terms.retention or ""

    @property
    def offer(self) -> Offer | None:
        return self.terms.offer

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "dcql_query": self.dcql_query.to_json(),
                **self.terms.to_params()}


@dataclass(frozen=True, slots=True)
class VerifierConfig:
    """The parsed configuration. ``admin_token`` is kept out of ``repr``."""

    base_dir: Path
    public_url: str
    did: str
    signing_key_file: Path
    store_dsn: str
    name: str
    trust: Mapping[str, tuple[str, ...]]
    requests: Mapping[str, NamedRequest]
    admin_token: str = field(repr=False)
    webhook_url: str | None = None
    redirect_uri: str | None = None
    receipt_cryptosuite: str = "eddsa-jcs-2022"
    request_ttl: int = 600
    kb_max_age: int = 300
    clock_skew: int = 60
    wallet_scheme: str = DEFAULT_SCHEME
    allow_private: bool = False
    allow_http: bool = False
    fetch_timeout: float = 10.0
    max_download_bytes: int = 1 << 20
    status_min_ttl: int = 30
    status_max_ttl: int = 86_400
    max_body_bytes: int = 1 << 20

    @property
    def client_id(self) -> str:
        """``decentralized_identifier:<did>`` (OpenID4VP 1.0 §5.9.3): also the KB-JWT ``aud``
        and the presentation proof ``domain``."""
        return str(ClientId.for_did(self.did))

    @property
    def response_uri(self) -> str:
        return self.url("/response")

    def request_uri(self, state: str) -> str:
        return self.url(f"/request/{state}")

    def url(self, path: str) -> str:
        """Absolute public URL of an app-relative ``path`` (which starts with ``/``)."""
        return self.public_url + path

    @classmethod
    def parse(cls, data: Mapping[str, Any], *, base_dir: Path) -> VerifierConfig:
        """Validate a decoded TOML document. Raises CONFIG_ERROR naming the key at fault."""
        cfg.known_keys(data, "", TABLES)
        top = cfg.table(data, "verifier", keys=VERIFIER_KEYS)
        public_url = cfg.http_url(cfg.get(top, "verifier.public_url", str), "verifier.public_url")
        did = cfg.get(top, "verifier.did", str)
        cfg.check_did(did, public_url, "verifier")
        oid = cfg.table(data, "oid4vp", required=False, keys=OID4VP_KEYS)
        net = cfg.table(data, "network", required=False, keys=NETWORK_KEYS)
        server = cfg.table(data, "server", required=False, keys=SERVER_KEYS)
        trust = _trust(cfg.table(data, "trust", required=False))
        requests = _requests(cfg.table(data, "requests"), trust)
        min_ttl = cfg.integer(net, "network.status_min_ttl", 30, 0, 86_400)
        max_ttl = cfg.integer(net, "network.status_max_ttl", 86_400, 1, 604_800)
        if min_ttl > max_ttl:
            raise ConfigError(f"'network.status_min_ttl' ({min_ttl}) must not exceed "
                              f"'network.status_max_ttl' ({max_ttl})")
        suite = cfg.get(top, "verifier.receipt_cryptosuite", str, "eddsa-jcs-2022")
        if suite not in CRYPTOSUITES:
            raise ConfigError(f"'verifier.receipt_cryptosuite' must be one of {CRYPTOSUITES}")
        return cls(
            base_dir=base_dir,
            public_url=public_url,
            did=did,
            signing_key_file=base_dir / cfg.get(top, "verifier.signing_key_file", str),
            store_dsn=cfg.store_dsn(top.get("store", "verifier.db"), "verifier", base_dir),
            name=cfg.get(top, "verifier.name", str, "pidm verifier"),
            trust=trust,
            requests=requests,
            admin_token=cfg.admin_token(top, "verifier", base_dir)[0],
            webhook_url=_opt_url(top, "verifier.webhook_url"),
            redirect_uri=_opt_url(top, "verifier.redirect_uri"),
            receipt_cryptosuite=suite,
            request_ttl=cfg.integer(oid, "oid4vp.request_ttl", 600, 10, 86_400),
            kb_max_age=cfg.integer(oid, "oid4vp.kb_max_age", 300, 5, 86_400),
            clock_skew=cfg.integer(oid, "oid4vp.clock_skew", 60, 0, 3_600),
            wallet_scheme=cfg.get(oid, "oid4vp.wallet_scheme", str, DEFAULT_SCHEME),
            allow_private=cfg.get(net, "network.allow_private", bool, False),
            allow_http=cfg.get(net, "network.allow_http", bool, False),
            fetch_timeout=float(cfg.integer(net, "network.timeout", 10, 1, 120)),
            max_download_bytes=cfg.integer(net, "network.max_download_bytes", 1 << 20,
                                           16_384, 64 << 20),
            status_min_ttl=min_ttl,
            status_max_ttl=max_ttl,
            max_body_bytes=cfg.integer(server, "server.max_body_bytes", 1 << 20, 4096, 16 << 20),
        )

    @property
    def request_lifetime(self) -> timedelta:
        return timedelta(seconds=self.request_ttl)


def load_config(path: str | Path) -> VerifierConfig:
    """Read and validate the TOML file at ``path``. Raises CONFIG_ERROR."""
    data, base_dir = cfg.read_toml(path)
    return VerifierConfig.parse(data, base_dir=base_dir)


def load_signing_key(config: VerifierConfig) -> KeyPair:
    """Read the verifier's key and bind it to its verification method id.

    For did:key the key must be the DID's key; for did:web the method is ``#key-1`` of the
    document this service publishes. Raises CONFIG_ERROR.
    """
    return cfg.load_signing_key(config.did, config.signing_key_file, "verifier")


def did_document_path(config: VerifierConfig) -> str | None:
    """App-relative path of the did:web document this service serves (None for did:key)."""
    return cfg.did_document_path(config.did, config.public_url)


# --- helpers -----------------------------------------------------------------------------------
def _opt_url(table: Mapping[str, Any], name: str) -> str | None:
    value = cfg.get(table, name, str, "")
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.fragment:
        raise ConfigError(f"'{name}' must be an absolute http(s) URL: {shorten(value)}")
    return value


def _trust(table: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for ctype, issuers in table.items():
        where = f"trust.{ctype}"
        if not isinstance(issuers, list) or not all(isinstance(i, str) for i in issuers):
            raise ConfigError(f"'{where}' must be a list of issuer DIDs")
        for issuer in issuers:
            try:
                DID.parse(issuer)
            except InvalidDID as exc:
                raise ConfigError(f"'{where}': {exc}") from exc
        out[ctype] = tuple(dict.fromkeys(issuers))
    return out


def _requests(table: Mapping[str, Any], trust: Mapping[str, Any]) -> dict[str, NamedRequest]:
    if not table:
        raise ConfigError("'requests' must define at least one named request")
    return {name: _request(name, value, trust) for name, value in table.items()}


def _request(name: str, table: Any, trust: Mapping[str, Any]) -> NamedRequest:
    where = f"requests.{name}"
    if not _NAME.fullmatch(name):
        raise ConfigError(f"'[{where}]': the name must match {_NAME.pattern}")
    if not isinstance(table, Mapping):
        raise ConfigError(f"'{where}' must be a table")
    cfg.known_keys(table, where, REQUEST_KEYS)
    raw_query = cfg.get(table, f"{where}.dcql_query", object)
    purpose = cfg.get(table, f"{where}.purpose", str)
    retention = cfg.get(table, f"{where}.retention", str)
    offer = table.get("offer")
    if isinstance(offer, Mapping):
        cfg.known_keys(offer, f"{where}.offer", OFFER_KEYS)
    try:  # the checks of the wire format: their code (INVALID_DCQL_QUERY, ...) says which
        query = DcqlQuery.parse(raw_query)
        terms = ConsentTerms(purpose, retention, Offer.parse(offer) if offer is not None else None)
    except PidmError as exc:
        raise ConfigError(f"'{where}': {exc.code}: {exc}") from exc
    for cq in query.credentials:
        if cq.format not in FORMATS:
            raise ConfigError(f"'{where}': credential query '{cq.id}' has format "
                              f"{cq.format!r}; this verifier checks {sorted(FORMATS)}")
        types = cq.vct_values or tuple(t for alt in cq.type_values or () for t in alt)
        if not any(t in trust for t in types):
            raise ConfigError(f"'{where}': no [trust] entry lists an issuer for credential "
                              f"query '{cq.id}' ({', '.join(types)})")
    return NamedRequest(name, query, terms)
