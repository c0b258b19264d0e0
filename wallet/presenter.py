"""Building presentations for OpenID4VP 1.0 (Appendix B.3 SD-JWT VC, B.1 W3C VCs). Pure.

* ``dc+sd-jwt``: the issuer-signed JWT with only the disclosures of the approved claims, and a
  key-binding JWT (RFC 9901 §4.3) signed by the copy's holder key with ``aud`` = the verifier's
  ``client_id`` and ``nonce`` = the request nonce (OpenID4VP §B.3.6).
* ``ldp_vc``: a W3C Verifiable Presentation holding the credentials, secured with a Data
  Integrity proof by the holder key (the credentials' ``credentialSubject.id``), purpose
  ``authentication``, ``challenge`` = the nonce and ``domain`` = the ``client_id`` (§B.1.3.2).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from pidm.errors import MalformedValueError, shorten
from pidm.keys import Signer
from pidm.oid4vc.dcql import ClaimPath
from pidm.sdjwt import present_sd_jwt

VCDM2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
VP_CRYPTOSUITE = "eddsa-rdfc-2022"
VP_PROOF_PURPOSE = "authentication"


def present_sd_jwt_vc(
    credential: str,
    *,
    disclose: Iterable[ClaimPath],
    holder: Signer,
    audience: str,
    nonce: str,
    now: datetime,
) -> str:
    """An SD-JWT+KB revealing only ``disclose`` (DCQL claims paths; each claim whole).

    Raises MALFORMED_VALUE_ERROR for a path that names no claim, INVALID_KEY if ``holder`` is
    not the credential's ``cnf`` key.
    """
    return present_sd_jwt(
        credential,
        disclose=[list(path) for path in disclose],
        holder=holder,
        audience=audience,
        nonce=nonce,
        issued_at=now,
    )


def _subject_ids(credential: Mapping[str, Any]) -> set[str]:
    subject = credential.get("credentialSubject")
    subjects = subject if isinstance(subject, list) else [subject]
    return {s["id"] for s in subjects if isinstance(s, Mapping) and isinstance(s.get("id"), str)}


def build_presentation(
    credentials: Sequence[Mapping[str, Any]], *, holder_did: str
) -> dict[str, Any]:
    """The unsigned VCDM 2.0 presentation of ``credentials`` by ``holder_did``.

    Raises MALFORMED_VALUE_ERROR if a credential is not about ``holder_did``: a verifier binds
    the presentation's signer to each ``credentialSubject.id``.
    """
    if not credentials:
        raise MalformedValueError("a presentation needs at least one credential")
    for credential in credentials:
        if holder_did not in _subject_ids(credential):
            raise MalformedValueError(
                f"credential {shorten(credential.get('id'))} is not about {shorten(holder_did)}"
            )
    return {
        "@context": [VCDM2_CONTEXT],
        "type": ["VerifiablePresentation"],
        "holder": holder_did,
        "verifiableCredential": [dict(c) for c in credentials],
    }


def present_ldp_vp(
    credentials: Sequence[Mapping[str, Any]],
    *,
    holder: Signer,
    challenge: str,
    domain: str,
    now: datetime,
    cryptosuite: str = VP_CRYPTOSUITE,
    loader: Any = None,
) -> dict[str, Any]:
    """A Data Integrity–secured presentation by ``holder`` (whose ``key_id`` is a DID URL of
    the credentials' subject), bound to ``challenge`` and ``domain``."""
    from pidm.integrity.proof import add_proof  # type: ignore[import-not-found, unused-ignore]

    holder_did = holder.key_id.split("#", 1)[0]
    vp = build_presentation(credentials, holder_did=holder_did)
    signed: dict[str, Any] = add_proof(
        vp,
        signer=holder,
        cryptosuite=cryptosuite,
        proof_purpose=VP_PROOF_PURPOSE,
        created=now,
        challenge=challenge,
        domain=domain,
        loader=loader,
    )
    return signed
