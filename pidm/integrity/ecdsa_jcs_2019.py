"""The ``ecdsa-jcs-2019`` cryptosuite (VC Data Integrity ECDSA Cryptosuites 1.0 §3.3): JSON
Canonicalization Scheme (RFC 8785) of the document and of the proof configuration, hashed with
SHA-256 (P-256) or SHA-384 (P-384), ECDSA raw r||s.

As with ``eddsa-jcs-2022``, the proof carries the document's ``@context`` ("Create Proof" step 2)
and a verifier requires the document's ``@context`` to start with it ("Verify Proof" step 4).
"""

from __future__ import annotations

from pidm.integrity.ecdsa import EcdsaSuite
from pidm.integrity.steps import JcsSteps

__all__ = ["ECDSA_JCS_2019", "EcdsaJcs2019"]


class EcdsaJcs2019(EcdsaSuite, JcsSteps):
    """``ecdsa-jcs-2019``."""

    name = "ecdsa-jcs-2019"


ECDSA_JCS_2019 = EcdsaJcs2019()
