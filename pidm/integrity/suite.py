"""The cryptosuite interface (VC Data Integrity 1.0 §3 "Cryptographic Suites") and the parts the
EdDSA suites share (VC-DI-EdDSA 1.0 §3.2/§3.3: hashing, proof serialization, proof verification).

A suite turns an unsecured document and a proof configuration into hash data (transformation,
proof configuration, hashing) and signs or verifies it. :mod:`pidm.integrity.proof` does the rest
(proof options, purposes, sets and chains, key retrieval). It first binds the suite to the key in
use (:meth:`Cryptosuite.for_key`): the ECDSA suites hash with SHA-256 or SHA-384 by curve.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any, Protocol, Self

from pidm.errors import ProofGenerationError, UnsupportedAlgorithm, shorten
from pidm.jsonld.loader import DocumentLoader
from pidm.keys import PublicKey, Signer

__all__ = ["Cryptosuite", "EdDSASuite", "PROOF_TYPE", "check_config"]

PROOF_TYPE = "DataIntegrityProof"
Json = dict[str, Any]


class Cryptosuite(Protocol):
    """What :mod:`pidm.integrity.proof` needs from a cryptosuite."""

    name: str
    #: Key algorithms the suite signs and verifies with (a :class:`~pidm.keys.Signer`'s
    #: ``algorithm``).
    key_algorithms: tuple[str, ...]

    def for_key(self, algorithm: str) -> Cryptosuite:
        """This suite as used with a key of ``algorithm``; UNSUPPORTED_ALGORITHM if the suite
        does not use such keys."""
        ...

    def proof_options(self, options: Mapping[str, Any], document: Mapping[str, Any]) -> Json:
        """The proof object to create (before ``proofValue``), from the caller's options."""
        ...

    def verify_inputs(self, document: Mapping[str, Any], proof_options: Mapping[str, Any],
                      ) -> tuple[Json, Json]:
        """(unsecured document, proof configuration) to hash when verifying."""
        ...

    def transform(self, document: Mapping[str, Any], *, loader: DocumentLoader | None) -> bytes:
        """The transformed (canonical) unsecured document."""
        ...

    def configure(self, config: Mapping[str, Any], document: Mapping[str, Any], *,
                  loader: DocumentLoader | None) -> bytes:
        """The canonical proof configuration."""
        ...

    def hash(self, transformed: bytes, configured: bytes) -> bytes:
        """Hash data to sign: digest of the proof configuration then of the document."""
        ...

    def sign(self, data: bytes, signer: Signer) -> bytes: ...

    def verify(self, data: bytes, signature: bytes, key: PublicKey) -> bool: ...


def check_config(name: str, config: Mapping[str, Any]) -> None:
    """Proof Configuration step 2: the type and cryptosuite must be suite ``name``'s
    (PROOF_GENERATION_ERROR)."""
    if config.get("type") != PROOF_TYPE or config.get("cryptosuite") != name:
        raise ProofGenerationError(
            f"proof configuration must have type {PROOF_TYPE} and cryptosuite {name}, "
            f"got {shorten(config.get('type'))} / {shorten(config.get('cryptosuite'))}")


class EdDSASuite:
    """Hashing, signing and verification shared by ``eddsa-rdfc-2022`` and ``eddsa-jcs-2022``."""

    name = ""
    required_algorithm = "Ed25519"
    key_algorithms: tuple[str, ...] = ("Ed25519",)

    def for_key(self, algorithm: str) -> Self:
        """This suite, for an Ed25519 key; UNSUPPORTED_ALGORITHM for any other."""
        if algorithm != self.required_algorithm:
            raise UnsupportedAlgorithm(f"{self.name} signs with Ed25519, not {shorten(algorithm)}")
        return self

    def check_config(self, config: Mapping[str, Any]) -> None:
        """Proof Configuration step 2: the type and cryptosuite must be this suite's."""
        check_config(self.name, config)

    def hash(self, transformed: bytes, configured: bytes) -> bytes:
        """§3.x.4 Hashing: SHA-256(proof configuration) ‖ SHA-256(transformed document)."""
        return hashlib.sha256(configured).digest() + hashlib.sha256(transformed).digest()

    def sign(self, data: bytes, signer: Signer) -> bytes:
        """§3.x.6 Proof Serialization: a pure Ed25519 signature (64 bytes)."""
        if signer.algorithm != self.required_algorithm:
            raise UnsupportedAlgorithm(
                f"{self.name} signs with Ed25519, not {shorten(signer.algorithm)}")
        signature = signer.sign(data)
        if len(signature) != 64:
            raise ProofGenerationError("Ed25519 signer returned a signature that is not 64 bytes")
        return signature

    def verify(self, data: bytes, signature: bytes, key: PublicKey) -> bool:
        """§3.x.7 Proof Verification: Ed25519 over the hash data."""
        return key.algorithm == "Ed25519" and len(signature) == 64 and key.verify(data, signature)
