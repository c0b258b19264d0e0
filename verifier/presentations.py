"""Parsing presentations and listing what must be fetched — the pure first step of "gather,
then decide" (DESIGN.md; OpenID4VP 1.0 §8.6).

``parse_presentations`` turns a ``vp_token`` into :class:`Presented` items, each knowing its
credential query, format, and the DIDs whose documents its checks need. Nothing is verified
here; a presentation that does not even parse keeps its error and fails the ``schema`` check.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pidm.errors import CredentialError, ParsingError, PidmError, UnrequestedData, shorten
from pidm.oid4vc.dcql import SD_JWT_VC, DcqlQuery
from pidm.sdjwt import SdJwt

LDP_VC = "ldp_vc"
Presentation = str | Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Presented:
    """One presentation as received: the query it answers, its format, and what it names."""

    query_id: str
    format: str
    raw: Presentation
    sd_jwt: SdJwt | None = None
    vp: Mapping[str, Any] | None = None
    error: PidmError | None = None
    vc: Mapping[str, Any] | None = None

    @property
    def dids(self) -> tuple[str, ...]:
        """The DIDs to resolve before deciding: issuers and (for a VP) the holder."""
        if self.sd_jwt is not None:
            iss = self.sd_jwt.payload.get("iss")
            return (iss,) if isinstance(iss, str) and iss.startswith("did:") else ()
        document = self.vp if self.vp is not None else self.vc
        return tuple(dict.fromkeys(_proof_dids(document))) if document is not None else ()


    @property
    def holder_dids(self) -> tuple[str, ...]:
        """The DIDs that sign a VP itself (the presenter's, not an issuer's)."""
        return tuple(dict.fromkeys(_proof_dids(self.vp, embedded=False))) if self.vp else ()


def _proof_dids(document: Mapping[str, Any], *, embedded: bool = True) -> list[str]:
    """DIDs named by the proofs of a VP and (``embedded``) of the credentials inside it."""
    out: list[str] = []
    for doc in (document, *(credentials_of(document) if embedded else ())):
        proofs = doc.get("proof")
        for proof in proofs if isinstance(proofs, list) else [proofs]:
            vm = proof.get("verificationMethod") if isinstance(proof, Mapping) else None
            if isinstance(vm, str) and vm.startswith("did:"):
                out.append(vm.split("#", 1)[0])
    return out


def credentials_of(vp: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The credential objects embedded in a VP (``verifiableCredential``, one or a list)."""
    value = vp.get("verifiableCredential")
    items = value if isinstance(value, list) else [] if value is None else [value]
    return [item for item in items if isinstance(item, Mapping)]


def check_query_ids(vp_token: Mapping[str, Sequence[Presentation]], query: DcqlQuery) -> None:
    """Every ``vp_token`` key must be a credential query id (UNREQUESTED_DATA otherwise)."""
    unknown = sorted(set(vp_token) - set(query.ids))
    if unknown:
        raise UnrequestedData(f"presentations for credential queries never asked: "
                              f"{shorten(unknown)}")


def parse_presentation(query_id: str, fmt: str, raw: Presentation) -> Presented:
    """Parse one presentation for the credential query ``query_id`` of format ``fmt``."""
    try:
        if fmt == SD_JWT_VC:
            if not isinstance(raw, str):
                raise ParsingError("a dc+sd-jwt presentation must be a string")
            return Presented(query_id, fmt, raw, sd_jwt=SdJwt.parse(raw))
        if fmt == LDP_VC:
            if not isinstance(raw, Mapping):
                raise ParsingError("an ldp_vc presentation must be a JSON object (a VP)")
            if "VerifiablePresentation" not in types_of(raw):
                raise CredentialError("an ldp_vc presentation must be a VerifiablePresentation")
            return Presented(query_id, fmt, raw, vp=raw)
        raise CredentialError(f"format {shorten(fmt)} is not supported")
    except PidmError as exc:
        return Presented(query_id, fmt, raw, error=exc)


def parse_credential(label: str, raw: Any) -> Presented:
    """A bare credential for the VC API: an SD-JWT VC (string) or a W3C credential (object)."""
    if isinstance(raw, str):
        return parse_presentation(label, SD_JWT_VC, raw)
    if isinstance(raw, Mapping) and "VerifiableCredential" in types_of(raw):
        return Presented(label, LDP_VC, raw, vc=raw)
    error = ParsingError("'verifiableCredential' must be an SD-JWT VC or a W3C credential")
    return Presented(label, LDP_VC, raw if isinstance(raw, Mapping | str) else "", error=error)


def parse_presentations(
    vp_token: Mapping[str, Sequence[Presentation]], query: DcqlQuery
) -> list[Presented]:
    """Every presentation of ``vp_token``, in order. Raises UNREQUESTED_DATA for unknown ids."""
    check_query_ids(vp_token, query)
    return [
        parse_presentation(query_id, query.credential(query_id).format, raw)
        for query_id, items in vp_token.items()
        for raw in items
    ]


def types_of(doc: Mapping[str, Any]) -> tuple[str, ...]:
    """A JSON-LD document's ``type`` values (strings only)."""
    value = doc.get("type")
    items = value if isinstance(value, list) else [value]
    return tuple(t for t in items if isinstance(t, str))


def dids_of(items: Sequence[Presented]) -> list[str]:
    """Every DID the items name, once each, in order."""
    return list(dict.fromkeys(did for item in items for did in item.dids))
