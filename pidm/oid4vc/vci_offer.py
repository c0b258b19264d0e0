"""OpenID4VCI 1.0 credential offers (§4.1): the offer object, sent by value
(``openid-credential-offer://?credential_offer=<JSON>``) or by reference
(``?credential_offer_uri=<https URL>``), with the pre-authorized code grant and its ``tx_code``.

Parsing raises INVALID_CREDENTIAL_OFFER (or PAYLOAD_TOO_LARGE); unknown grants and members are
ignored, as §4.1.1 requires.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from pidm.errors import InvalidCredentialOffer, PayloadTooLarge, shorten
from pidm.oid4vc._fields import (
    as_object,
    check_url,
    dump_json,
    load_json,
    opt_int,
    opt_str,
    req_str,
    str_list,
)

PRE_AUTHORIZED_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
AUTHORIZATION_CODE_GRANT = "authorization_code"
OFFER_SCHEME = "openid-credential-offer://"
MAX_OFFER = 32_768
_OFFER = InvalidCredentialOffer


@dataclass(frozen=True, slots=True)
class TxCode:
    """The ``tx_code`` object of a pre-authorized code grant: a transaction code is required."""

    input_mode: str | None = None
    length: int | None = None
    description: str | None = None

    @property
    def mode(self) -> str:
        """``numeric`` (the default) or ``text``."""
        return self.input_mode or "numeric"

    @classmethod
    def parse(cls, data: Any) -> TxCode:
        obj = as_object(data, _OFFER, "'tx_code'")
        mode = obj.get("input_mode")
        if mode is not None and mode not in ("numeric", "text"):
            raise _OFFER(f"'tx_code.input_mode' must be numeric or text, got {shorten(mode)}")
        return cls(
            mode,
            opt_int(obj, "length", _OFFER, minimum=1, maximum=64),
            opt_str(obj, "description", _OFFER, max_len=300),
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.length is not None:
            out["length"] = self.length
        if self.input_mode is not None:
            out["input_mode"] = self.input_mode
        if self.description is not None:
            out["description"] = self.description
        return out


@dataclass(frozen=True, slots=True)
class PreAuthorizedCodeGrant:
    pre_authorized_code: str
    tx_code: TxCode | None = None
    authorization_server: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"pre-authorized_code": self.pre_authorized_code}
        if self.tx_code is not None:
            out["tx_code"] = self.tx_code.to_json()
        if self.authorization_server is not None:
            out["authorization_server"] = self.authorization_server
        return out


@dataclass(frozen=True, slots=True)
class AuthorizationCodeGrant:
    issuer_state: str | None = None
    authorization_server: str | None = None

    def to_json(self) -> dict[str, Any]:
        out = {"issuer_state": self.issuer_state, "authorization_server": self.authorization_server}
        return {k: v for k, v in out.items() if v is not None}


@dataclass(frozen=True, slots=True)
class CredentialOffer:
    """A credential offer (§4.1.1). pidm issuers send the pre-authorized code grant."""

    credential_issuer: str
    credential_configuration_ids: tuple[str, ...]
    pre_authorized_code: PreAuthorizedCodeGrant | None = None
    authorization_code: AuthorizationCodeGrant | None = None

    @classmethod
    def parse(cls, data: Any, *, allow_http: bool = False) -> CredentialOffer:
        """Parse an offer object or its JSON text. Unknown grants and members are ignored.

        Raises INVALID_CREDENTIAL_OFFER, or PAYLOAD_TOO_LARGE for oversized JSON text.
        """
        if isinstance(data, str | bytes):
            data = load_json(data, _OFFER, what="credential offer", max_bytes=MAX_OFFER)
        obj = as_object(data, _OFFER, "credential offer")
        issuer = req_str(obj, "credential_issuer", _OFFER)
        check_url(issuer, "credential_issuer", _OFFER, allow_http=allow_http, allow_query=False)
        ids = str_list(
            obj.get("credential_configuration_ids"),
            "credential_configuration_ids",
            _OFFER,
            unique=True,
        )
        grants = as_object(obj.get("grants", {}), _OFFER, "'grants'")
        pre = auth = None
        if PRE_AUTHORIZED_GRANT in grants:
            grant = as_object(grants[PRE_AUTHORIZED_GRANT], _OFFER, "pre-authorized_code grant")
            tx_code = grant.get("tx_code")
            pre = PreAuthorizedCodeGrant(
                req_str(grant, "pre-authorized_code", _OFFER, max_len=4096),
                TxCode.parse(tx_code) if tx_code is not None else None,
                opt_str(grant, "authorization_server", _OFFER),
            )
        if AUTHORIZATION_CODE_GRANT in grants:
            grant = as_object(grants[AUTHORIZATION_CODE_GRANT], _OFFER, "authorization_code grant")
            auth = AuthorizationCodeGrant(
                opt_str(grant, "issuer_state", _OFFER, max_len=4096),
                opt_str(grant, "authorization_server", _OFFER),
            )
        return cls(issuer, ids, pre, auth)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "credential_issuer": self.credential_issuer,
            "credential_configuration_ids": list(self.credential_configuration_ids),
        }
        grants: dict[str, Any] = {}
        if self.authorization_code is not None:
            grants[AUTHORIZATION_CODE_GRANT] = self.authorization_code.to_json()
        if self.pre_authorized_code is not None:
            grants[PRE_AUTHORIZED_GRANT] = self.pre_authorized_code.to_json()
        if grants:
            out["grants"] = grants
        return out

    def to_uri(self, scheme: str = OFFER_SCHEME) -> str:
        """The offer by value: ``openid-credential-offer://?credential_offer=<JSON>`` (§4.1.2)."""
        return scheme + "?" + urlencode({"credential_offer": dump_json(self.to_json())})


def offer_reference_uri(url: str, scheme: str = OFFER_SCHEME) -> str:
    """The offer by reference: ``openid-credential-offer://?credential_offer_uri=<url>``."""
    return scheme + "?" + urlencode({"credential_offer_uri": url})


def parse_offer_uri(uri: str, *, allow_http: bool = False) -> CredentialOffer | str:
    """Parse an offer URI (any scheme or an https link): the offer when sent by value, else the
    ``credential_offer_uri`` (https) the wallet must fetch and pass to ``CredentialOffer.parse``.

    Raises INVALID_CREDENTIAL_OFFER (neither or both parameters, repeated ones, a non-https
    reference) and PAYLOAD_TOO_LARGE.
    """
    if not isinstance(uri, str):
        raise _OFFER("a credential offer URI must be a string")
    if len(uri) > MAX_OFFER * 3:
        raise PayloadTooLarge(f"credential offer URI of {len(uri)} characters")
    try:
        pairs = parse_qsl(
            urlsplit(uri).query, keep_blank_values=True, strict_parsing=True, max_num_fields=8
        )
    except ValueError as exc:
        raise _OFFER(f"malformed credential offer URI {shorten(uri)}") from exc
    params = dict(pairs)
    if len(params) != len(pairs):
        raise _OFFER("credential offer URI repeats a parameter")
    by_value, by_ref = params.get("credential_offer"), params.get("credential_offer_uri")
    if (by_value is None) == (by_ref is None):
        raise _OFFER("exactly one of 'credential_offer' and 'credential_offer_uri' is required")
    if by_ref is not None:
        return check_url(by_ref, "credential_offer_uri", _OFFER, allow_http=allow_http)
    assert by_value is not None
    return CredentialOffer.parse(by_value, allow_http=allow_http)
