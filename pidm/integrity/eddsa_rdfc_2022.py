"""The ``eddsa-rdfc-2022`` cryptosuite (VC Data Integrity EdDSA Cryptosuites 1.0 §3.2): RDFC-1.0
canonical N-Quads of the document and of the proof configuration, SHA-256, Ed25519."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pidm.integrity.canon import DEFAULT_LIMITS, Limits, canonicalize_rdfc
from pidm.integrity.proof_config import rdfc_config
from pidm.integrity.suite import EdDSASuite, Json
from pidm.jsonld.loader import DocumentLoader

__all__ = ["EDDSA_RDFC_2022", "EdDSARdfc2022"]


class EdDSARdfc2022(EdDSASuite):
    """``eddsa-rdfc-2022``; ``limits`` bound the canonicalization work."""

    name = "eddsa-rdfc-2022"

    def __init__(self, limits: Limits = DEFAULT_LIMITS) -> None:
        self.limits = limits

    def proof_options(self, options: Mapping[str, Any], document: Mapping[str, Any]) -> Json:
        """§3.2.1 Create Proof step 1: the proof is a clone of the options."""
        return dict(options)

    def verify_inputs(self, document: Mapping[str, Any], proof_options: Mapping[str, Any],
                      ) -> tuple[Json, Json]:
        """§3.2.2 Verify Proof steps 1–2."""
        return dict(document), dict(proof_options)

    def transform(self, document: Mapping[str, Any], *, loader: DocumentLoader | None) -> bytes:
        """§3.2.3 Transformation: RDFC-1.0 canonical N-Quads, UTF-8."""
        return canonicalize_rdfc(document, loader=loader, limits=self.limits).encode("utf-8")

    def configure(self, config: Mapping[str, Any], document: Mapping[str, Any], *,
                  loader: DocumentLoader | None) -> bytes:
        """§3.2.5 Proof Configuration: the options with the document's ``@context``,
        canonicalized with RDFC-1.0."""
        self.check_config(config)
        return canonicalize_rdfc(rdfc_config(config, document), loader=loader,
                                 limits=self.limits).encode("utf-8")


EDDSA_RDFC_2022 = EdDSARdfc2022()
