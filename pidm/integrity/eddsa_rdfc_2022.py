"""The ``eddsa-rdfc-2022`` cryptosuite (VC Data Integrity EdDSA Cryptosuites 1.0 §3.2): RDFC-1.0
canonical N-Quads of the document and of the proof configuration, SHA-256, Ed25519."""

from __future__ import annotations

from pidm.integrity.canon import DEFAULT_LIMITS, Limits
from pidm.integrity.steps import RdfcSteps
from pidm.integrity.suite import EdDSASuite

__all__ = ["EDDSA_RDFC_2022", "EdDSARdfc2022"]


class EdDSARdfc2022(EdDSASuite, RdfcSteps):
    """``eddsa-rdfc-2022``; ``limits`` bound the canonicalization work."""

    name = "eddsa-rdfc-2022"
    hash_name = "sha256"  # RDFC-1.0's own hash, as for every Ed25519 suite

    def __init__(self, limits: Limits = DEFAULT_LIMITS) -> None:
        self.limits = limits


EDDSA_RDFC_2022 = EdDSARdfc2022()
