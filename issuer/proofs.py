"""Key proofs of the credential request: the ``jwt`` proof type (OpenID4VCI 1.0 Appendix F.1)
and its checks (Appendix F.4).

A proof is a JWT with ``typ`` ``openid4vci-proof+jwt``, signed with the holder key named by
exactly one of ``jwk`` (a public JWK) or ``kid`` (a did:key / did:jwk DID URL — no network is
ever used for it); claims ``aud`` = the credential issuer identifier, ``iat`` recent, and
``nonce`` = a ``c_nonce`` from the nonce endpoint (checked for single use by the caller).
Every failure is ``invalid_proof`` (``INVALID_PROOF``) naming the proof and the reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pidm.did.key import did_key
from pidm.did.resolver import DIDResolver, resolve_method
from pidm.errors import InvalidProof, PidmError, shorten
from pidm.jose import JWT, decode_jwt, verify_decoded
from pidm.keys import PublicKey

PROOF_TYP = "openid4vci-proof+jwt"
#: Tolerated clock skew for an ``iat`` in the future.
FUTURE_SKEW = timedelta(seconds=60)
#: A key proof is small; anything bigger is refused before decoding.
MAX_PROOF_BYTES = 16 * 1024


@dataclass(frozen=True, slots=True)
class HolderKey:
    """A key the holder proved possession of; ``did_url`` when it was named by ``kid``."""

    public: PublicKey
    nonce: str
    did_url: str | None = None

    @property
    def thumbprint(self) -> str:
        return self.public.thumbprint()

    @property
    def subject_did(self) -> str:
        """The DID a W3C credential is bound to: the ``kid``'s DID, else the key's did:key."""
        if self.did_url is not None:
            return self.did_url.split("#", 1)[0]
        return did_key(self.public)


async def verify_key_proof(
    token: Any,
    *,
    audience: str,
    now: datetime,
    max_age: timedelta,
    resolver: DIDResolver,
    position: int = 0,
) -> HolderKey:
    """Check one ``jwt`` key proof and return the holder key it proves. Raises INVALID_PROOF."""
    where = f"proof {position}"
    if not isinstance(token, str) or len(token) > MAX_PROOF_BYTES:
        raise InvalidProof(f"{where} must be a compact JWT of at most {MAX_PROOF_BYTES} bytes")
    try:
        jwt = decode_jwt(token)
        public, did_url = await _proof_key(jwt, resolver)
        verify_decoded(jwt, public, typ=PROOF_TYP)
    except InvalidProof as exc:
        raise InvalidProof(f"{where}: {exc}") from exc
    except PidmError as exc:
        raise InvalidProof(f"{where}: {exc.code}: {exc}") from exc
    nonce = _claims(jwt.payload, audience, now, max_age, where)
    return HolderKey(public, nonce, did_url)


async def _proof_key(jwt: JWT, resolver: DIDResolver) -> tuple[PublicKey, str | None]:
    header = jwt.header
    named = [k for k in ("jwk", "kid", "x5c") if k in header]
    if len(named) != 1:
        raise InvalidProof("the header must carry exactly one of 'jwk', 'kid' or 'x5c'")
    if named[0] == "x5c":
        raise InvalidProof("'x5c' key proofs are not supported; use 'jwk' or a did:key 'kid'")
    if named[0] == "jwk":
        jwk = header["jwk"]
        if not isinstance(jwk, Mapping):
            raise InvalidProof("'jwk' must be a JSON object")
        if "d" in jwk:
            raise InvalidProof("'jwk' contains a private key")
        return PublicKey.from_jwk(jwk), None
    kid = header["kid"]
    if not isinstance(kid, str) or not kid.startswith(("did:key:", "did:jwk:")):
        raise InvalidProof(f"'kid' must be a did:key or did:jwk DID URL, got {shorten(kid)}")
    method = await resolve_method(resolver, kid, "authentication")
    return method.public_key, method.id


def _claims(
    payload: Mapping[str, Any], audience: str, now: datetime, max_age: timedelta, where: str
) -> str:
    aud = payload.get("aud")
    if not (aud == audience or (isinstance(aud, list) and audience in aud)):
        raise InvalidProof(f"{where}: 'aud' {shorten(aud)} is not the credential issuer")
    iat = payload.get("iat")
    if isinstance(iat, bool) or not isinstance(iat, int | float):
        raise InvalidProof(f"{where}: 'iat' must be a NumericDate")
    stamp = now.timestamp()
    if iat > stamp + FUTURE_SKEW.total_seconds() or iat < stamp - max_age.total_seconds():
        raise InvalidProof(f"{where}: 'iat' {iat} is outside the accepted window")
    nonce = payload.get("nonce")
    if not isinstance(nonce, str) or not nonce:
        raise InvalidProof(f"{where}: 'nonce' (a c_nonce from the nonce endpoint) is required")
    return nonce
