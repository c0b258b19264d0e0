"""pidm issuer service: OpenID4VCI issuance, status-list publishing, revocation."""
