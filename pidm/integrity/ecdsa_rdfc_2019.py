"""The ``ecdsa-rdfc-2019`` cryptosuite (VC Data Integrity ECDSA Cryptosuites 1.0 §3.2): RDFC-1.0
canonical N-Quads of the document and of the proof configuration, hashed with SHA-256 (P-256) or
SHA-384 (P-384, also as RDFC-1.0's internal hash), ECDSA raw r||s."""

from __future__ import annotations

from pidm.integrity.ecdsa import EcdsaSuite
from pidm.integrity.steps import RdfcSteps

__all__ = ["ECDSA_RDFC_2019", "EcdsaRdfc2019"]


class EcdsaRdfc2019(EcdsaSuite, RdfcSteps):
    """``ecdsa-rdfc-2019``."""

    name = "ecdsa-rdfc-2019"


ECDSA_RDFC_2019 = EcdsaRdfc2019()
