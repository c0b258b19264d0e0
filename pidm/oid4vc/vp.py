"""OpenID4VP 1.0 authorization requests (§5) with DCQL, ``response_mode=direct_post`` (§8.2) and
the ``decentralized_identifier`` client identifier prefix (§5.9.3), plus the ``openid4vp://``
invocation URI carrying ``client_id`` and ``request_uri`` (JAR by reference, RFC 9101 §5.2).

pidm only answers signed requests from DID-identified verifiers and only posts responses back
(``direct_post``); other prefixes and response modes are refused with a code. The signed request
object lives in :mod:`pidm.oid4vc.request_object`, the response in :mod:`pidm.oid4vc.vp_response`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from pidm.did.model import DID
from pidm.errors import (
    InvalidAuthorizationRequest,
    InvalidClientId,
    InvalidDID,
    PayloadTooLarge,
    shorten,
)
from pidm.oid4vc._fields import as_object, check_url, req_url, url_safe
from pidm.oid4vc.consent import ConsentTerms
from pidm.oid4vc.dcql import DcqlQuery

RESPONSE_TYPE = "vp_token"
DIRECT_POST = "direct_post"
DID_PREFIX = "decentralized_identifier"
#: Client identifier prefixes OpenID4VP 1.0 §5.9.3 defines.
KNOWN_PREFIXES = frozenset(
    {
        "redirect_uri",
        "openid_federation",
        DID_PREFIX,
        "verifier_attestation",
        "x509_san_dns",
        "x509_hash",
        "origin",
    }
)
DEFAULT_SCHEME = "openid4vp://"
MAX_URI = 8192
_E = InvalidAuthorizationRequest


@dataclass(frozen=True, slots=True)
class ClientId:
    """A ``client_id`` split into its client identifier prefix (§5.9.1) and the original id."""

    prefix: str | None
    value: str

    @classmethod
    def parse(cls, text: Any, *, allowed: frozenset[str] = frozenset({DID_PREFIX})) -> ClientId:
        """Parse and check a client_id; ``allowed`` are the prefixes the caller supports.

        Raises INVALID_CLIENT_ID for a missing, unknown, refused or malformed identifier (a
        ``decentralized_identifier`` one must name a valid DID; ``origin`` is never accepted).
        """
        if not isinstance(text, str) or not text or len(text) > 2048:
            raise InvalidClientId(f"'client_id' must be a non-empty string, got {shorten(text)}")
        prefix, sep, value = text.partition(":")
        if not sep or prefix not in KNOWN_PREFIXES:
            raise InvalidClientId(f"client_id {shorten(text)} has no supported prefix")
        if prefix not in allowed or prefix == "origin":
            raise InvalidClientId(f"client_id prefix '{prefix}' is not supported")
        if prefix == DID_PREFIX:
            try:
                DID.parse(value)
            except InvalidDID as exc:
                raise InvalidClientId(f"client_id {shorten(text)} does not name a DID") from exc
        return cls(prefix, value)

    @classmethod
    def for_did(cls, did: str) -> ClientId:
        """The ``decentralized_identifier:<did>`` client_id of a verifier DID."""
        return cls.parse(f"{DID_PREFIX}:{did}")

    @property
    def did(self) -> str:
        """The DID of a ``decentralized_identifier`` client (TypeError for other prefixes)."""
        if self.prefix != DID_PREFIX:
            raise TypeError(f"client_id prefix {self.prefix!r} names no DID")
        return self.value

    def __str__(self) -> str:
        return self.value if self.prefix is None else f"{self.prefix}:{self.value}"


@dataclass(frozen=True, slots=True)
class ClientMetadata:
    """The ``client_metadata`` request parameter (§5.1, §11.1); other members are kept in raw."""

    vp_formats_supported: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def parse(cls, data: Any) -> ClientMetadata:
        obj = as_object(data, _E, "'client_metadata'")
        formats = as_object(obj.get("vp_formats_supported", {}), _E, "'vp_formats_supported'")
        for name, params in formats.items():
            as_object(params, _E, f"'vp_formats_supported.{shorten(name, 40)}'")
        return cls(dict(formats), dict(obj))

    def to_json(self) -> dict[str, Any]:
        out = dict(self.raw)
        out["vp_formats_supported"] = {k: dict(v) for k, v in self.vp_formats_supported.items()}
        return out


@dataclass(frozen=True, slots=True)
class AuthorizationRequest:
    """An OpenID4VP authorization request as pidm sends and accepts it (§5, §8.2).

    ``terms`` carries pidm's ``purpose`` / ``retention`` / ``offer`` (see :mod:`consent`).
    """

    client_id: ClientId
    response_uri: str
    nonce: str
    dcql_query: DcqlQuery
    state: str | None = None
    client_metadata: ClientMetadata | None = None
    terms: ConsentTerms = field(default_factory=ConsentTerms)
    response_type: str = RESPONSE_TYPE
    response_mode: str = DIRECT_POST

    @classmethod
    def parse(
        cls,
        params: Mapping[str, Any],
        *,
        allowed_prefixes: frozenset[str] = frozenset({DID_PREFIX}),
        allow_http: bool = False,
    ) -> AuthorizationRequest:
        """Validate request parameters (a request object's claims).

        Raises INVALID_AUTHORIZATION_REQUEST (wrong response type or mode, ``redirect_uri`` with
        ``direct_post``, ``scope`` or ``transaction_data`` present, bad nonce/state/response_uri),
        INVALID_CLIENT_ID, INVALID_DCQL_QUERY or INVALID_CONSENT_TERMS. ``iss``, ``aud``, ``iat``,
        ``exp`` and unknown parameters are ignored.
        """
        obj = as_object(params, _E, "authorization request")
        client_id = ClientId.parse(obj.get("client_id"), allowed=allowed_prefixes)
        if obj.get("response_type") != RESPONSE_TYPE:
            raise _E(f"'response_type' must be 'vp_token', got {shorten(obj.get('response_type'))}")
        if obj.get("response_mode") != DIRECT_POST:
            raise _E(
                f"'response_mode' must be 'direct_post', got {shorten(obj.get('response_mode'))}"
            )
        if "redirect_uri" in obj:
            raise _E("'redirect_uri' must not be present with response_mode direct_post")
        if "scope" in obj:
            raise _E("'scope' is not supported; send a 'dcql_query'")
        if "transaction_data" in obj:
            raise _E("'transaction_data' is not supported by this wallet")
        if "dcql_query" not in obj:
            raise _E("'dcql_query' is required")
        metadata = obj.get("client_metadata")
        return cls(
            client_id=client_id,
            response_uri=req_url(obj, "response_uri", _E, allow_http=allow_http),
            nonce=str(url_safe(obj, "nonce", _E, required=True)),
            dcql_query=DcqlQuery.parse(obj["dcql_query"]),
            state=url_safe(obj, "state", _E, required=False),
            client_metadata=ClientMetadata.parse(metadata) if metadata is not None else None,
            terms=ConsentTerms.parse(obj),
        )

    def to_json(self) -> dict[str, Any]:
        """The request-object claims (without ``iss``/``aud``/``iat``/``exp``)."""
        out: dict[str, Any] = {
            "client_id": str(self.client_id),
            "response_type": self.response_type,
            "response_mode": self.response_mode,
            "response_uri": self.response_uri,
            "nonce": self.nonce,
            "dcql_query": self.dcql_query.to_json(),
        }
        if self.state is not None:
            out["state"] = self.state
        if self.client_metadata is not None:
            out["client_metadata"] = self.client_metadata.to_json()
        out.update(self.terms.to_params())
        return out


@dataclass(frozen=True, slots=True)
class RequestUri:
    """The wallet invocation URI (§5.10; RFC 9101 §5): ``client_id`` plus the request object by
    reference (``request_uri``, optionally ``request_uri_method``) or by value (``request``)."""

    client_id: ClientId
    request_uri: str | None = None
    request: str | None = None
    request_uri_method: str | None = None

    def to_uri(self, base: str = DEFAULT_SCHEME) -> str:
        """Render as ``openid4vp://?client_id=…&request_uri=…`` (or under another ``base``)."""
        params = {"client_id": str(self.client_id)}
        if self.request_uri is not None:
            params["request_uri"] = self.request_uri
        if self.request_uri_method is not None:
            params["request_uri_method"] = self.request_uri_method
        if self.request is not None:
            params["request"] = self.request
        return base + ("&" if "?" in base else "?") + urlencode(params)

    @classmethod
    def parse(
        cls,
        uri: str,
        *,
        allowed_prefixes: frozenset[str] = frozenset({DID_PREFIX}),
        allow_http: bool = False,
        max_length: int = MAX_URI,
    ) -> RequestUri:
        """Parse an invocation URI (any scheme: ``openid4vp://``, a universal link ...).

        Raises PAYLOAD_TOO_LARGE past ``max_length``, INVALID_CLIENT_ID and
        INVALID_AUTHORIZATION_REQUEST (no request object, both ``request`` and ``request_uri``,
        a non-https ``request_uri``, a bad ``request_uri_method``, repeated parameters, or
        request parameters sent unsigned).
        """
        if not isinstance(uri, str):
            raise _E("the authorization request URI must be a string")
        if len(uri) > max_length:
            raise PayloadTooLarge(f"authorization request URI of {len(uri)} characters")
        params = _query_params(uri)
        client_id = ClientId.parse(params.get("client_id"), allowed=allowed_prefixes)
        by_ref, by_value = params.get("request_uri"), params.get("request")
        if (by_ref is None) == (by_value is None):
            raise _E("exactly one of 'request_uri' and 'request' must be present")
        if by_ref is not None:
            check_url(by_ref, "request_uri", _E, allow_http=allow_http)
        method = params.get("request_uri_method")
        if method is not None and (by_ref is None or method not in ("get", "post")):
            raise _E(f"'request_uri_method' must be get or post with a request_uri: {method!r:.20}")
        if "dcql_query" in params or "response_uri" in params:
            raise _E("decentralized_identifier requests must come as a signed request object")
        return cls(client_id, by_ref, by_value, method)


def _query_params(uri: str) -> dict[str, str]:
    try:
        query = urlsplit(uri).query
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=True, max_num_fields=16)
    except ValueError as exc:
        raise _E(f"authorization request URI has a malformed query: {shorten(uri)}") from exc
    params: dict[str, str] = {}
    for name, value in pairs:
        if name in params:
            raise _E(f"parameter '{shorten(name, 40)}' is repeated")
        params[name] = value
    return params
