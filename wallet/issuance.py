"""The wallet's side of OpenID4VCI 1.0, pre-authorized code flow: read the offer (§4.1), the
issuer's metadata (§12.2) and its authorization server's (RFC 8414), redeem the code (§6.1,
with the transaction code when the offer asks for one), get a ``c_nonce`` (§7), prove
possession of one fresh key per copy (Appendix F.1 ``jwt`` proofs, batch issuance §8.2) and
check what comes back: every credential's signature, and that it is bound to the key we proved.

The messages are :mod:`pidm.oid4vc.vci`'s (coded INVALID_CREDENTIAL_OFFER /
INVALID_ISSUER_RESPONSE errors); the async functions here take a
:class:`wallet.client.WalletClient`.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from pidm.did.resolver import DIDResolver
from pidm.errors import (
    CredentialError,
    InvalidCredentialOffer,
    InvalidIssuerResponse,
    KeyMaterialError,
    PidmError,
    all_error_classes,
    shorten,
)
from pidm.keys import KeyPair
from pidm.oid4vc.dcql import SD_JWT_VC
from pidm.oid4vc.vci import (
    AuthorizationServerMetadata,
    CredentialConfiguration,
    CredentialOffer,
    CredentialRequest,
    CredentialResponse,
    IssuerMetadata,
    NonceResponse,
    PreAuthorizedCodeGrant,
    TokenRequest,
    TokenResponse,
    build_proof_jwt,
    metadata_url,
    oauth_metadata_url,
    parse_offer_uri,
)
from pidm.verification import VerificationResult
from wallet.client import Response, WalletClient, oauth_error

_CODES: dict[str, type[PidmError]] = {cls.code: cls for cls in all_error_classes()}


def _display_name(obj: Mapping[str, Any]) -> str | None:
    display = obj.get("display")
    if isinstance(display, list | tuple) and display and isinstance(display[0], Mapping):
        name = display[0].get("name")
        return name if isinstance(name, str) else None
    return None


def issuer_name(metadata: IssuerMetadata) -> str | None:
    """The issuer's display name from its metadata."""
    return _display_name({"display": list(metadata.display)})


def configuration_display(
    conf: CredentialConfiguration,
) -> tuple[str | None, tuple[tuple[tuple[Any, ...], str], ...]]:
    """The credential's display name and claim labels ``((path, label), ...)`` (Appendix B.2)."""
    meta = conf.credential_metadata if conf.credential_metadata is not None else conf.raw
    labels = []
    claims = meta.get("claims")
    for claim in claims if isinstance(claims, list) else []:
        if not isinstance(claim, Mapping) or not isinstance(claim.get("path"), list):
            continue
        label = _display_name(claim)
        if label is not None:
            labels.append((tuple(claim["path"]), label))
    return _display_name(meta), tuple(labels)


def key_proof(holder: KeyPair, *, audience: str, nonce: str | None, now: datetime,
              by_kid: bool) -> str:
    """An ``openid4vci-proof+jwt`` naming the holder key by its DID URL (``kid``: W3C
    credentials are then about that DID) or carrying it as ``jwk`` (SD-JWT ``cnf``)."""
    return build_proof_jwt(holder, audience=audience, iat=now, nonce=nonce,
                           public_key=None if by_kid else holder.public)


# --- the exchange ---------------------------------------------------------------------------
def _answer(response: Response, what: str) -> Any:
    if not response.ok:
        raise oauth_error(response, what)
    return response.json(what)


async def fetch_offer(client: WalletClient, text: str) -> CredentialOffer:
    """The offer an ``openid-credential-offer://`` URI gives (fetched when by reference), or
    the offer at an https URL. Raises INVALID_CREDENTIAL_OFFER and the fetch errors."""
    allow_http = client.limits.allow_http
    text = text.strip()
    parts = urlsplit(text)
    if parts.scheme in ("http", "https") and "credential_offer" not in parts.query:
        found: CredentialOffer | str = text
    elif not parts.scheme or not parts.query:
        raise InvalidCredentialOffer(f"{shorten(text)} is not a credential offer: expected an "
                                     "openid-credential-offer:// URI or an offer URL")
    else:
        found = parse_offer_uri(text, allow_http=allow_http)
    if isinstance(found, CredentialOffer):
        return found
    data = _answer(await client.get(found), "the credential offer endpoint")
    return CredentialOffer.parse(data, allow_http=allow_http)


async def fetch_metadata(client: WalletClient, issuer: str) -> IssuerMetadata:
    """Credential Issuer Metadata from ``/.well-known/openid-credential-issuer`` (§12.2.2)."""
    data = _answer(await client.get(metadata_url(issuer)), "the issuer metadata endpoint")
    return IssuerMetadata.parse(data, expected_issuer=issuer,
                                allow_http=client.limits.allow_http)


async def token_endpoint(client: WalletClient, metadata: IssuerMetadata,
                         grant: PreAuthorizedCodeGrant) -> str:
    """The token endpoint: from the issuer metadata (pidm), else RFC 8414 metadata of the
    grant's (or the only) authorization server."""
    if metadata.token_endpoint is not None:
        return metadata.token_endpoint
    server = grant.authorization_server or (
        metadata.authorization_servers[0] if metadata.authorization_servers
        else metadata.credential_issuer
    )
    data = _answer(await client.get(oauth_metadata_url(server)), "the authorization server")
    return AuthorizationServerMetadata.parse(
        data, expected_issuer=server, allow_http=client.limits.allow_http
    ).token_endpoint


async def fetch_token(client: WalletClient, metadata: IssuerMetadata, offer: CredentialOffer,
                      tx_code: str | None) -> str:
    """Redeem the pre-authorized code (and transaction code); return the access token."""
    grant = offer.pre_authorized_code
    if grant is None:
        raise InvalidCredentialOffer("the offer has no pre-authorized code; only that flow "
                                     "is supported")
    url = await token_endpoint(client, metadata, grant)
    form = TokenRequest(grant.pre_authorized_code, tx_code).to_form()
    answer = _answer(await client.post_form(url, form), "the token endpoint")
    return TokenResponse.parse(answer).access_token


async def fetch_nonce(client: WalletClient, metadata: IssuerMetadata) -> str | None:
    """A fresh ``c_nonce`` from the nonce endpoint (None when the issuer has none)."""
    if metadata.nonce_endpoint is None:
        return None
    answer = _answer(await client.post_form(metadata.nonce_endpoint, {}), "the nonce endpoint")
    return NonceResponse.parse(answer).c_nonce


async def request_credentials(client: WalletClient, metadata: IssuerMetadata, token: str,
                              configuration_id: str, proofs: Sequence[str]) -> list[Any]:
    """POST the credential request with one proof per copy; return the credentials."""
    body = CredentialRequest(configuration_id, proofs=tuple(proofs)).to_json()
    response = await client.post_json(metadata.credential_endpoint, body,
                                      headers={"Authorization": f"Bearer {token}"})
    answer = CredentialResponse.parse(_answer(response, "the credential endpoint"))
    if answer.transaction_id is not None:
        raise InvalidIssuerResponse("deferred issuance is not supported by this wallet")
    if len(answer.credentials) != len(proofs):
        raise InvalidIssuerResponse(
            f"asked for {len(proofs)} credentials, got {len(answer.credentials)}"
        )
    return list(answer.credentials)


# --- checking what came back -----------------------------------------------------------------
def raise_failed(result: VerificationResult, what: str) -> None:
    """Raise the coded error of the first failed check (nothing if the result is valid)."""
    for check in result.errors:
        cls = _CODES.get(check.code or "", CredentialError)
        raise cls(f"{what}: {check.name} check failed: {check.message}")


@dataclass(frozen=True, slots=True)
class Received:
    """A verified credential and what the wallet indexes about it."""

    credential: str | dict[str, Any]
    issuer: str
    claims: dict[str, Any]
    vct: str | None
    types: tuple[str, ...]
    valid_until: datetime | None


async def verify_received(raw: Any, fmt: str, holder: KeyPair, *, resolver: DIDResolver,
                          now: datetime, loader: Any = None) -> Received:
    """Verify an issued credential and its binding to ``holder``; raise the failing code."""
    if fmt == SD_JWT_VC:
        return await _verify_sd_jwt(raw, holder, resolver=resolver, now=now)
    return await _verify_ldp(raw, holder, resolver=resolver, now=now, loader=loader)


async def _verify_sd_jwt(raw: Any, holder: KeyPair, *, resolver: DIDResolver,
                         now: datetime) -> Received:
    from pidm.sdjwt import verify_sd_jwt_vc
    from pidm.sdjwt.verifier import holder_key

    if not isinstance(raw, str):
        raise InvalidIssuerResponse("a dc+sd-jwt credential must be a string")
    result = await verify_sd_jwt_vc(raw, resolver=resolver, now=now, require_key_binding=False)
    raise_failed(result, "the issued SD-JWT VC")
    payload = result.claims
    if holder_key(payload) != holder.public:
        raise KeyMaterialError("the issued credential is not bound to the key we proved")
    exp = payload.get("exp")
    until = datetime.fromtimestamp(exp, UTC) if isinstance(exp, int | float) else None
    return Received(raw, str(payload["iss"]), payload, str(payload["vct"]), (), until)


async def _verify_ldp(raw: Any, holder: KeyPair, *, resolver: DIDResolver, now: datetime,
                      loader: Any) -> Received:
    from pidm.vc import verify_credential  # type: ignore[import-not-found, unused-ignore]

    if not isinstance(raw, Mapping):
        raise InvalidIssuerResponse("an ldp_vc credential must be a JSON object")
    doc = copy.deepcopy(dict(raw))
    result = await verify_credential(doc, resolver=resolver, now=now, loader=loader)
    raise_failed(result, "the issued credential")
    subject = doc.get("credentialSubject")
    holder_did = holder.key_id.split("#", 1)[0]
    if not isinstance(subject, Mapping) or subject.get("id") != holder_did:
        raise KeyMaterialError("the issued credential is not about the holder DID we proved")
    issuer = doc.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    types = doc.get("type")
    until = doc.get("validUntil")
    claims = {k: v for k, v in doc.items() if k != "proof"}
    return Received(
        doc, str(issuer_id), claims, None,
        tuple(types) if isinstance(types, list) else (str(types),),
        _iso_time(until),
    )


def _iso_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)
