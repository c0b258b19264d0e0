"""Credential offers (OpenID4VCI 1.0 §4.1) and the pre-authorized code grant (§6.1, §3.5).

The admin asks for an offer (:class:`OfferRequest`); the issuer stores it with the SHA-256
digests of its pre-authorized code and transaction code. The pre-authorized code itself is
``HMAC-SHA256(code_key, offer_id)``, so a by-reference offer can be served again at
``/offers/{id}`` without the clear code ever reaching the database; ``code_key`` is derived
from the issuer's signing key (:func:`offer_code_key`), shared by every replica.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from issuer.config import CredentialConfiguration, IssuerConfig
from issuer.store.base import Offer
from pidm.encoding import b64url_encode
from pidm.errors import MalformedValueError, UnknownCredentialConfiguration, shorten
from pidm.keys import KeyPair, NoEncryption
from pidm.oid4vc.vci import CredentialOffer, PreAuthorizedCodeGrant, TxCode

MAX_CONFIGURATIONS = 16
MAX_CLAIM_TEXT = 2000
MAX_CLAIM_DEPTH = 3
TX_CODE_DESCRIPTION = "Enter the code the issuer sent you separately"


@dataclass(frozen=True, slots=True)
class OfferRequest:
    """A validated ``POST /admin/offers`` body."""

    configuration_ids: tuple[str, ...]
    claims: Mapping[str, Any]
    tx_code: bool
    by_reference: bool

    @classmethod
    def parse(cls, body: Any, config: IssuerConfig) -> OfferRequest:
        """Raise MALFORMED_VALUE_ERROR or UNKNOWN_CREDENTIAL_CONFIGURATION on a bad request."""
        if not isinstance(body, Mapping):
            raise MalformedValueError("the offer request must be a JSON object")
        ids = _configuration_ids(body)
        known = config.configurations
        for cid in ids:
            if cid not in known:
                raise UnknownCredentialConfiguration(
                    f"unknown credential configuration {shorten(cid)}; known: {sorted(known)}"
                )
        claims = body.get("claims")
        if not isinstance(claims, Mapping) or not claims:
            raise MalformedValueError("'claims' must be a non-empty object of subject claims")
        check_claims(claims, [known[c] for c in ids])
        return cls(ids, dict(claims), _flag(body, "tx_code"), _flag(body, "by_reference"))


def _configuration_ids(body: Mapping[str, Any]) -> tuple[str, ...]:
    if "credential_configuration_ids" in body:
        ids = body["credential_configuration_ids"]
    elif "credential_configuration_id" in body:
        ids = [body["credential_configuration_id"]]
    else:
        raise MalformedValueError("'credential_configuration_ids' is required")
    if (
        not isinstance(ids, list)
        or not 0 < len(ids) <= MAX_CONFIGURATIONS
        or not all(isinstance(i, str) for i in ids)
        or len(set(ids)) != len(ids)
    ):
        raise MalformedValueError("'credential_configuration_ids' must be unique strings")
    return tuple(ids)


def _flag(body: Mapping[str, Any], name: str) -> bool:
    value = body.get(name, False)
    if not isinstance(value, bool):
        raise MalformedValueError(f"'{name}' must be a boolean, got {shorten(value)}")
    return value


def check_claims(claims: Mapping[str, Any], configurations: list[CredentialConfiguration]) -> None:
    """Every claim must belong to an offered type and every type must get one claim."""
    allowed = {name for c in configurations for name in c.type.claim_names}
    for name, value in claims.items():
        if name not in allowed:
            raise MalformedValueError(f"claim {shorten(name)} is not part of the offered types")
        _check_value(name, value, 0)
    for conf in configurations:
        if not any(name in claims for name in conf.type.claim_names):
            raise MalformedValueError(f"no claim given for {conf.id}")


def _check_value(name: str, value: Any, depth: int) -> None:
    if depth > MAX_CLAIM_DEPTH:
        raise MalformedValueError(f"claim {shorten(name)} is nested too deeply")
    if isinstance(value, str):
        if len(value) > MAX_CLAIM_TEXT:
            raise MalformedValueError(f"claim {shorten(name)} is longer than {MAX_CLAIM_TEXT}")
        if not plain_text(value):
            raise MalformedValueError(f"claim {shorten(name)} holds NUL or a lone surrogate")
    elif isinstance(value, list):
        for item in value:
            _check_value(name, item, depth + 1)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if (not isinstance(key, str) or not key or key.startswith(("@", "_sd"))
                    or not plain_text(key)):
                raise MalformedValueError(f"claim {shorten(name)} has a bad member {shorten(key)}")
            _check_value(name, item, depth + 1)
    elif value is None or not isinstance(value, bool | int | float):
        raise MalformedValueError(f"claim {shorten(name)} must be JSON data, not null")


def plain_text(text: str) -> bool:
    """False for text no credential format or database can carry: NUL, lone surrogates."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def offer_code_key(signing_key: KeyPair) -> bytes:
    """The HMAC key pre-authorized codes are derived with (from the signing key, one-way)."""
    secret = signing_key.export_private_jwk(encrypt_with=NoEncryption())["d"]
    return hashlib.sha256(b"pidm-issuer/pre-authorized-code/v1\x00" + secret.encode()).digest()


def pre_authorized_code(code_key: bytes, offer_id: str) -> str:
    """The offer's pre-authorized code: ``HMAC-SHA256(code_key, offer_id)``, base64url."""
    return b64url_encode(hmac.new(code_key, offer_id.encode(), hashlib.sha256).digest())


def tx_code(length: int, rng: Callable[[int], bytes]) -> str:
    """A numeric transaction code of ``length`` digits, uniform by rejection sampling."""
    digits: list[str] = []
    while len(digits) < length:
        byte = rng(1)[0]
        if byte < 250:
            digits.append(str(byte % 10))
    return "".join(digits)


def credential_offer(config: IssuerConfig, offer: Offer, code: str) -> CredentialOffer:
    """The Credential Offer (§4.1.1) for ``offer``: its configurations and the pre-authorized
    code grant, with a numeric ``tx_code`` description when the offer has one."""
    tx = None
    if offer.tx_code_hash is not None:
        tx = TxCode("numeric", config.tx_code_length, TX_CODE_DESCRIPTION)
    return CredentialOffer(
        config.public_url, offer.configuration_ids, PreAuthorizedCodeGrant(code, tx)
    )
