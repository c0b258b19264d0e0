"""Key proofs of the credential request: the ``jwt`` proof type (OpenID4VCI 1.0 Appendix F.1),
checked by :func:`pidm.oid4vc.vci.verify_proof_jwt` (Appendix F.4).

The holder key comes from the proof's ``jwk`` header or its ``kid`` (a did:key / did:jwk DID URL,
resolved without I/O); a W3C credential is bound to that ``kid``'s DID, or to the did:key of a
``jwk``. The ``nonce`` claim must be present; the service consumes it (single use).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pidm.did.key import did_key
from pidm.errors import InvalidProof
from pidm.jose import decode_jwt
from pidm.keys import PublicKey
from pidm.oid4vc.vci import verify_proof_jwt

#: JOSE algorithms accepted in key proofs (the pidm.jose allow-list).
PROOF_ALGS = ("EdDSA", "ES256")


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


def verify_key_proof(
    token: str, *, audience: str, now: datetime, max_age: timedelta, position: int = 0
) -> HolderKey:
    """Check one ``jwt`` key proof and return the holder key it proves. Raises INVALID_PROOF
    (naming the proof's position in the batch)."""
    try:
        public, nonce = verify_proof_jwt(
            token, audience=audience, now=now, require_nonce=True, max_age=max_age,
            allowed_algs=PROOF_ALGS,
        )
    except InvalidProof as exc:
        raise InvalidProof(f"proof {position}: {exc.message}", detail=exc.detail) from exc
    kid = decode_jwt(token).kid
    return HolderKey(public, nonce or "", kid if kid and kid.startswith("did:") else None)
