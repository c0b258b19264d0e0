"""Deciding about presentations once their DIDs are resolved — the pure part of "gather, then
decide" (OpenID4VP 1.0 §8.6, Appendix B.1.3.2.2 and B.3.6).

Each :class:`~verifier.presentations.Presented` becomes an :class:`ItemResult` through pidm's
own verifiers (:func:`pidm.sdjwt.verify_sd_jwt_vc`, :func:`pidm.vc.verify_presentation`) run
against a :class:`GatheredResolver` (documents fetched beforehand, so no I/O happens here),
plus the verifier's policy: holder binding of every credential to the presenter, the issuer
trusted for the credential's type. ``assemble`` folds the items, their status checks and the
DCQL check (``disclosures``: everything asked for, nothing else) into one VerificationResult.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, cast

from pidm.did.model import DIDDocument
from pidm.errors import DIDNotFound, PidmError, shorten
from pidm.oid4vc.dcql import DcqlQuery
from pidm.oid4vc.dcql_eval import CandidateCredential, ConcretePath, check_presented
from pidm.sdjwt import format_claim_path, process_payload, verify_sd_jwt_vc
from pidm.sdjwt.verifier import holder_key
from pidm.verification import Check, CheckStatus, VerificationResult, run_check
from verifier.policy import TrustPolicy
from verifier.presentations import Presented

Found = Mapping[str, "DIDDocument | PidmError"]


class GatheredResolver:
    """A DID resolver answering from documents resolved beforehand; a failed resolution is
    raised again (as a fresh error of the same class), an unknown DID is DID_NOT_FOUND."""

    def __init__(self, found: Found) -> None:
        self._found = found

    async def resolve(self, did: str) -> DIDDocument:
        hit = self._found.get(str(did))
        if hit is None:
            raise DIDNotFound(f"{shorten(str(did))} was not gathered")
        if isinstance(hit, PidmError):
            raise type(hit)(hit.message, detail=hit.detail)
        return hit


@dataclass(frozen=True, slots=True)
class Expectations:
    """What every presentation of one response must be bound to, and the verifier's policy.

    OpenID4VP responses always bind to the client_id and nonce; the VC API may verify a bare
    credential (``key_binding`` False, no nonce or audience).
    """

    client_id: str | None
    nonce: str | None
    now: datetime
    policy: TrustPolicy
    skew: timedelta = timedelta(seconds=60)
    kb_max_age: timedelta = timedelta(minutes=5)
    key_binding: bool = True


@dataclass(frozen=True, slots=True)
class ItemResult:
    """The checks of one presentation and, when they passed, what it gave."""

    item: Presented
    checks: tuple[Check, ...]
    issuer: str | None = None
    types: tuple[str, ...] = ()
    claims: Mapping[str, Any] = field(default_factory=dict)
    credential: CandidateCredential | None = None
    holder_thumbprint: str | None = None
    received: tuple[str, ...] = ()
    status_entry: Any = None

    def passed(self, *names: str) -> bool:
        return all(
            any(c.name == n for c in self.checks)
            and all(c.status is CheckStatus.PASSED for c in self.checks if c.name == n)
            for n in names
        )

    @property
    def valid(self) -> bool:
        return all(c.status is not CheckStatus.FAILED for c in self.checks)

    @property
    def wants_status(self) -> bool:
        """Status lists are fetched only for a trusted, correctly signed credential."""
        return self.passed("signature", "issuer_trust") and self.status_entry is not None


def trust_check(
    policy: TrustPolicy, issuer: str | None, types: Sequence[str], signed: bool
) -> Check:
    """The ``issuer_trust`` check (SKIPPED when the signature did not verify)."""
    if not signed:
        return Check("issuer_trust", CheckStatus.SKIPPED, None, "skipped: signature failed")
    return run_check("issuer_trust", lambda: policy.check(issuer or "", types))


async def verify_sd_jwt_item(
    item: Presented, found: Found, expect: Expectations
) -> ItemResult:
    """Verify an SD-JWT VC presentation: issuer signature, disclosures, SD-JWT VC profile,
    dates, key binding (KB-JWT ``aud`` = client_id, ``nonce`` = the transaction nonce), trust.
    A presented KB-JWT is always checked; without one the holder key is unknown."""
    assert item.sd_jwt is not None
    sd = item.sd_jwt
    result = await verify_sd_jwt_vc(
        sd, resolver=GatheredResolver(found), now=expect.now, audience=expect.client_id,
        nonce=expect.nonce, require_key_binding=expect.key_binding, skew=expect.skew,
        kb_max_age=expect.kb_max_age,
    )
    payload = sd.payload
    issuer = payload.get("iss") if isinstance(payload.get("iss"), str) else None
    vct = payload.get("vct")
    types = (vct,) if isinstance(vct, str) else ()
    trust = trust_check(expect.policy, issuer, types, _ok(result, "signature"))
    base = ItemResult(
        item, (*result.checks, trust), issuer, types, status_entry=payload.get("status")
    )
    if not (result.valid and trust.status is CheckStatus.PASSED):
        return base
    processed = process_payload(payload, sd.decoded())
    credential = CandidateCredential(
        item.format, processed.claims, vct=vct, holder_binding=True,
        disclosed_paths=cast("tuple[ConcretePath, ...]", processed.disclosed),  # no None in them
    )
    bound = sd.kb_jwt is not None
    return replace(base, claims=processed.claims, credential=credential,
                 holder_thumbprint=holder_key(payload).thumbprint() if bound else None,
                 received=tuple(format_claim_path(p) for p in processed.disclosed))


def _ok(result: VerificationResult, name: str) -> bool:
    check = result.check(name)
    return check is not None and check.status is CheckStatus.PASSED


def failed_item(item: Presented, error: PidmError) -> ItemResult:
    """A presentation that could not be parsed: one failed ``schema`` check."""
    return ItemResult(item, (Check("schema", CheckStatus.FAILED, error.code, str(error)),))


def _label(check: Check, query_id: str) -> Check:
    message = f"{query_id}: {check.message}" if check.message else query_id
    return Check(check.name, check.status, check.code, message)


def _status_check(item: ItemResult, status: Check | None) -> Check:
    if status is not None:
        return status
    if item.status_entry is None and item.passed("signature"):
        return Check("status", CheckStatus.SKIPPED, None, "credential has no status entry")
    return Check("status", CheckStatus.SKIPPED, None, "skipped: signature or issuer_trust failed")


def _claims(items: Sequence[ItemResult], query: DcqlQuery) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        qid = item.item.query_id
        if query.credential(qid).multiple:
            out.setdefault(qid, []).append(dict(item.claims))
        else:
            out[qid] = dict(item.claims)
    return out


def assemble(
    items: Sequence[ItemResult], statuses: Sequence[Check | None], query: DcqlQuery
) -> VerificationResult:
    """One result for a whole response: each item's checks (messages prefixed with its query
    id), its status check, then the DCQL check; claims only when everything passed."""
    checks: list[Check] = []
    for item, status in zip(items, statuses, strict=True):
        qid = item.item.query_id
        checks.extend(_label(c, qid) for c in (*item.checks, _status_check(item, status)))
    if all(c.status is not CheckStatus.FAILED for c in checks):
        presented: dict[str, list[CandidateCredential]] = {}
        for item in items:
            assert item.credential is not None
            presented.setdefault(item.item.query_id, []).append(item.credential)
        checks.append(run_check("disclosures", lambda: check_presented(query, presented)))
    else:
        checks.append(Check("disclosures", CheckStatus.SKIPPED, None,
                            "skipped: a presentation failed its checks"))
    result = VerificationResult(tuple(checks))
    return VerificationResult(result.checks, _claims(items, query) if result.valid else {})


def single_result(item: ItemResult, status: Check | None) -> VerificationResult:
    """The result of one credential or presentation verified on its own (VC API)."""
    result = VerificationResult((*item.checks, _status_check(item, status)))
    return VerificationResult(result.checks, dict(item.claims) if result.valid else {})
