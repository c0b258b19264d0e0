"""Signed OpenID4VP request objects (RFC 9101 JAR; OpenID4VP 1.0 §5 and §5.9.3).

The verifier signs the request with a key of the DID in its ``decentralized_identifier:``
client_id, naming it by ``kid`` (a DID URL of that DID); ``typ`` is ``oauth-authz-req+jwt``.
The wallet checks ``typ`` and that ``kid`` belongs to the client's DID before it resolves
anything, then verifies the signature with the key from the DID document (any verification
method of the DID, as §5.9.3 says, controlled by that DID), the time claims, and the request.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from pidm.did.model import DIDURL, DIDDocument
from pidm.did.resolver import DIDResolver
from pidm.errors import (
    ClientKeyMismatch,
    InvalidDID,
    InvalidRequestObject,
    VerificationMethodNotFound,
    shorten,
)
from pidm.jose import JWT, decode_jwt, sign_jwt, verify_decoded
from pidm.keys import Signer
from pidm.oid4vc.vp import DID_PREFIX, AuthorizationRequest, ClientId

REQUEST_OBJECT_TYP = "oauth-authz-req+jwt"
#: ``aud`` for a wallet found by static discovery (OpenID4VP 1.0 §5.8).
SELF_ISSUED_AUD = "https://self-issued.me/v2"
MAX_REQUEST_OBJECT = 256 * 1024
DEFAULT_LIFETIME = timedelta(minutes=10)
DEFAULT_SKEW = timedelta(seconds=60)


def _key_id(kid: Any, client: ClientId) -> str:
    """The verification method id ``kid`` names, which must be a key of the client's DID."""
    if not isinstance(kid, str) or not kid:
        raise InvalidRequestObject("request object header has no 'kid'")
    did = client.did
    vm_id = did + kid if kid.startswith("#") else kid
    try:
        url = DIDURL.parse(vm_id)
    except InvalidDID as exc:
        raise ClientKeyMismatch(f"kid {shorten(kid)} is not a DID URL of {shorten(did)}") from exc
    if str(url.did) != did:
        raise ClientKeyMismatch(f"kid {shorten(kid)} is not a key of client DID {shorten(did)}")
    if not url.fragment or url.path or url.query:
        raise ClientKeyMismatch(f"kid {shorten(kid)} must be the DID plus a fragment")
    return vm_id


def sign_request_object(
    request: AuthorizationRequest,
    signer: Signer,
    *,
    now: datetime,
    lifetime: timedelta = DEFAULT_LIFETIME,
    audience: str = SELF_ISSUED_AUD,
) -> str:
    """Sign ``request`` as a request object JWT with ``signer`` (whose ``key_id`` must be a DID
    URL of the request's client DID — CLIENT_KEY_MISMATCH otherwise); sets ``iat``/``exp``."""
    _key_id(signer.key_id, request.client_id)
    payload = request.to_json()
    payload.update(
        {"aud": audience, "iat": int(now.timestamp()), "exp": int((now + lifetime).timestamp())}
    )
    return sign_jwt({"typ": REQUEST_OBJECT_TYP, "kid": signer.key_id}, payload, signer)


def inspect_request_object(
    token: str, *, expected_client_id: str | None = None
) -> tuple[JWT, ClientId, str]:
    """Decode a request object without verifying it: (JWT, its client_id, the signing key id).

    Checks what needs no key: size, ``typ``, a ``decentralized_identifier`` client_id equal to
    ``expected_client_id`` (the one from the invocation URI) and a ``kid`` of that DID. Raises
    PARSING_ERROR / PAYLOAD_TOO_LARGE, INVALID_REQUEST_OBJECT, INVALID_CLIENT_ID,
    CLIENT_KEY_MISMATCH.
    """
    jwt = decode_jwt(token, max_bytes=MAX_REQUEST_OBJECT)
    if jwt.header.get("typ") != REQUEST_OBJECT_TYP:
        raise InvalidRequestObject(
            f"request object typ must be {REQUEST_OBJECT_TYP}, got {shorten(jwt.header.get('typ'))}"
        )
    raw_client = jwt.payload.get("client_id")
    if expected_client_id is not None and raw_client != expected_client_id:
        raise InvalidRequestObject(
            f"request object client_id {shorten(raw_client)} differs from the request's "
            f"{shorten(expected_client_id)}"
        )
    client = ClientId.parse(raw_client, allowed=frozenset({DID_PREFIX}))
    return jwt, client, _key_id(jwt.header.get("kid"), client)


def _check_times(payload: Mapping[str, Any], now: datetime, skew: timedelta) -> None:
    stamp = now.timestamp()
    for name in ("exp", "iat", "nbf"):
        value = payload.get(name)
        if value is None:
            continue
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise InvalidRequestObject(f"request object '{name}' must be a number")
    exp, iat, nbf = payload.get("exp"), payload.get("iat"), payload.get("nbf")
    if exp is not None and exp + skew.total_seconds() < stamp:
        raise InvalidRequestObject("request object has expired")
    for name, value in (("iat", iat), ("nbf", nbf)):
        if value is not None and value - skew.total_seconds() > stamp:
            raise InvalidRequestObject(f"request object '{name}' is in the future")


def verify_request_object(
    token: str,
    *,
    client_document: DIDDocument,
    now: datetime,
    expected_client_id: str | None = None,
    skew: timedelta = DEFAULT_SKEW,
    allow_http: bool = False,
) -> AuthorizationRequest:
    """Verify a request object against the client's resolved DID document; return the request.

    Raises, besides what :func:`inspect_request_object` raises: CLIENT_KEY_MISMATCH (document of
    another DID), VERIFICATION_METHOD_NOT_FOUND, UNSUPPORTED_ALGORITHM (``none``, HMAC, an alg
    not matching the key), PROOF_VERIFICATION_ERROR, INVALID_REQUEST_OBJECT (expired, not yet
    valid) and the request's own parse errors.
    """
    jwt, client, vm_id = inspect_request_object(token, expected_client_id=expected_client_id)
    if client_document.id != client.did:
        raise ClientKeyMismatch(
            f"DID document {shorten(client_document.id)} is not of client {shorten(client.did)}"
        )
    vm = client_document.method(vm_id)
    if vm.controller != client.did:
        raise VerificationMethodNotFound(f"{shorten(vm_id)} is not controlled by the client DID")
    verify_decoded(jwt, vm.public_key, typ=REQUEST_OBJECT_TYP)
    _check_times(jwt.payload, now, skew)
    return AuthorizationRequest.parse(jwt.payload, allow_http=allow_http)


async def verify_request_object_with_resolver(
    token: str,
    *,
    resolver: DIDResolver,
    now: datetime,
    expected_client_id: str | None = None,
    skew: timedelta = DEFAULT_SKEW,
    allow_http: bool = False,
) -> AuthorizationRequest:
    """Resolve the client's DID through ``resolver`` and verify the request
    object with it; see :func:`verify_request_object`."""
    _, client, _ = inspect_request_object(token, expected_client_id=expected_client_id)
    document = await resolver.resolve(client.did)
    return verify_request_object(
        token,
        client_document=document,
        now=now,
        expected_client_id=expected_client_id,
        skew=skew,
        allow_http=allow_http,
    )
