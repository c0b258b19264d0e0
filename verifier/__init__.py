"""pidm verifier service: OpenID4VP requests with purpose and reward, verification, receipts."""
