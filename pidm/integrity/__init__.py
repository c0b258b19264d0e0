"""VC Data Integrity 1.0 proofs with the EdDSA (eddsa-rdfc-2022, eddsa-jcs-2022) and ECDSA
(ecdsa-rdfc-2019, ecdsa-jcs-2019; P-256 and P-384) cryptosuites."""

from __future__ import annotations

from pidm.integrity.canon import Limits, canonicalize_jcs, canonicalize_rdfc
from pidm.integrity.model import Proof
from pidm.integrity.proof import add_proof, get_suite, verify_document, verify_proof
from pidm.integrity.suite import Cryptosuite

__all__ = [
    "Cryptosuite",
    "Limits",
    "Proof",
    "add_proof",
    "canonicalize_jcs",
    "canonicalize_rdfc",
    "get_suite",
    "verify_document",
    "verify_proof",
]
