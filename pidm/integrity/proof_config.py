"""Proof options and configuration steps the RDFC and the JCS cryptosuites share.

* RDFC (VC-DI-EdDSA §3.2.5, VC-DI-ECDSA "Proof Configuration (ecdsa-rdfc-2019)"): the
  configuration is the proof options with the unsecured document's ``@context``.
* JCS (VC-DI-EdDSA §3.3.1–§3.3.2, VC-DI-ECDSA "Create Proof" / "Verify Proof (ecdsa-jcs-2019)"):
  the proof itself carries the document's ``@context`` (the 2025 injection-safe form the W3C
  vectors use); a verifier requires the document's ``@context`` to start with it and hashes the
  document with the proof's ``@context`` in its place.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pidm.errors import ProofVerificationError

__all__ = ["jcs_config", "jcs_proof_options", "jcs_verify_inputs", "rdfc_config"]

Json = dict[str, Any]


def _as_list(context: Any) -> list[Any]:
    return list(context) if isinstance(context, list) else [context]


def rdfc_config(config: Mapping[str, Any], document: Mapping[str, Any]) -> Json:
    """The RDFC proof configuration: ``config`` without ``proofValue``, with the document's
    ``@context`` (or none)."""
    proof_config = {k: v for k, v in config.items() if k != "proofValue"}
    if "@context" in document:
        proof_config["@context"] = document["@context"]
    else:
        proof_config.pop("@context", None)
    return proof_config


def jcs_proof_options(options: Mapping[str, Any], document: Mapping[str, Any]) -> Json:
    """The JCS proof to create: the options plus the document's ``@context``."""
    proof = dict(options)
    if "@context" in document:
        proof["@context"] = document["@context"]
    return proof


def jcs_verify_inputs(document: Mapping[str, Any], proof_options: Mapping[str, Any],
                      ) -> tuple[Json, Json]:
    """(unsecured document, proof options) a JCS proof was made over. PROOF_VERIFICATION_ERROR
    if the proof's ``@context`` is not a prefix of the document's."""
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


def jcs_config(config: Mapping[str, Any]) -> Json:
    """The JCS proof configuration: the proof options without ``proofValue``."""
    return {k: v for k, v in config.items() if k != "proofValue"}
