"""The ``ecdsa-jcs-2019`` cryptosuite (VC Data Integrity ECDSA Cryptosuites 1.0 §3.3): JSON
Canonicalization Scheme (RFC 8785) of the document and of the proof configuration, hashed with
SHA-256 (P-256) or SHA-384 (P-384), ECDSA raw r||s.

As with ``eddsa-jcs-2022``, the proof carries the document's ``@context`` ("Create Proof" step 2)
and a verifier requires the document's ``@context`` to start with it ("Verify Proof" step 4).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pidm.integrity.canon import canonicalize_jcs
from pidm.integrity.ecdsa import EcdsaSuite
from pidm.integrity.proof_config import jcs_config, jcs_proof_options, jcs_verify_inputs
from pidm.integrity.suite import Json
from pidm.jsonld.loader import DocumentLoader

__all__ = ["ECDSA_JCS_2019", "EcdsaJcs2019"]


class EcdsaJcs2019(EcdsaSuite):
    """``ecdsa-jcs-2019``."""

    name = "ecdsa-jcs-2019"

    def proof_options(self, options: Mapping[str, Any], document: Mapping[str, Any]) -> Json:
        """§3.3.1 Create Proof steps 1–2: clone the options, copy the document's ``@context``."""
        return jcs_proof_options(options, document)

    def verify_inputs(self, document: Mapping[str, Any], proof_options: Mapping[str, Any],
                      ) -> tuple[Json, Json]:
        """§3.3.2 Verify Proof steps 1–5: a proof ``@context`` must prefix the document's, and
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


ECDSA_JCS_2019 = EcdsaJcs2019()
