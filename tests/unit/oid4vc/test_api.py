"""The curated public API of pidm.oid4vc is pinned (httpx's __all__ test)."""

from __future__ import annotations

import pidm.oid4vc as oid4vc

EXPECTED = {
    # DCQL
    "ClaimPath", "ClaimsQuery", "CredentialQuery", "CredentialSetQuery", "DcqlQuery",
    "TrustedAuthority", "CandidateCredential", "ClaimSelection", "ConcretePath",
    "CredentialMatch", "DcqlCredential", "DcqlMatch", "check_presented", "match_query",
    "select_claims",
    # OpenID4VP
    "AuthorizationRequest", "ClientId", "ClientMetadata", "RequestUri", "ConsentTerms", "Offer",
    "parse_duration", "REQUEST_OBJECT_TYP", "inspect_request_object", "sign_request_object",
    "verify_request_object", "verify_request_object_with_resolver",
    "AuthorizationErrorResponse", "AuthorizationResponse", "DirectPostAnswer",
    "parse_authorization_response", "parse_vp_token",
    # OpenID4VCI
    "PRE_AUTHORIZED_GRANT", "PROOF_TYP", "AuthorizationCodeGrant", "AuthorizationServerMetadata",
    "CredentialConfiguration", "CredentialOffer", "CredentialRequest", "CredentialResponse",
    "IssuerMetadata", "NonceResponse", "PreAuthorizedCodeGrant", "ProofTypeMetadata",
    "TokenRequest", "TokenResponse", "TxCode", "build_proof_jwt", "metadata_url",
    "oauth_metadata_url", "offer_reference_uri", "parse_offer_uri", "verify_proof_jwt",
}  # fmt: skip


def test_public_api_is_pinned() -> None:
    assert set(oid4vc.__all__) == EXPECTED
    assert len(oid4vc.__all__) == len(EXPECTED)
    for name in oid4vc.__all__:
        assert getattr(oid4vc, name) is not None
