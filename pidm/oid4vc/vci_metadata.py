"""OpenID4VCI 1.0 credential issuer metadata (§12.2) and the bits of OAuth authorization server
metadata (RFC 8414; OpenID4VCI 1.0 §12.3) a wallet needs for the pre-authorized code flow.

Formats pidm issues are checked for their format-specific members (Appendix A): ``dc+sd-jwt``
needs ``vct``; ``ldp_vc`` a ``credential_definition`` with ``@context`` and ``type``;
``jwt_vc_json`` a ``credential_definition`` with ``type``; ``mso_mdoc`` a ``doctype``. Other
members are kept in ``raw`` and unknown ones ignored, as §12.2.4 requires.

pidm extension: ``token_endpoint`` in the issuer metadata names the token endpoint of an issuer
that is its own authorization server, saving the wallet the RFC 8414 round trip.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from pidm.errors import InvalidIssuerResponse, UnknownCredentialConfiguration, shorten
from pidm.oid4vc._fields import (
    as_object,
    check_url,
    limit,
    opt_int,
    opt_str,
    opt_url,
    req_str,
    req_url,
    str_list,
)

ISSUER_WELL_KNOWN = "/.well-known/openid-credential-issuer"
OAUTH_WELL_KNOWN = "/.well-known/oauth-authorization-server"
MAX_CONFIGURATIONS = 128
_E = InvalidIssuerResponse


def _well_known(identifier: str, suffix: str) -> str:
    parts = urlsplit(identifier)
    path = parts.path.rstrip("/")
    return urlunsplit((parts.scheme, parts.netloc, suffix + path, "", ""))


def metadata_url(credential_issuer: str) -> str:
    """Where the issuer metadata lives: the well-known segment goes between host and path
    (§12.2.2), so ``https://issuer.example.com/tenant`` is served at
    ``https://issuer.example.com/.well-known/openid-credential-issuer/tenant``.
    """
    return _well_known(credential_issuer, ISSUER_WELL_KNOWN)


def oauth_metadata_url(issuer: str) -> str:
    """RFC 8414 §3.1 location of an authorization server's metadata."""
    return _well_known(issuer, OAUTH_WELL_KNOWN)


def _issuer_id(obj: Mapping[str, Any], name: str, allow_http: bool) -> str:
    value = req_url(obj, name, _E, allow_http=allow_http, allow_query=False)
    return value


@dataclass(frozen=True, slots=True)
class ProofTypeMetadata:
    """One entry of ``proof_types_supported`` (§12.2.4)."""

    proof_signing_alg_values_supported: tuple[str, ...]
    key_attestations_required: Mapping[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "proof_signing_alg_values_supported": list(self.proof_signing_alg_values_supported)
        }
        if self.key_attestations_required is not None:
            out["key_attestations_required"] = dict(self.key_attestations_required)
        return out


def _alg_values(value: Any, name: str) -> tuple[str | int, ...]:
    if not isinstance(value, list) or not value:
        raise _E(f"'{name}' must be a non-empty array, got {shorten(value)}")
    limit(len(value), 64, name)
    for item in value:
        if not (isinstance(item, str) and item or type(item) is int):
            raise _E(f"'{name}' entries must be strings or COSE integers, got {shorten(item)}")
    return tuple(value)


def _format_members(
    fmt: str, obj: Mapping[str, Any]
) -> tuple[str | None, dict[str, Any] | None, str | None]:
    """(vct, credential_definition, doctype) as the format requires them (Appendix A)."""
    if fmt == "dc+sd-jwt":
        return req_str(obj, "vct", _E), None, None
    if fmt in ("ldp_vc", "jwt_vc_json", "jwt_vc_json-ld"):
        definition = dict(as_object(obj.get("credential_definition"), _E, "credential_definition"))
        str_list(definition.get("type"), "credential_definition.type", _E)
        if fmt != "jwt_vc_json":
            context = definition.get("@context")
            if not isinstance(context, list) or not context:
                raise _E("'credential_definition.@context' must be a non-empty array")
        return None, definition, None
    if fmt == "mso_mdoc":
        return None, None, req_str(obj, "doctype", _E)
    return None, None, None


def _proof_types(obj: Mapping[str, Any]) -> dict[str, ProofTypeMetadata]:
    proof_types = as_object(obj.get("proof_types_supported", {}), _E, "proof_types_supported")
    limit(len(proof_types), 8, "proof_types_supported")
    parsed = {}
    for name, entry in proof_types.items():
        entry = as_object(entry, _E, f"proof type {shorten(name, 40)}")
        algs = str_list(
            entry.get("proof_signing_alg_values_supported"),
            "proof_signing_alg_values_supported",
            _E,
        )
        attestations = entry.get("key_attestations_required")
        if attestations is not None:
            attestations = dict(as_object(attestations, _E, "key_attestations_required"))
        parsed[name] = ProofTypeMetadata(algs, attestations)
    return parsed


@dataclass(frozen=True, slots=True)
class CredentialConfiguration:
    """One entry of ``credential_configurations_supported`` (§12.2.4, Appendix A)."""

    format: str
    scope: str | None = None
    vct: str | None = None
    credential_definition: Mapping[str, Any] | None = None
    doctype: str | None = None
    cryptographic_binding_methods_supported: tuple[str, ...] = ()
    credential_signing_alg_values_supported: tuple[str | int, ...] = ()
    proof_types_supported: Mapping[str, ProofTypeMetadata] = field(default_factory=dict)
    credential_metadata: Mapping[str, Any] | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @property
    def types(self) -> tuple[str, ...]:
        """``credential_definition.type`` of a W3C format (empty for the others)."""
        definition = self.credential_definition or {}
        return tuple(definition.get("type", ()))

    @classmethod
    def parse(cls, data: Any) -> CredentialConfiguration:
        obj = as_object(data, _E, "credential configuration")
        fmt = req_str(obj, "format", _E, max_len=128)
        vct, definition, doctype = _format_members(fmt, obj)
        binding = obj.get("cryptographic_binding_methods_supported")
        signing = obj.get("credential_signing_alg_values_supported")
        metadata = obj.get("credential_metadata")
        return cls(
            format=fmt,
            scope=opt_str(obj, "scope", _E),
            vct=vct,
            credential_definition=definition,
            doctype=doctype,
            cryptographic_binding_methods_supported=(
                str_list(binding, "cryptographic_binding_methods_supported", _E) if binding else ()
            ),
            credential_signing_alg_values_supported=(
                _alg_values(signing, "credential_signing_alg_values_supported") if signing else ()
            ),
            proof_types_supported=_proof_types(obj),
            credential_metadata=(
                dict(as_object(metadata, _E, "credential_metadata")) if metadata else None
            ),
            raw=dict(obj),
        )

    def to_json(self) -> dict[str, Any]:
        if self.raw:
            return dict(self.raw)
        out: dict[str, Any] = {"format": self.format}
        for name in ("scope", "vct", "doctype"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        if self.credential_definition is not None:
            out["credential_definition"] = dict(self.credential_definition)
        if self.cryptographic_binding_methods_supported:
            out["cryptographic_binding_methods_supported"] = list(
                self.cryptographic_binding_methods_supported
            )
        if self.credential_signing_alg_values_supported:
            out["credential_signing_alg_values_supported"] = list(
                self.credential_signing_alg_values_supported
            )
        if self.proof_types_supported:
            out["proof_types_supported"] = {
                k: v.to_json() for k, v in self.proof_types_supported.items()
            }
        if self.credential_metadata is not None:
            out["credential_metadata"] = dict(self.credential_metadata)
        return out


def _batch_size(obj: Mapping[str, Any]) -> int | None:
    batch = obj.get("batch_credential_issuance")
    if batch is None:
        return None
    size = opt_int(as_object(batch, _E, "batch_credential_issuance"), "batch_size", _E, minimum=2)
    if size is None:
        raise _E("'batch_credential_issuance.batch_size' is required")
    return size


@dataclass(frozen=True, slots=True)
class IssuerMetadata:
    """Credential issuer metadata (§12.2.4)."""

    credential_issuer: str
    credential_endpoint: str
    credential_configurations_supported: Mapping[str, CredentialConfiguration]
    nonce_endpoint: str | None = None
    token_endpoint: str | None = None
    authorization_servers: tuple[str, ...] = ()
    deferred_credential_endpoint: str | None = None
    notification_endpoint: str | None = None
    batch_size: int | None = None
    display: tuple[Mapping[str, Any], ...] = ()
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def parse(
        cls, data: Any, *, expected_issuer: str | None = None, allow_http: bool = False
    ) -> IssuerMetadata:
        """Parse issuer metadata; ``expected_issuer`` is the identifier it was fetched for and
        must be identical (§12.2.2, no normalization). Raises INVALID_ISSUER_RESPONSE."""
        obj = as_object(data, _E, "credential issuer metadata")
        issuer = _issuer_id(obj, "credential_issuer", allow_http)
        if expected_issuer is not None and issuer != expected_issuer:
            raise _E(f"metadata is for {shorten(issuer)}, not {shorten(expected_issuer)}")
        configs = as_object(
            obj.get("credential_configurations_supported"),
            _E,
            "credential_configurations_supported",
        )
        limit(len(configs), MAX_CONFIGURATIONS, "credential_configurations_supported")
        servers = obj.get("authorization_servers")
        display = obj.get("display", [])
        if not isinstance(display, list) or not all(isinstance(d, Mapping) for d in display):
            raise _E("'display' must be an array of objects")
        url_opts = {"allow_http": allow_http}
        return cls(
            credential_issuer=issuer,
            credential_endpoint=req_url(obj, "credential_endpoint", _E, **url_opts),
            credential_configurations_supported={
                str(k): CredentialConfiguration.parse(v) for k, v in configs.items()
            },
            nonce_endpoint=opt_url(obj, "nonce_endpoint", _E, **url_opts),
            token_endpoint=opt_url(obj, "token_endpoint", _E, **url_opts),
            authorization_servers=tuple(
                check_url(s, "authorization_servers", _E, **url_opts)
                for s in (str_list(servers, "authorization_servers", _E) if servers else ())
            ),
            deferred_credential_endpoint=opt_url(
                obj, "deferred_credential_endpoint", _E, **url_opts
            ),
            notification_endpoint=opt_url(obj, "notification_endpoint", _E, **url_opts),
            batch_size=_batch_size(obj),
            display=tuple(dict(d) for d in display),
            raw=dict(obj),
        )

    def configuration(self, configuration_id: str) -> CredentialConfiguration:
        """The configuration ``configuration_id`` or UNKNOWN_CREDENTIAL_CONFIGURATION."""
        found = self.credential_configurations_supported.get(configuration_id)
        if found is None:
            raise UnknownCredentialConfiguration(
                f"credential configuration {shorten(configuration_id)} is not offered"
            )
        return found

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.raw)
        out.update(
            {
                "credential_issuer": self.credential_issuer,
                "credential_endpoint": self.credential_endpoint,
                "credential_configurations_supported": {
                    k: v.to_json() for k, v in self.credential_configurations_supported.items()
                },
            }
        )
        optional = {
            "nonce_endpoint": self.nonce_endpoint,
            "token_endpoint": self.token_endpoint,
            "deferred_credential_endpoint": self.deferred_credential_endpoint,
            "notification_endpoint": self.notification_endpoint,
        }
        out.update({k: v for k, v in optional.items() if v is not None})
        if self.authorization_servers:
            out["authorization_servers"] = list(self.authorization_servers)
        if self.batch_size is not None:
            out["batch_credential_issuance"] = {"batch_size": self.batch_size}
        if self.display:
            out["display"] = [dict(d) for d in self.display]
        return out


@dataclass(frozen=True, slots=True)
class AuthorizationServerMetadata:
    """The RFC 8414 members the pre-authorized code flow uses."""

    issuer: str
    token_endpoint: str
    pre_authorized_grant_anonymous_access_supported: bool = False
    grant_types_supported: tuple[str, ...] = ()
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def parse(
        cls, data: Any, *, expected_issuer: str | None = None, allow_http: bool = False
    ) -> AuthorizationServerMetadata:
        obj = as_object(data, _E, "authorization server metadata")
        issuer = _issuer_id(obj, "issuer", allow_http)
        if expected_issuer is not None and issuer != expected_issuer:
            raise _E(f"metadata is for {shorten(issuer)}, not {shorten(expected_issuer)}")
        anonymous = obj.get("pre-authorized_grant_anonymous_access_supported", False)
        if not isinstance(anonymous, bool):
            raise _E("'pre-authorized_grant_anonymous_access_supported' must be a boolean")
        grants = obj.get("grant_types_supported")
        return cls(
            issuer=issuer,
            token_endpoint=req_url(obj, "token_endpoint", _E, allow_http=allow_http),
            pre_authorized_grant_anonymous_access_supported=anonymous,
            grant_types_supported=str_list(grants, "grant_types_supported", _E) if grants else (),
            raw=dict(obj),
        )
