"""Evaluating DCQL (OpenID4VP 1.0 §6.4 and §7): claims path processing, the wallet's selection of
credentials and claims, and the verifier's check that what came back is what was asked for.

Credentials are seen through :class:`DcqlCredential`: format, type (``vct``, W3C ``types`` as
expanded IRIs or undefined-term names, mdoc ``doctype``), the processed claims (an SD-JWT's
payload with every disclosure applied, a W3C credential's JSON), whether it supports holder
binding, and — on the verifier side — the concrete paths of the selectively disclosed claims.
``trusted_authorities`` is carried but not evaluated: the verifier's trust policy decides that.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from pidm.errors import DcqlNotSatisfied, NoMatchingCredentials, UnrequestedData, shorten
from pidm.oid4vc.dcql import (
    MSO_MDOC,
    SD_JWT_VC,
    W3C_FORMATS,
    ClaimPath,
    ClaimsQuery,
    ClaimValue,
    CredentialQuery,
    DcqlQuery,
)

#: A concrete claims path: no nulls, every array element addressed by its index.
ConcretePath = tuple[str | int, ...]


class DcqlCredential(Protocol):
    """What DCQL needs to know about one credential (held, or presented and verified)."""

    @property
    def format(self) -> str: ...
    @property
    def claims(self) -> Mapping[str, Any]: ...
    @property
    def vct(self) -> str | None: ...
    @property
    def types(self) -> Sequence[str]: ...
    @property
    def doctype(self) -> str | None: ...
    @property
    def holder_binding(self) -> bool: ...
    @property
    def disclosed_paths(self) -> Sequence[ConcretePath] | None: ...


@dataclass(frozen=True, slots=True)
class CandidateCredential:
    """A plain :class:`DcqlCredential`. ``disclosed_paths`` None = no selective disclosure."""

    format: str
    claims: Mapping[str, Any]
    vct: str | None = None
    types: Sequence[str] = ()
    doctype: str | None = None
    holder_binding: bool = True
    disclosed_paths: Sequence[ConcretePath] | None = None


def select_claims(claims: Any, path: ClaimPath) -> list[tuple[ConcretePath, Any]]:
    """Process a claims path pointer (§7.1.1) against JSON ``claims``.

    Returns the selected (concrete path, value) pairs; an empty list when processing ends in an
    error or selects nothing (both mean: the claim is not in the credential).
    """
    selection: list[tuple[ConcretePath, Any]] = [((), claims)]
    for component in path:
        nxt: list[tuple[ConcretePath, Any]] = []
        for where, node in selection:
            if isinstance(component, str):
                if not isinstance(node, Mapping):
                    return []
                if component in node:
                    nxt.append((where + (component,), node[component]))
            elif not isinstance(node, list):
                return []
            elif component is None:
                nxt.extend((where + (i,), item) for i, item in enumerate(node))
            elif 0 <= component < len(node):
                nxt.append((where + (component,), node[component]))
        selection = nxt
        if not selection:
            return []
    return selection


def _same(value: Any, expected: ClaimValue) -> bool:
    return type(value) is type(expected) and value == expected


def _claim_present(claim: ClaimsQuery, claims: Mapping[str, Any]) -> list[ConcretePath] | None:
    """Concrete paths selected by ``claim`` (value-filtered), or None if it is not present."""
    selected = select_claims(claims, claim.path)
    if claim.values is not None:
        values = claim.values
        selected = [(p, v) for p, v in selected if any(_same(v, e) for e in values)]
    return [p for p, _ in selected] or None


@dataclass(frozen=True, slots=True)
class ClaimSelection:
    """The claims one credential gives for one credential query."""

    requested: tuple[ClaimPath, ...]
    concrete: tuple[ConcretePath, ...]
    claim_set: tuple[str, ...] | None = None


def _select(query: CredentialQuery, claims: Mapping[str, Any]) -> list[ClaimSelection]:
    """Every way ``claims`` satisfies the query's claims, the verifier's preference first."""
    if query.claims is None:
        return [ClaimSelection((), ())]
    present = {i: _claim_present(c, claims) for i, c in enumerate(query.claims)}
    if query.claim_sets is None:
        if any(p is None for p in present.values()):
            return []
        return [ClaimSelection(tuple(c.path for c in query.claims), _flat(present.values()))]
    index = {c.id: i for i, c in enumerate(query.claims)}
    out = []
    for option in query.claim_sets:
        found = [present[index[claim_id]] for claim_id in option]
        if all(p is not None for p in found):
            paths = tuple(query.claims[index[i]].path for i in option)
            out.append(ClaimSelection(paths, _flat(found), option))
    return out


def _flat(groups: Any) -> tuple[ConcretePath, ...]:
    seen: dict[ConcretePath, None] = {}
    for group in groups:
        for path in group or ():
            seen.setdefault(path, None)
    return tuple(seen)


def meta_matches(query: CredentialQuery, credential: DcqlCredential) -> bool:
    """Format, type and holder binding constraints of ``query`` hold for ``credential``."""
    if credential.format != query.format:
        return False
    if query.require_cryptographic_holder_binding and not credential.holder_binding:
        return False
    if query.format == SD_JWT_VC:
        return credential.vct in (query.vct_values or ())
    if query.format in W3C_FORMATS:
        types = set(credential.types)
        return any(set(alt) <= types for alt in query.type_values or ())
    if query.format == MSO_MDOC:
        return credential.doctype == query.doctype_value
    return True


# --- wallet side -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class CredentialMatch:
    """A held credential that satisfies a credential query, and what it would disclose."""

    query_id: str
    index: int
    credential: DcqlCredential
    selection: ClaimSelection


@dataclass(frozen=True, slots=True)
class DcqlMatch:
    """Per credential query id, the matching credentials (possibly none)."""

    query: DcqlQuery
    matches: Mapping[str, tuple[CredentialMatch, ...]]

    @property
    def satisfiable(self) -> bool:
        try:
            self._chosen_ids(include_optional=False)
        except NoMatchingCredentials:
            return False
        return True

    def _chosen_ids(self, *, include_optional: bool) -> list[str]:
        if self.query.credential_sets is None:
            missing = [q for q in self.query.ids if not self.matches[q]]
            if missing:
                raise NoMatchingCredentials(f"no credential matches {shorten(missing)}")
            return list(self.query.ids)
        chosen: dict[str, None] = {}
        for number, cset in enumerate(self.query.credential_sets):
            option = next((o for o in cset.options if all(self.matches[i] for i in o)), None)
            if option is None and cset.required:
                raise NoMatchingCredentials(f"no option of credential set {number} can be met")
            if option is not None and (cset.required or include_optional):
                chosen.update(dict.fromkeys(option))
        return list(chosen)

    def selection(self, *, include_optional: bool = False) -> dict[str, tuple[CredentialMatch]]:
        """The default answer: for the first satisfiable option of each required credential set
        (and of optional sets when asked), the first matching credential of each query.

        Raises NO_MATCHING_CREDENTIALS when the required queries cannot all be met.
        """
        ids = self._chosen_ids(include_optional=include_optional)
        return {i: (self.matches[i][0],) for i in ids}


def match_query(query: DcqlQuery, credentials: Sequence[DcqlCredential]) -> DcqlMatch:
    """Evaluate ``query`` against a wallet's credentials (§6.4): which credential can answer
    which credential query, with the claims (first satisfiable claim set) it would disclose."""
    matches: dict[str, tuple[CredentialMatch, ...]] = {}
    for cq in query.credentials:
        found = []
        for index, credential in enumerate(credentials):
            if not meta_matches(cq, credential):
                continue
            options = _select(cq, credential.claims)
            if options:
                found.append(CredentialMatch(cq.id, index, credential, options[0]))
        matches[cq.id] = tuple(found)
    return DcqlMatch(query, matches)


# --- verifier side -----------------------------------------------------------------------------
def _covered(requested: ClaimPath, disclosed: ConcretePath) -> bool:
    """A disclosed path lies on (ancestor of) or under (descendant of) a requested path."""
    for want, got in zip(requested, disclosed, strict=False):
        if want is None:
            if not isinstance(got, int) or isinstance(got, bool):
                return False
        elif type(want) is not type(got) or want != got:
            return False
    return True


def _check_one(query: CredentialQuery, credential: DcqlCredential) -> None:
    if not meta_matches(query, credential):
        raise DcqlNotSatisfied(
            f"a presentation for '{query.id}' does not match its format, type or holder binding"
        )
    options = _select(query, credential.claims)
    if not options:
        raise DcqlNotSatisfied(f"a presentation for '{query.id}' lacks requested claims")
    disclosed = credential.disclosed_paths
    if disclosed is None:
        return
    for option in options:
        if all(any(_covered(r, d) for r in option.requested) for d in disclosed):
            return
    extra = [
        list(d) for d in disclosed if not any(_covered(r, d) for r in options[0].requested)
    ] or [list(d) for d in disclosed]
    raise UnrequestedData(f"'{query.id}' discloses claims not asked for: {shorten(extra)}")


def check_presented(query: DcqlQuery, presented: Mapping[str, Sequence[DcqlCredential]]) -> None:
    """Check, on the verifier side, that verified presentations answer ``query`` (§8.6 step 3):
    every required credential query / credential set is met, and nothing else was sent — no
    unknown query id, no second presentation unless ``multiple``, no credential beyond the first
    option met in each credential set, no selectively disclosed claim outside the requested paths
    of a claim set the presentation meets.

    Raises DCQL_NOT_SATISFIED or UNREQUESTED_DATA.
    """
    known = set(query.ids)
    unknown = [k for k in presented if k not in known]
    if unknown:
        raise UnrequestedData(f"presentations for unknown credential queries {shorten(unknown)}")
    for query_id, items in presented.items():
        cq = query.credential(query_id)
        if not items:
            raise DcqlNotSatisfied(f"'{query_id}' has an empty list of presentations")
        if len(items) > 1 and not cq.multiple:
            raise UnrequestedData(f"'{query_id}' allows one presentation, got {len(items)}")
        for credential in items:
            _check_one(cq, credential)
    _check_sets(query, set(presented))


def _check_sets(query: DcqlQuery, present: set[str]) -> None:
    if query.credential_sets is None:
        missing = [i for i in query.ids if i not in present]
        if missing:
            raise DcqlNotSatisfied(f"no presentation for {shorten(missing)}")
        return
    justified: set[str] = set()
    for number, cset in enumerate(query.credential_sets):
        met = next((o for o in cset.options if set(o) <= present), None)
        if met is None and cset.required:
            raise DcqlNotSatisfied(f"no option of credential set {number} was presented")
        justified.update(met or ())
    extra = sorted(present - justified)
    if extra:
        raise UnrequestedData(f"presentations outside every met credential set {shorten(extra)}")
