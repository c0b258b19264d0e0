"""The ``eddsa-jcs-2022`` cryptosuite (VC Data Integrity EdDSA Cryptosuites 1.0 §3.3): JSON
Canonicalization Scheme (RFC 8785) of the document and of the proof configuration, SHA-256,
Ed25519.

The proof carries the document's ``@context`` (§3.3.1 step 2, the 2025 "injection-safe" form the
W3C vectors use); a verifier then requires the document's ``@context`` to start with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pidm.errors import ProofVerificationError
from pidm.integrity.canon import canonicalize_jcs
from pidm.integrity.suite import EdDSASuite, Json
from pidm.jsonld.loader import DocumentLoader

__all__ = ["EDDSA_JCS_2022", "EdDSAJcs2022"]


def _as_list(context: Any) -> list[Any]:
    return list(context) if isinstance(context, list) else [context]


class EdDSAJcs2022(EdDSASuite):
    """``eddsa-jcs-2022``."""

    name = "eddsa-jcs-2022"

    def proof_options(self, options: Mapping[str, Any], document: Mapping[str, Any]) -> Json:
        """§3.3.1 Create Proof steps 1–2: clone the options, copy the document's ``@context``."""
        proof = dict(options)
        if "@context" in document:
            proof["@context"] = document["@context"]
        return proof

    def verify_inputs(self, document: Mapping[str, Any], proof_options: Mapping[str, Any],
                      ) -> tuple[Json, Json]:
        """§3.3.2 Verify Proof steps 1–4: a proof ``@context`` must prefix the document's, and
        replaces it in the document that was signed."""
        unsecured = dict(document)
        config = dict(proof_options)
        if "@context" in config:
            expected = _as_list(config["@context"])
            actual = _as_list(unsecured.get("@context", []))
            if actual[: len(expected)] != expected:
                raise ProofVerificationError(
                    "the document's '@context' does not start with the proof's '@context'")
            unsecured["@context"] = config["@context"]
        return unsecured, config

    def transform(self, document: Mapping[str, Any], *, loader: DocumentLoader | None) -> bytes:
        """§3.3.3 Transformation: RFC 8785 of the unsecured document."""
        return canonicalize_jcs(document)

    def configure(self, config: Mapping[str, Any], document: Mapping[str, Any], *,
                  loader: DocumentLoader | None) -> bytes:
        """§3.3.5 Proof Configuration: RFC 8785 of the proof options."""
        self.check_config(config)
        proof_config = dict(config)
        proof_config.pop("proofValue", None)
        return canonicalize_jcs(proof_config)


EDDSA_JCS_2022 = EdDSAJcs2022()
