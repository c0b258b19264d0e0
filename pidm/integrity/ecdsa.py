"""What ``ecdsa-rdfc-2019`` and ``ecdsa-jcs-2019`` share (VC Data Integrity ECDSA Cryptosuites 1.0,
W3C REC 2025-05-15, §3.2 / §3.3): binding to a curve, hashing, proof serialization and proof
verification.

The curve picks the hash ("Hashing": SHA-256 for P-256, SHA-384 for P-384), also inside RDFC-1.0
("Transformation": "a hash algorithm that has an appropriate security level for the curve"; the
W3C P-384 employment vector canonicalizes only with SHA-384). A signature is ECDSA over the hash
data, raw r||s (IEEE P1363): 64 bytes for P-256, 96 for P-384.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any, Self

from pidm.errors import ProofGenerationError, UnsupportedAlgorithm, shorten
from pidm.integrity.canon import DEFAULT_LIMITS, Limits
from pidm.integrity.suite import check_config
from pidm.keys import PublicKey, Signer

__all__ = ["HASHES", "SIGNATURE_SIZES", "EcdsaSuite"]

#: Hash per key algorithm (``ES256`` = P-256, ``ES384`` = P-384).
HASHES = {"ES256": "sha256", "ES384": "sha384"}
#: Raw r||s signature size per key algorithm.
SIGNATURE_SIZES = {"ES256": 64, "ES384": 96}


class EcdsaSuite:
    """An ECDSA cryptosuite, unbound (``algorithm`` None: only :meth:`for_key` may be called)
    or bound to P-256 / P-384 keys. ``limits`` bound RDF canonicalization work."""

    name = ""
    key_algorithms: tuple[str, ...] = ("ES256", "ES384")

    def __init__(self, algorithm: str | None = None, limits: Limits = DEFAULT_LIMITS) -> None:
        self.algorithm = algorithm
        self.limits = limits

    def for_key(self, algorithm: str) -> Self:
        """This suite for a P-256 (``ES256``) or P-384 (``ES384``) key; UNSUPPORTED_ALGORITHM
        for any other key."""
        if algorithm not in HASHES:
            raise UnsupportedAlgorithm(
                f"{self.name} signs with P-256 or P-384 keys, not {shorten(algorithm)}")
        return type(self)(algorithm, self.limits)

    @property
    def hash_name(self) -> str:
        """The hash of the bound curve (``sha256`` / ``sha384``)."""
        if self.algorithm is None:
            raise TypeError(f"{self.name}: bind the suite to a key with for_key() first")
        return HASHES[self.algorithm]

    def check_config(self, config: Mapping[str, Any]) -> None:
        """Proof Configuration step 2: the type and cryptosuite must be this suite's."""
        check_config(self.name, config)

    def hash(self, transformed: bytes, configured: bytes) -> bytes:
        """"Hashing": H(canonical proof configuration) ‖ H(transformed document), H by curve."""
        name = self.hash_name
        return hashlib.new(name, configured).digest() + hashlib.new(name, transformed).digest()

    def sign(self, data: bytes, signer: Signer) -> bytes:
        """"Proof Serialization": ECDSA over the hash data, raw r||s."""
        if signer.algorithm != self.algorithm:
            raise UnsupportedAlgorithm(f"{self.name} bound to {self.algorithm} cannot sign with "
                                       f"a {shorten(signer.algorithm)} key")
        signature = signer.sign(data)
        if len(signature) != SIGNATURE_SIZES[self.algorithm]:
            raise ProofGenerationError(f"{self.algorithm} signer returned a signature of "
                                       f"{len(signature)} bytes, not raw r||s")
        return signature

    def verify(self, data: bytes, signature: bytes, key: PublicKey) -> bool:
        """"Proof Verification": ECDSA over the hash data with the bound curve's key."""
        return (self.algorithm is not None and key.algorithm == self.algorithm
                and len(signature) == SIGNATURE_SIZES[self.algorithm]
                and key.verify(data, signature))
