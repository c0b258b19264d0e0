"""OpenID4VCI 1.0, OpenID4VP 1.0 and DCQL message models (sans-IO).

Every message is a frozen value with ``parse()`` (raising coded :class:`pidm.errors.OAuthError`
subclasses, whose ``to_oauth()`` is the OAuth error object the specs prescribe) and a
serializer. Nothing here opens a socket: fetching, storing nonces and issuing tokens belong to the
services.
"""

from __future__ import annotations

from pidm.oid4vc.dcql import (
    ClaimPath,
    ClaimsQuery,
    CredentialQuery,
    CredentialSetQuery,
    DcqlQuery,
    TrustedAuthority,
)
from pidm.oid4vc.dcql_eval import (
    CandidateCredential,
    ClaimSelection,
    ConcretePath,
    CredentialMatch,
    DcqlCredential,
    DcqlMatch,
    check_presented,
    match_query,
    select_claims,
)

__all__ = [
    "CandidateCredential",
    "ClaimPath",
    "ClaimSelection",
    "ClaimsQuery",
    "ConcretePath",
    "CredentialMatch",
    "CredentialQuery",
    "CredentialSetQuery",
    "DcqlCredential",
    "DcqlMatch",
    "DcqlQuery",
    "TrustedAuthority",
    "check_presented",
    "match_query",
    "select_claims",
]
