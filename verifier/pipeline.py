"""Gather, then decide (DESIGN.md "Where I/O lives"): the async shell around the pure checks.

1. parse every presentation (pure, :mod:`verifier.presentations`) and list the DIDs it names;
2. resolve them all at once (``asyncio.gather``);
3. run the signature, binding, date and trust checks (:mod:`verifier.checks`; no I/O);
4. fetch the status lists of the credentials that passed, all at once (a second round: no
   status fetch for a forged or untrusted credential);
5. fold everything into one VerificationResult.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pidm.did.model import DIDDocument
from pidm.did.resolver import DIDResolver
from pidm.errors import IssuerNotTrusted, PidmError, shorten
from pidm.oid4vc.dcql import DcqlQuery
from pidm.status import StatusListClient, check_status
from pidm.verification import Check, CheckStatus, VerificationResult
from verifier.checks import Expectations, ItemResult, assemble, failed_item, verify_sd_jwt_item
from verifier.ldp import verify_ldp_credential_item, verify_ldp_item
from verifier.presentations import LDP_VC, Presentation, Presented, dids_of, parse_presentations


@dataclass(frozen=True, slots=True)
class Decision:
    """The result of one response, and the per-presentation details a receipt needs."""

    result: VerificationResult
    items: tuple[ItemResult, ...] = ()


async def gather_documents(
    resolver: DIDResolver, dids: Sequence[str]
) -> dict[str, DIDDocument | PidmError]:
    """Resolve every DID concurrently; a coded failure is kept (and reported by the check
    that needs the document), anything else is a bug and propagates."""
    answers = await asyncio.gather(*(resolver.resolve(d) for d in dids), return_exceptions=True)
    found: dict[str, DIDDocument | PidmError] = {}
    for did, answer in zip(dids, answers, strict=True):
        if isinstance(answer, BaseException) and not isinstance(answer, PidmError):
            raise answer
        found[did] = answer
    return found


async def verify_items(
    items: Sequence[Presented], found: Mapping[str, DIDDocument | PidmError], expect: Expectations
) -> list[ItemResult]:
    """The pure checks of every presentation (documents already gathered)."""
    out = []
    for item in items:
        if item.error is not None:
            out.append(failed_item(item, item.error))
        elif item.vc is not None:
            out.append(await verify_ldp_credential_item(item, found, expect))
        elif item.format == LDP_VC:
            out.append(await verify_ldp_item(item, found, expect))
        else:
            out.append(await verify_sd_jwt_item(item, found, expect))
    return out


async def gather_statuses(
    items: Sequence[ItemResult], client: StatusListClient, expect: Expectations
) -> list[Check | None]:
    """The ``status`` check of each item that wants one (None for the others)."""

    async def one(item: ItemResult) -> Check | None:
        if not item.wants_status:
            return None
        entry: Any = item.status_entry
        return await check_status(entry, issuer=item.issuer or "", client=client, now=expect.now)

    return list(await asyncio.gather(*(one(item) for item in items)))


async def verify_presented(
    items: Sequence[Presented],
    *,
    expect: Expectations,
    resolver: DIDResolver,
    status_client: StatusListClient,
) -> list[tuple[ItemResult, Check | None]]:
    """Steps 2-4 for parsed presentations: each item's checks and its status check.

    Only DIDs worth resolving are resolved: presenters' own, and issuers the policy could
    trust (:meth:`TrustPolicy.may_resolve`); any other issuer's signature fails as
    ISSUER_NOT_TRUSTED without a fetch, so a wallet cannot make the verifier reach any host."""
    dids = dids_of(items)
    holders = {did for item in items for did in item.holder_dids}
    found = await gather_documents(
        resolver, [d for d in dids if d in holders or expect.policy.may_resolve(d)])
    for did in dids:
        found.setdefault(did, IssuerNotTrusted(
            f"{shorten(did)} is not a trusted issuer: its DID was not resolved"))
    results = await verify_items(items, found, expect)
    statuses = await gather_statuses(results, status_client, expect)
    return list(zip(results, statuses, strict=True))


async def verify_vp_token(
    vp_token: Mapping[str, Sequence[Presentation]],
    query: DcqlQuery,
    *,
    expect: Expectations,
    resolver: DIDResolver,
    status_client: StatusListClient,
) -> Decision:
    """Verify an OpenID4VP ``vp_token`` against the transaction's DCQL query."""
    try:
        items = parse_presentations(vp_token, query)
    except PidmError as exc:
        failed = Check("disclosures", CheckStatus.FAILED, exc.code, str(exc))
        return Decision(VerificationResult((failed,)))
    pairs = await verify_presented(
        items, expect=expect, resolver=resolver, status_client=status_client
    )
    results = [r for r, _ in pairs]
    return Decision(assemble(results, [s for _, s in pairs], query), tuple(results))
