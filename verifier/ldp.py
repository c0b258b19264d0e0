"""Deciding about an ``ldp_vc`` presentation: a VerifiablePresentation secured with a Data
Integrity proof (OpenID4VP 1.0 Appendix B.1.3.2: ``challenge`` = nonce, ``domain`` = client_id)
holding one credential secured the same way.

pidm's own :func:`pidm.vc.verify_presentation` checks the VP and credential proofs, structure
and dates; this module adds the verifier's policy: exactly one credential per presentation,
holder binding (the VP's signer is the credential subject, and the VP ``holder`` if stated),
the issuer trusted for the credential's type. Documents come from a
:class:`~verifier.checks.GatheredResolver`, so nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from pidm.did.model import DIDDocument
from pidm.errors import CredentialError, HolderMismatch, PidmError, UnrequestedData, shorten
from pidm.oid4vc.dcql_eval import CandidateCredential
from pidm.sdjwt import format_claim_path
from pidm.verification import Check, CheckStatus, VerificationResult, run_check
from verifier.checks import Expectations, Found, GatheredResolver, ItemResult, trust_check
from verifier.presentations import Presented, credentials_of, types_of


def _id(value: Any) -> str | None:
    if isinstance(value, Mapping):
        value = value.get("id")
    return value if isinstance(value, str) else None


def _signer(document: Mapping[str, Any]) -> str | None:
    """The verification method of the document's (single) proof."""
    proof = document.get("proof")
    if isinstance(proof, list):
        proof = proof[0] if len(proof) == 1 else None
    return _id(proof.get("verificationMethod")) if isinstance(proof, Mapping) else None


def the_credential(vp: Mapping[str, Any]) -> Mapping[str, Any]:
    """The one credential of a presentation (UNREQUESTED_DATA for more, INVALID_CREDENTIAL
    for none)."""
    vcs = credentials_of(vp)
    raw = vp.get("verifiableCredential")
    count = len(raw) if isinstance(raw, list) else (0 if raw is None else 1)
    if count > 1:
        raise UnrequestedData(f"a presentation must hold one credential, got {count}")
    if not vcs:
        raise CredentialError("the presentation holds no credential object")
    return vcs[0]


def check_holder_binding(vp: Mapping[str, Any], vc: Mapping[str, Any]) -> str:
    """The VP's signer DID must be the credential subject's ``id`` (and the VP ``holder``).

    Returns the holder DID; raises HOLDER_MISMATCH.
    """
    method = _signer(vp)
    if method is None or not method.startswith("did:"):
        raise HolderMismatch("the presentation proof names no DID verification method")
    holder = method.split("#", 1)[0]
    subjects = vc.get("credentialSubject")
    items = subjects if isinstance(subjects, list) else [subjects]
    ids = [_id(s) for s in items]
    if not ids or any(i != holder for i in ids):
        raise HolderMismatch(
            f"credential subject {shorten(ids)} is not the presenter {shorten(holder)}"
        )
    stated = _id(vp.get("holder"))
    if stated is not None and stated != holder:
        raise HolderMismatch(f"VP holder {shorten(stated)} did not sign the presentation")
    return holder


def _thumbprint(vp: Mapping[str, Any], found: Found) -> str | None:
    method = _signer(vp) or ""
    doc = found.get(method.split("#", 1)[0])
    if not isinstance(doc, DIDDocument):
        return None
    try:
        return doc.method(method).public_key.thumbprint()
    except PidmError:
        return None


def _received(vc: Mapping[str, Any]) -> tuple[str, ...]:
    subject = vc.get("credentialSubject")
    names = subject.keys() if isinstance(subject, Mapping) else ()
    return tuple(format_claim_path(["credentialSubject", n]) for n in names if n != "id")


async def _pidm_verify(
    vp: Mapping[str, Any], found: Found, expect: Expectations
) -> VerificationResult:
    from pidm.vc import verify_presentation  # type: ignore[import-not-found, unused-ignore]

    result: VerificationResult = await verify_presentation(
        dict(vp), resolver=GatheredResolver(found), now=expect.now,
        challenge=expect.nonce, domain=expect.client_id,
    )
    return result


async def verify_ldp_item(item: Presented, found: Found, expect: Expectations) -> ItemResult:
    """Verify a Data Integrity VP holding one credential; see the module docstring."""
    assert item.vp is not None
    vp = item.vp
    try:
        vc = the_credential(vp)
    except PidmError as exc:
        failed = Check("disclosures" if isinstance(exc, UnrequestedData) else "schema",
                       CheckStatus.FAILED, exc.code, str(exc))
        return ItemResult(item, (failed,))
    result = await _pidm_verify(vp, found, expect)
    binding = run_check("holder_binding", lambda: check_holder_binding(vp, vc))
    issuer, types = _id(vc.get("issuer")), types_of(vc)
    signed = _passed(result, "signature")
    trust = trust_check(expect.policy, issuer, types, signed)
    base = ItemResult(item, (*result.checks, binding, trust), issuer, types,
                      status_entry=vc.get("credentialStatus"))
    if not (result.valid and base.valid):
        return base
    claims = {k: v for k, v in vc.items() if k != "proof"}
    credential = CandidateCredential(item.format, claims, types=types, holder_binding=True)
    return replace(base, claims=claims, credential=credential,
                   holder_thumbprint=_thumbprint(vp, found), received=_received(vc))


async def verify_ldp_credential_item(
    item: Presented, found: Found, expect: Expectations
) -> ItemResult:
    """Verify a bare W3C credential (VC API ``/credentials/verify``): proofs, structure,
    dates (:func:`pidm.vc.verify_credential`) and the issuer's trust."""
    from pidm.vc import verify_credential  # type: ignore[import-not-found, unused-ignore]

    assert item.vc is not None
    vc = item.vc
    result: VerificationResult = await verify_credential(
        dict(vc), resolver=GatheredResolver(found), now=expect.now
    )
    issuer, types = _id(vc.get("issuer")), types_of(vc)
    trust = trust_check(expect.policy, issuer, types, _passed(result, "signature"))
    base = ItemResult(item, (*result.checks, trust), issuer, types,
                      status_entry=vc.get("credentialStatus"))
    if not base.valid:
        return base
    return replace(base, claims={k: v for k, v in vc.items() if k != "proof"},
                   received=_received(vc))


def _passed(result: VerificationResult, name: str) -> bool:
    checks = [c for c in result.checks if c.name == name]
    return bool(checks) and all(c.status is CheckStatus.PASSED for c in checks)
