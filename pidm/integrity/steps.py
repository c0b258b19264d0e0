"""The document and proof-configuration steps a cryptosuite family shares, whatever it signs
with: ``JcsSteps`` for ``eddsa-jcs-2022`` / ``ecdsa-jcs-2019`` (§3.3 of both specs), and
``RdfcSteps`` for ``eddsa-rdfc-2022`` / ``ecdsa-rdfc-2019`` (§3.2). A suite class lists its
signature base first (``class X(EdDSASuite, JcsSteps)``) so that base's ``check_config`` is
the one used."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from pidm.integrity.canon import Limits, canonicalize_jcs, canonicalize_rdfc
from pidm.integrity.proof_config import (
    jcs_config,
    jcs_proof_options,
    jcs_verify_inputs,
    rdfc_config,
)
from pidm.integrity.suite import Json
from pidm.jsonld.loader import DocumentLoader


class _Configurable(Protocol):
    def check_config(self, config: Mapping[str, Any]) -> None: ...


class _RdfcSuite(_Configurable, Protocol):
    @property
    def limits(self) -> Limits: ...

    @property
    def hash_name(self) -> str: ...


class JcsSteps:
    """RFC 8785 of the document and of the proof options; the proof carries the document's
    ``@context`` and a verifier requires the document's to start with it."""

    def proof_options(self, options: Mapping[str, Any], document: Mapping[str, Any]) -> Json:
        """Create Proof steps 1–2: clone the options, copy the document's ``@context``."""
        return jcs_proof_options(options, document)

    def verify_inputs(self, document: Mapping[str, Any], proof_options: Mapping[str, Any],
                      ) -> tuple[Json, Json]:
        """Verify Proof: a proof ``@context`` must prefix the document's, and replaces it in
        the document that was signed."""
        return jcs_verify_inputs(document, proof_options)

    def transform(self, document: Mapping[str, Any], *, loader: DocumentLoader | None) -> bytes:
        """Transformation: RFC 8785 of the unsecured document."""
        return canonicalize_jcs(document)

    def configure(self: _Configurable, config: Mapping[str, Any], document: Mapping[str, Any],
                  *, loader: DocumentLoader | None) -> bytes:
        """Proof Configuration: RFC 8785 of the proof options."""
        self.check_config(config)
        return canonicalize_jcs(jcs_config(config))


class RdfcSteps:
    """RDFC-1.0 canonical N-Quads (with the suite's ``hash_name`` inside RDFC-1.0, bounded by
    its ``limits``) of the document and of the proof options with the document's context."""

    def proof_options(self, options: Mapping[str, Any], document: Mapping[str, Any]) -> Json:
        """Create Proof step 1: the proof is a clone of the options."""
        return dict(options)

    def verify_inputs(self, document: Mapping[str, Any], proof_options: Mapping[str, Any],
                      ) -> tuple[Json, Json]:
        """Verify Proof steps 1–2."""
        return dict(document), dict(proof_options)

    def transform(self: _RdfcSuite, document: Mapping[str, Any], *,
                  loader: DocumentLoader | None) -> bytes:
        """Transformation: RDFC-1.0 canonical N-Quads, UTF-8."""
        return canonicalize_rdfc(document, loader=loader, limits=self.limits,
                                 hash_name=self.hash_name).encode("utf-8")

    def configure(self: _RdfcSuite, config: Mapping[str, Any], document: Mapping[str, Any], *,
                  loader: DocumentLoader | None) -> bytes:
        """Proof Configuration: the options with the document's ``@context``, canonicalized
        with RDFC-1.0."""
        self.check_config(config)
        return canonicalize_rdfc(rdfc_config(config, document), loader=loader,
                                 limits=self.limits, hash_name=self.hash_name).encode("utf-8")
