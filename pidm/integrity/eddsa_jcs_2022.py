"""The ``eddsa-jcs-2022`` cryptosuite (VC Data Integrity EdDSA Cryptosuites 1.0 §3.3): JSON
Canonicalization Scheme (RFC 8785) of the document and of the proof configuration, SHA-256,
Ed25519.

The proof carries the document's ``@context`` (§3.3.1 step 2, the 2025 "injection-safe" form the
W3C vectors use); a verifier then requires the document's ``@context`` to start with it.
"""

from __future__ import annotations

from pidm.integrity.steps import JcsSteps
from pidm.integrity.suite import EdDSASuite

__all__ = ["EDDSA_JCS_2022", "EdDSAJcs2022"]


class EdDSAJcs2022(EdDSASuite, JcsSteps):
    """``eddsa-jcs-2022``."""

    name = "eddsa-jcs-2022"


EDDSA_JCS_2022 = EdDSAJcs2022()
