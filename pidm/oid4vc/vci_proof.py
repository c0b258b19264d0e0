"""OpenID4VCI 1.0 ``jwt`` key proofs (Appendix F.1, checks of F.4): the wallet proves it holds
the key a credential will be bound to.

The proof is a JWT with ``typ`` ``openid4vci-proof+jwt``, the holder key in the header as ``jwk``
or named by ``kid`` (a did:key or did:jwk DID URL, resolved here without I/O), and ``aud`` (the
credential issuer identifier), ``iat`` and the issuer's ``c_nonce`` in ``nonce``. Every failure is
INVALID_PROOF (``invalid_proof``) with the underlying code in ``detail``; a nonce that differs
from the expected one is INVALID_NONCE (``invalid_nonce``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime, timedelta
from typing import Any

from pidm.did.jwk import did_jwk_document
from pidm.did.key import did_key_document
from pidm.did.model import DIDURL, DIDDocument
from pidm.errors import InvalidNonce, InvalidProof, PidmError, shorten
from pidm.jose import JWT, decode_jwt, sign_jwt, verify_decoded
from pidm.keys import PublicKey, Signer

PROOF_TYP = "openid4vci-proof+jwt"
MAX_PROOF_BYTES = 16_384
DEFAULT_MAX_AGE = timedelta(minutes=5)
DEFAULT_SKEW = timedelta(seconds=60)
_PRIVATE_JWK_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "k", "oth"})
_RESOLVERS = {"key": did_key_document, "jwk": did_jwk_document}


def build_proof_jwt(
    signer: Signer,
    *,
    audience: str,
    iat: datetime,
    nonce: str | None = None,
    public_key: PublicKey | None = None,
    client_id: str | None = None,
) -> str:
    """Sign a key proof for ``audience`` (the credential issuer identifier).

    With ``public_key`` the header carries it as ``jwk``; otherwise ``kid`` is ``signer.key_id``,
    which must then be a DID URL (did:key / did:jwk). ``client_id`` goes into ``iss``; leave it
    out after anonymous pre-authorized access, as the spec requires.
    """
    header: dict[str, Any] = {"typ": PROOF_TYP}
    if public_key is not None:
        header["jwk"] = public_key.to_jwk()
    elif signer.key_id.startswith("did:"):
        header["kid"] = signer.key_id
    else:
        raise TypeError("a key proof needs public_key= or a signer whose key_id is a DID URL")
    payload: dict[str, Any] = {"aud": audience, "iat": int(iat.timestamp())}
    if nonce is not None:
        payload["nonce"] = nonce
    if client_id is not None:
        payload["iss"] = client_id
    return sign_jwt(header, payload, signer)


def _kid_key(kid: str) -> PublicKey:
    url = DIDURL.parse(kid)
    make = _RESOLVERS.get(url.did.method)
    if make is None:
        raise InvalidProof(f"kid DID method '{shorten(url.did.method, 20)}' is not supported")
    document: DIDDocument = make(str(url.did))
    if url.fragment:
        return document.method(kid).public_key
    if len(document.verification_methods) != 1:
        raise InvalidProof(f"kid {shorten(kid)} names no single key")
    return document.verification_methods[0].public_key


def _holder_key(header: Mapping[str, Any]) -> PublicKey:
    present = [name for name in ("jwk", "kid", "x5c") if name in header]
    if len(present) != 1:
        raise InvalidProof(f"a key proof needs exactly one of jwk, kid, x5c; got {present}")
    if present == ["x5c"]:
        raise InvalidProof("x5c key proofs are not supported")
    if present == ["jwk"]:
        jwk = header["jwk"]
        if not isinstance(jwk, Mapping):
            raise InvalidProof("the 'jwk' header must be an object")
        if _PRIVATE_JWK_MEMBERS & set(jwk):
            raise InvalidProof("the 'jwk' header carries private key material")
        return PublicKey.from_jwk(jwk)
    kid = header["kid"]
    if not isinstance(kid, str):
        raise InvalidProof("the 'kid' header must be a string")
    return _kid_key(kid)


def _check_claims(
    jwt: JWT, audience: str, now: datetime, max_age: timedelta, skew: timedelta
) -> str | None:
    payload = jwt.payload
    if payload.get("aud") != audience:
        raise InvalidProof(f"key proof aud {shorten(payload.get('aud'))} is not {audience!r:.80}")
    iat = payload.get("iat")
    if not isinstance(iat, int | float) or isinstance(iat, bool):
        raise InvalidProof("key proof 'iat' must be a number")
    stamp = now.timestamp()
    if iat > stamp + skew.total_seconds():
        raise InvalidProof("key proof 'iat' is in the future")
    if iat < stamp - max_age.total_seconds() - skew.total_seconds():
        raise InvalidProof("key proof is too old")
    nonce = payload.get("nonce")
    if nonce is not None and (not isinstance(nonce, str) or not nonce):
        raise InvalidProof("key proof 'nonce' must be a non-empty string")
    if "iss" in payload and not isinstance(payload["iss"], str):
        raise InvalidProof("key proof 'iss' must be a string")
    return nonce


def verify_proof_jwt(
    token: str,
    *,
    audience: str,
    now: datetime,
    expected_nonce: str | None = None,
    require_nonce: bool = True,
    max_age: timedelta = DEFAULT_MAX_AGE,
    skew: timedelta = DEFAULT_SKEW,
    allowed_algs: Collection[str] | None = None,
) -> tuple[PublicKey, str | None]:
    """Verify a key proof; return (holder public key, ``nonce`` claim).

    ``allowed_algs`` is the metadata's ``proof_signing_alg_values_supported``. The caller
    consumes the returned nonce in its store (one use) unless it passes ``expected_nonce``.
    Raises INVALID_PROOF for anything wrong (typ, key header, alg, signature, aud, iat, missing
    nonce when ``require_nonce``) and INVALID_NONCE for a nonce other than ``expected_nonce``.
    """
    try:
        jwt = decode_jwt(token, max_bytes=MAX_PROOF_BYTES)
        key = _holder_key(jwt.header)
        if allowed_algs is not None and jwt.alg not in allowed_algs:
            raise InvalidProof(f"key proof alg {shorten(jwt.alg)} is not accepted")
        verify_decoded(jwt, key, typ=PROOF_TYP)
        if jwt.header.get("typ") != PROOF_TYP:
            raise InvalidProof(f"key proof typ must be {PROOF_TYP}")
        nonce = _check_claims(jwt, audience, now, max_age, skew)
    except InvalidProof:
        raise
    except PidmError as exc:
        raise InvalidProof(f"invalid key proof: {exc.message}", detail=exc.code) from exc
    if nonce is None and (require_nonce or expected_nonce is not None):
        raise InvalidProof("key proof has no 'nonce' (c_nonce)")
    if expected_nonce is not None and nonce != expected_nonce:
        raise InvalidNonce("key proof nonce is not the issued c_nonce")
    return key, nonce
