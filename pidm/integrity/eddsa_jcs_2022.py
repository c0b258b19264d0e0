"""The ``eddsa-jcs-2022`` cryptosuite (VC Data Integrity EdDSA Cryptosuites 1.0 §3.3): JSON
Canonicalization Scheme (RFC 8785) of the document and of the proof configuration, SHA-256,
Ed25519.

The proof carries the document's ``@context`` (§3.3.1 step 2, the 2025 "injection-safe" form the
W3C vectors use); a verifier then requires the document's ``@context`` to start with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pidm.integrity.canon import canonicalize_jcs
from pidm.integrity.proof_config import jcs_config, jcs_proof_options, jcs_verify_inputs
from pidm.integrity.suite import EdDSASuite, Json
from pidm.jsonld.loader import DocumentLoader

__all__ = ["EDDSA_JCS_2022", "EdDSAJcs2022"]


class EdDSAJcs2022(EdDSASuite):
    """``eddsa-jcs-2022``."""

    name = "eddsa-jcs-2022"

    def proof_options(self, options: Mapping[str, Any], document: Mapping[str, Any]) -> Json:
        """§3.3.1 Create Proof steps 1–2: clone the options, copy the document's ``@context``."""
        return jcs_proof_options(options, document)

    def verify_inputs(self, document: Mapping[str, Any], proof_options: Mapping[str, Any],
                      ) -> tuple[Json, Json]:
        """§3.3.2 Verify Proof steps 1–4: a proof ``@context`` must prefix the document's, and
        replaces it in the document that was signed."""
        return jcs_verify_inputs(document, proof_options)

    def transform(self, document: Mapping[str, Any], *, loader: DocumentLoader | None) -> bytes:
        """§3.3.3 Transformation: RFC 8785 of the unsecured document."""
        return canonicalize_jcs(document)

    def configure(self, config: Mapping[str, Any], document: Mapping[str, Any], *,
                  loader: DocumentLoader | None) -> bytes:
        """§3.3.5 Proof Configuration: RFC 8785 of the proof options."""
        self.check_config(config)
        return canonicalize_jcs(jcs_config(config))


EDDSA_JCS_2022 = EdDSAJcs2022()
