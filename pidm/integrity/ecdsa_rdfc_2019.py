"""The ``ecdsa-rdfc-2019`` cryptosuite (VC Data Integrity ECDSA Cryptosuites 1.0 §3.2): RDFC-1.0
canonical N-Quads of the document and of the proof configuration, hashed with SHA-256 (P-256) or
SHA-384 (P-384, also as RDFC-1.0's internal hash), ECDSA raw r||s."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pidm.integrity.canon import canonicalize_rdfc
from pidm.integrity.ecdsa import EcdsaSuite
from pidm.integrity.proof_config import rdfc_config
from pidm.integrity.suite import Json
from pidm.jsonld.loader import DocumentLoader

__all__ = ["ECDSA_RDFC_2019", "EcdsaRdfc2019"]


class EcdsaRdfc2019(EcdsaSuite):
    """``ecdsa-rdfc-2019``."""

    name = "ecdsa-rdfc-2019"

    def proof_options(self, options: Mapping[str, Any], document: Mapping[str, Any]) -> Json:
        """§3.2.1 Create Proof step 1: the proof is a clone of the options."""
        return dict(options)

    def verify_inputs(self, document: Mapping[str, Any], proof_options: Mapping[str, Any],
                      ) -> tuple[Json, Json]:
        """§3.2.2 Verify Proof steps 1–2."""
        return dict(document), dict(proof_options)

    def transform(self, document: Mapping[str, Any], *, loader: DocumentLoader | None) -> bytes:
        """§3.2.3 Transformation: RDFC-1.0 canonical N-Quads (the curve's hash), UTF-8."""
        return canonicalize_rdfc(document, loader=loader, limits=self.limits,
                                 hash_name=self.hash_name).encode("utf-8")

    def configure(self, config: Mapping[str, Any], document: Mapping[str, Any], *,
                  loader: DocumentLoader | None) -> bytes:
        """§3.2.5 Proof Configuration: the options with the document's ``@context``,
        canonicalized with RDFC-1.0."""
        self.check_config(config)
        return canonicalize_rdfc(rdfc_config(config, document), loader=loader,
                                 limits=self.limits, hash_name=self.hash_name).encode("utf-8")


ECDSA_RDFC_2019 = EcdsaRdfc2019()
