"""OpenID4VCI 1.0, OpenID4VP 1.0 and DCQL message models (sans-IO).

Every message is a frozen value with ``parse()`` (raising coded :class:`pidm.errors.OAuthError`
subclasses, whose ``to_oauth()`` is the OAuth error object the specs prescribe) and a
serializer. Nothing here opens a socket: fetching, storing nonces and issuing tokens belong to the
services.
"""

from __future__ import annotations

from pidm.oid4vc.consent import ConsentTerms, Offer, parse_duration
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
from pidm.oid4vc.request_object import (
    REQUEST_OBJECT_TYP,
    inspect_request_object,
    sign_request_object,
    verify_request_object,
    verify_request_object_with_resolver,
)
from pidm.oid4vc.vci import (
    PRE_AUTHORIZED_GRANT,
    PROOF_TYP,
    AuthorizationCodeGrant,
    AuthorizationServerMetadata,
    CredentialConfiguration,
    CredentialOffer,
    CredentialRequest,
    CredentialResponse,
    IssuerMetadata,
    NonceResponse,
    PreAuthorizedCodeGrant,
    ProofTypeMetadata,
    TokenRequest,
    TokenResponse,
    TxCode,
    build_proof_jwt,
    metadata_url,
    oauth_metadata_url,
    offer_reference_uri,
    parse_offer_uri,
    verify_proof_jwt,
)
from pidm.oid4vc.vp import AuthorizationRequest, ClientId, ClientMetadata, RequestUri
from pidm.oid4vc.vp_response import (
    AuthorizationErrorResponse,
    AuthorizationResponse,
    DirectPostAnswer,
    parse_authorization_response,
    parse_vp_token,
)

__all__ = [
    "AuthorizationCodeGrant",
    "AuthorizationErrorResponse",
    "AuthorizationRequest",
    "AuthorizationResponse",
    "AuthorizationServerMetadata",
    "CandidateCredential",
    "ClaimPath",
    "ClaimSelection",
    "ClaimsQuery",
    "ClientId",
    "ClientMetadata",
    "ConcretePath",
    "ConsentTerms",
    "CredentialConfiguration",
    "CredentialMatch",
    "CredentialOffer",
    "CredentialQuery",
    "CredentialRequest",
    "CredentialResponse",
    "CredentialSetQuery",
    "DcqlCredential",
    "DcqlMatch",
    "DcqlQuery",
    "DirectPostAnswer",
    "IssuerMetadata",
    "NonceResponse",
    "Offer",
    "PRE_AUTHORIZED_GRANT",
    "PROOF_TYP",
    "PreAuthorizedCodeGrant",
    "ProofTypeMetadata",
    "REQUEST_OBJECT_TYP",
    "RequestUri",
    "TokenRequest",
    "TokenResponse",
    "TrustedAuthority",
    "TxCode",
    "build_proof_jwt",
    "check_presented",
    "inspect_request_object",
    "match_query",
    "metadata_url",
    "oauth_metadata_url",
    "offer_reference_uri",
    "parse_authorization_response",
    "parse_duration",
    "parse_offer_uri",
    "parse_vp_token",
    "select_claims",
    "sign_request_object",
    "verify_proof_jwt",
    "verify_request_object",
    "verify_request_object_with_resolver",
]
