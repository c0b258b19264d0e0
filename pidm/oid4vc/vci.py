"""OpenID4VCI 1.0 messages for the pre-authorized code flow: token request/response (§6), nonce
response (§7.2), credential request (§8.2) and response (§8.3).

The credential offer is in :mod:`pidm.oid4vc.vci_offer`, issuer metadata in
:mod:`pidm.oid4vc.vci_metadata`, key proofs in :mod:`pidm.oid4vc.vci_proof`; all are re-exported
here, so ``pidm.oid4vc.vci`` is the whole OpenID4VCI surface. Each parser raises the code whose
``oauth_error`` the issuer must answer with: INVALID_TOKEN_REQUEST (``invalid_request``),
UNSUPPORTED_GRANT_TYPE, INVALID_CREDENTIAL_REQUEST, INVALID_PROOF; a wallet reading issuer
answers gets INVALID_CREDENTIAL_OFFER or INVALID_ISSUER_RESPONSE.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from pidm.errors import (
    InvalidCredentialRequest,
    InvalidIssuerResponse,
    InvalidProof,
    InvalidTokenRequest,
    UnsupportedGrantType,
    shorten,
)
from pidm.oid4vc._fields import (
    as_object,
    limit,
    load_json,
    opt_int,
    opt_str,
    parse_form,
    req_str,
)
from pidm.oid4vc.vci_metadata import (
    AuthorizationServerMetadata,
    CredentialConfiguration,
    IssuerMetadata,
    ProofTypeMetadata,
    metadata_url,
    oauth_metadata_url,
)
from pidm.oid4vc.vci_offer import (
    AUTHORIZATION_CODE_GRANT,
    OFFER_SCHEME,
    PRE_AUTHORIZED_GRANT,
    AuthorizationCodeGrant,
    CredentialOffer,
    PreAuthorizedCodeGrant,
    TxCode,
    offer_reference_uri,
    parse_offer_uri,
)
from pidm.oid4vc.vci_proof import PROOF_TYP, build_proof_jwt, verify_proof_jwt

__all__ = [
    "AUTHORIZATION_CODE_GRANT",
    "OFFER_SCHEME",
    "PRE_AUTHORIZED_GRANT",
    "PROOF_TYP",
    "AuthorizationCodeGrant",
    "AuthorizationServerMetadata",
    "CredentialConfiguration",
    "CredentialOffer",
    "CredentialRequest",
    "CredentialResponse",
    "IssuerMetadata",
    "NonceResponse",
    "PreAuthorizedCodeGrant",
    "ProofTypeMetadata",
    "TokenRequest",
    "TokenResponse",
    "TxCode",
    "build_proof_jwt",
    "metadata_url",
    "oauth_metadata_url",
    "offer_reference_uri",
    "parse_offer_uri",
    "verify_proof_jwt",
]

MAX_FORM = 65_536
MAX_BATCH = 100


# --- token endpoint ----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class TokenRequest:
    """A pre-authorized code token request (§6.1), sent form-encoded."""

    pre_authorized_code: str
    tx_code: str | None = None
    client_id: str | None = None

    @property
    def grant_type(self) -> str:
        return PRE_AUTHORIZED_GRANT

    def to_form(self) -> dict[str, str]:
        form = {"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": self.pre_authorized_code}
        if self.tx_code is not None:
            form["tx_code"] = self.tx_code
        if self.client_id is not None:
            form["client_id"] = self.client_id
        return form

    def encode(self) -> bytes:
        return urlencode(self.to_form()).encode("ascii")

    @classmethod
    def parse(cls, body: bytes | str | Mapping[str, str]) -> TokenRequest:
        """Parse a token request body. Raises UNSUPPORTED_GRANT_TYPE for any other grant,
        INVALID_TOKEN_REQUEST for a missing code or a malformed body, PAYLOAD_TOO_LARGE."""
        form = parse_form(body, InvalidTokenRequest, what="token request", max_bytes=MAX_FORM)
        grant = form.get("grant_type")
        if not grant:
            raise InvalidTokenRequest("'grant_type' is required")
        if grant != PRE_AUTHORIZED_GRANT:
            raise UnsupportedGrantType(f"grant_type {shorten(grant)} is not supported")
        return cls(
            req_str(form, "pre-authorized_code", InvalidTokenRequest, max_len=4096),
            opt_str(form, "tx_code", InvalidTokenRequest, max_len=64),
            opt_str(form, "client_id", InvalidTokenRequest, max_len=512),
        )


@dataclass(frozen=True, slots=True)
class TokenResponse:
    """A successful token response (RFC 6749 §5.1; OpenID4VCI 1.0 §6.2)."""

    access_token: str
    token_type: str = "Bearer"
    expires_in: int | None = None
    authorization_details: tuple[Mapping[str, Any], ...] | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"access_token": self.access_token, "token_type": self.token_type}
        if self.expires_in is not None:
            out["expires_in"] = self.expires_in
        if self.authorization_details is not None:
            out["authorization_details"] = [dict(d) for d in self.authorization_details]
        return out

    @classmethod
    def parse(cls, data: Any) -> TokenResponse:
        obj = _issuer_json(data, "token response")
        token_type = req_str(obj, "token_type", InvalidIssuerResponse, max_len=32)
        if token_type.lower() not in ("bearer", "dpop"):
            raise InvalidIssuerResponse(f"token_type {shorten(token_type)} is not supported")
        details = obj.get("authorization_details")
        if details is not None and not (
            isinstance(details, list) and all(isinstance(d, Mapping) for d in details)
        ):
            raise InvalidIssuerResponse("'authorization_details' must be an array of objects")
        return cls(
            req_str(obj, "access_token", InvalidIssuerResponse, max_len=8192),
            token_type,
            opt_int(obj, "expires_in", InvalidIssuerResponse),
            tuple(dict(d) for d in details) if details is not None else None,
        )


@dataclass(frozen=True, slots=True)
class NonceResponse:
    """The nonce endpoint's answer (§7.2)."""

    c_nonce: str

    def to_json(self) -> dict[str, str]:
        return {"c_nonce": self.c_nonce}

    @classmethod
    def parse(cls, data: Any) -> NonceResponse:
        obj = _issuer_json(data, "nonce response")
        return cls(req_str(obj, "c_nonce", InvalidIssuerResponse, max_len=512))


def _issuer_json(data: Any, what: str) -> Mapping[str, Any]:
    if isinstance(data, str | bytes):
        data = load_json(data, InvalidIssuerResponse, what=what)
    return as_object(data, InvalidIssuerResponse, what)


# --- credential endpoint -----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class CredentialRequest:
    """A credential request (§8.2) with ``jwt`` key proofs."""

    credential_configuration_id: str | None = None
    credential_identifier: str | None = None
    proofs: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.credential_configuration_id is not None:
            out["credential_configuration_id"] = self.credential_configuration_id
        if self.credential_identifier is not None:
            out["credential_identifier"] = self.credential_identifier
        if self.proofs:
            out["proofs"] = {"jwt": list(self.proofs)}
        return out

    @classmethod
    def parse(cls, data: Any, *, max_proofs: int = MAX_BATCH) -> CredentialRequest:
        """Parse a credential request (object or JSON text); ``max_proofs`` is the issuer's
        ``batch_size`` (1 without batch issuance).

        Raises INVALID_CREDENTIAL_REQUEST (no or both identifiers, encryption asked for, the
        pre-1.0 ``proof`` member), INVALID_PROOF (proof type other than ``jwt``, empty or too
        many proofs) and PAYLOAD_TOO_LARGE.
        """
        err = InvalidCredentialRequest
        if isinstance(data, str | bytes):
            data = load_json(data, err, what="credential request", max_bytes=MAX_FORM * 16)
        obj = as_object(data, err, "credential request")
        config_id = opt_str(obj, "credential_configuration_id", err, max_len=256)
        identifier = opt_str(obj, "credential_identifier", err, max_len=256)
        if (config_id is None) == (identifier is None):
            raise err("exactly one of credential_configuration_id and credential_identifier")
        if "proof" in obj:
            raise err("'proof' is not OpenID4VCI 1.0; send 'proofs'")
        if "credential_response_encryption" in obj:
            raise err("encrypted credential responses are not supported")
        return cls(config_id, identifier, _parse_proofs(obj, max_proofs))


def _parse_proofs(obj: Mapping[str, Any], max_proofs: int) -> tuple[str, ...]:
    if "proofs" not in obj:
        return ()
    proofs = as_object(obj["proofs"], InvalidProof, "'proofs'")
    if list(proofs) != ["jwt"]:
        raise InvalidProof(
            f"'proofs' must hold exactly the 'jwt' proof type, got {list(proofs)!r:.60}"
        )
    jwts = proofs["jwt"]
    if not isinstance(jwts, list) or not jwts:
        raise InvalidProof("'proofs.jwt' must be a non-empty array")
    if len(jwts) > max_proofs:
        raise InvalidProof(f"{len(jwts)} key proofs exceed the batch size {max_proofs}")
    for item in jwts:
        if not isinstance(item, str) or not item or len(item) > 65_536:
            raise InvalidProof("'proofs.jwt' entries must be compact JWTs")
    return tuple(jwts)


@dataclass(frozen=True, slots=True)
class CredentialResponse:
    """An immediate (``credentials``) or deferred (``transaction_id`` + ``interval``) answer."""

    credentials: tuple[str | Mapping[str, Any], ...] = ()
    notification_id: str | None = None
    transaction_id: str | None = None
    interval: int | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.credentials:
            out["credentials"] = [
                {"credential": c if isinstance(c, str) else dict(c)} for c in self.credentials
            ]
        optional = {
            "notification_id": self.notification_id,
            "transaction_id": self.transaction_id,
            "interval": self.interval,
        }
        out.update({k: v for k, v in optional.items() if v is not None})
        return out

    @classmethod
    def parse(cls, data: Any) -> CredentialResponse:
        """Raises INVALID_ISSUER_RESPONSE for a malformed answer."""
        err = InvalidIssuerResponse
        if isinstance(data, str | bytes):
            data = load_json(data, err, what="credential response", max_bytes=8 * 1_048_576)
        obj = as_object(data, err, "credential response")
        items, tx = obj.get("credentials"), opt_str(obj, "transaction_id", err)
        if (items is None) == (tx is None):
            raise err("a credential response needs exactly one of credentials and transaction_id")
        credentials: list[str | Mapping[str, Any]] = []
        if items is not None:
            if not isinstance(items, list) or not items:
                raise err("'credentials' must be a non-empty array")
            limit(len(items), MAX_BATCH, "credentials")
            for item in items:
                value = as_object(item, err, "credentials[]").get("credential")
                if not (isinstance(value, str) and value or isinstance(value, Mapping)):
                    raise err("each credentials[] entry needs a 'credential' string or object")
                credentials.append(value)
        interval = opt_int(obj, "interval", err, minimum=1)
        if tx is not None and interval is None:
            raise err("'interval' is required with 'transaction_id'")
        return cls(
            tuple(credentials), opt_str(obj, "notification_id", err), tx, interval, dict(obj)
        )
