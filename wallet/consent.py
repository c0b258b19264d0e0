"""The consent screen: who asks, why, for how long, for what reward, and which claims — each
marked required or optional — and the consumer's answer turned into a disclosure plan.

Required and optional come from the DCQL query (OpenID4VP 1.0 §6). A claim is *required* when
every claim combination (``claim_sets``) the held credential can satisfy contains it, and
*optional* when only some do; without ``claim_sets`` every requested claim is required. A
credential query is optional when it belongs only to a credential set with ``required: false``.
The default answer shares the minimum: the smallest accepted combination of each required
credential, no optional credential. A consumer's pick must form one of the verifier's accepted
combinations exactly — the wallet never widens a choice, and says which combinations exist.

``ldp_vc`` credentials signed with an EdDSA Data Integrity proof cannot hide claims: the screen
says that every claim of such a credential is revealed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from pidm.errors import (
    ConsentRefused,
    MalformedValueError,
    NoMatchingCredentials,
    PidmError,
    shorten,
)
from pidm.oid4vc.consent import Offer, parse_duration
from pidm.oid4vc.dcql import SD_JWT_VC, ClaimPath, ClaimsQuery, CredentialQuery
from pidm.oid4vc.dcql_eval import DcqlMatch, select_claims
from pidm.oid4vc.vp import AuthorizationRequest
from pidm.sdjwt.paths import format_claim_path, parse_claim_path
from wallet.credentials import HeldCredential
from wallet.plain import add_plain_row, plain

#: A claim as the consumer picks it: (credential query id, claims path).
Choice = tuple[str, ClaimPath]


@dataclass(frozen=True, slots=True)
class ClaimItem:
    """One requested claim of a credential, with the value that would be shared."""

    path: ClaimPath
    label: str
    value: Any
    required: bool


@dataclass(frozen=True, slots=True)
class CredentialItem:
    """One credential query answered by a held credential."""

    query_id: str
    credential: HeldCredential
    required: bool
    claims: tuple[ClaimItem, ...]
    #: The accepted claim combinations this credential can satisfy, in the verifier's order.
    options: tuple[tuple[ClaimPath, ...], ...]

    @property
    def selective(self) -> bool:
        """Whether claims can be withheld (SD-JWT); else the whole credential is revealed."""
        return self.credential.format == SD_JWT_VC

    @property
    def required_paths(self) -> tuple[ClaimPath, ...]:
        return tuple(c.path for c in self.claims if c.required)

    def revealed(self, paths: Iterable[ClaimPath]) -> tuple[ClaimPath, ...]:
        """What the verifier learns when ``paths`` are disclosed (all claims without SD)."""
        if self.selective:
            return tuple(paths)
        subject = self.credential.subject_claims()
        return tuple(("credentialSubject", name) for name in subject)


@dataclass(frozen=True, slots=True)
class ConsentScreen:
    """Everything the consumer is shown before deciding."""

    verifier_did: str
    verifier_name: str | None
    client_id: str
    purpose: str | None
    retention: str | None
    offer: Offer | None
    items: tuple[CredentialItem, ...]

    def item(self, query_id: str) -> CredentialItem:
        for item in self.items:
            if item.query_id == query_id:
                return item
        raise MalformedValueError(f"no requested credential {shorten(query_id)}")

    def minimum(self) -> frozenset[Choice]:
        """The default answer: the smallest accepted combination of each required credential."""
        out: set[Choice] = set()
        for item in self.items:
            if item.required and item.options:
                smallest = min(item.options, key=len)
                out.update((item.query_id, path) for path in smallest)
        return frozenset(out)


@dataclass(frozen=True, slots=True)
class ConsentDecision:
    """The consumer's answer. ``claims`` None = :meth:`ConsentScreen.minimum`; ``include``
    names optional credential queries to share even when no optional claim of them is picked."""

    approved: bool
    claims: frozenset[Choice] | None = None
    include: frozenset[str] = frozenset()

    @classmethod
    def approve(
        cls, claims: Iterable[Choice] | None = None, include: Iterable[str] = ()
    ) -> ConsentDecision:
        return cls(True, None if claims is None else frozenset(claims), frozenset(include))

    @classmethod
    def decline(cls) -> ConsentDecision:
        return cls(False)


@dataclass(frozen=True, slots=True)
class PlannedDisclosure:
    """What will be presented for one credential query."""

    item: CredentialItem
    paths: tuple[ClaimPath, ...]

    @property
    def revealed(self) -> tuple[ClaimPath, ...]:
        return self.item.revealed(self.paths)


# --- building the screen -------------------------------------------------------------------
def _present(claim: ClaimsQuery, claims: Mapping[str, Any]) -> list[Any] | None:
    found = [v for _, v in select_claims(claims, claim.path)]
    if claim.values is not None:
        found = [v for v in found if any(type(v) is type(e) and v == e for e in claim.values)]
    return found or None


def _item(cq: CredentialQuery, credential: HeldCredential, required: bool) -> CredentialItem:
    if cq.claims is None:
        return CredentialItem(cq.id, credential, required, (), ((),))
    values = {c.path: _present(c, credential.claims) for c in cq.claims}
    if cq.claim_sets is None:
        combos = [tuple(c.path for c in cq.claims)]
    else:
        by_id = {c.id: c.path for c in cq.claims}
        combos = [tuple(by_id[i] for i in option) for option in cq.claim_sets]
    options = tuple(o for o in combos if all(values[p] is not None for p in o))
    if not options:
        raise NoMatchingCredentials(f"the credential for '{cq.id}' lacks the requested claims")
    always = set.intersection(*(set(o) for o in options))
    listed = dict.fromkeys(p for o in options for p in o)
    items = tuple(
        ClaimItem(p, credential.label(p), _display(values[p]), p in always) for p in listed
    )
    return CredentialItem(cq.id, credential, required, items, options)


def _display(values: list[Any] | None) -> Any:
    if not values:
        return None
    return values[0] if len(values) == 1 else values


def _required_queries(match: DcqlMatch) -> dict[str, bool]:
    """Which credential queries to show, and whether each is required (credential sets)."""
    query = match.query
    if query.credential_sets is None:
        missing = [q for q in query.ids if not match.matches[q]]
        if missing:
            raise NoMatchingCredentials(f"no credential in the wallet matches {shorten(missing)}")
        return dict.fromkeys(query.ids, True)
    shown: dict[str, bool] = {}
    for number, cset in enumerate(query.credential_sets):
        option = next((o for o in cset.options if all(match.matches[i] for i in o)), None)
        if option is None:
            if cset.required:
                raise NoMatchingCredentials(
                    f"no credentials in the wallet meet credential set {number} of the request"
                )
            continue
        for query_id in option:
            shown[query_id] = shown.get(query_id, False) or cset.required
    return shown


def build_screen(
    request: AuthorizationRequest, match: DcqlMatch, held: list[HeldCredential]
) -> ConsentScreen:
    """The screen for ``request`` given the wallet's DCQL ``match`` over ``held`` (the list the
    match's indexes point into). Raises NO_MATCHING_CREDENTIALS when a required credential
    query cannot be answered."""
    items = []
    for query_id, required in _required_queries(match).items():
        first = match.matches[query_id][0]
        cq = request.dcql_query.credential(query_id)
        items.append(_item(cq, held[first.index], required))
    metadata = request.client_metadata.raw if request.client_metadata else {}
    name = metadata.get("client_name")
    terms = request.terms
    return ConsentScreen(
        verifier_did=request.client_id.did,
        verifier_name=name if isinstance(name, str) and name.strip() else None,
        client_id=str(request.client_id),
        purpose=terms.purpose,
        retention=terms.retention,
        offer=terms.offer,
        items=tuple(items),
    )


# --- turning an answer into a plan ---------------------------------------------------------
def _combos_text(item: CredentialItem) -> str:
    return "; ".join(
        "{" + ", ".join(format_claim_path(list(p)) for p in o) + "}" for o in item.options
    )


def plan_disclosure(screen: ConsentScreen, decision: ConsentDecision) -> list[PlannedDisclosure]:
    """The presentations an approval leads to. Raises CONSENT_REFUSED for a declined decision
    and MALFORMED_VALUE_ERROR when the picked claims are unknown or form no accepted
    combination."""
    if not decision.approved:
        raise ConsentRefused("the consumer declined the request")
    chosen = screen.minimum() if decision.claims is None else decision.claims
    known = {(i.query_id, c.path) for i in screen.items for c in i.claims}
    unknown = [c for c in chosen if c not in known]
    if unknown:
        raise MalformedValueError(f"claims not requested by the verifier: {shorten(unknown)}")
    for query_id in decision.include:
        screen.item(query_id)
    plans = []
    for item in screen.items:
        picked = {path for query_id, path in chosen if query_id == item.query_id}
        if not (item.required or picked or item.query_id in decision.include):
            continue
        wanted = picked | set(item.required_paths)
        fitting = [o for o in item.options if set(o) <= wanted]
        best = max(fitting, key=len, default=None)
        if best is None or wanted - set(best):
            raise MalformedValueError(
                f"the claims chosen for '{item.query_id}' are not a combination the verifier "
                f"accepts; accepted: {_combos_text(item)}"
            )
        plans.append(PlannedDisclosure(item, best))
    return plans


def parse_claim_choices(texts: Iterable[str], screen: ConsentScreen) -> frozenset[Choice]:
    """Read ``--claims`` values: ``path`` or ``query_id:path`` (dotted or JSON path syntax).

    An unqualified path applies to every requested credential that asks for it. Raises
    MALFORMED_VALUE_ERROR for a claim the verifier did not request.
    """
    out: set[Choice] = set()
    for raw in texts:
        for text in (t.strip() for t in raw.split(",")):
            if not text:
                continue
            query_id, sep, rest = text.partition(":")
            qualified = bool(sep) and not text.startswith("[") and any(
                i.query_id == query_id for i in screen.items
            )
            path = tuple(parse_claim_path(rest if qualified else text))
            hits = [
                (i.query_id, c.path) for i in screen.items for c in i.claims
                if c.path == path and (not qualified or i.query_id == query_id)
            ]
            if not hits:
                raise MalformedValueError(f"the verifier did not request claim {shorten(text)}")
            out.update(hits)
    return frozenset(out)


# --- rendering -----------------------------------------------------------------------------
def describe_retention(retention: str | None) -> str:
    """``P30D`` -> ``30 days (P30D)``; the wire text when it cannot be read."""
    if retention is None:
        return "not stated"
    try:
        days = parse_duration(retention).total_seconds() / 86400
    except PidmError:
        return retention
    if days >= 1 and days == int(days):
        return f"{int(days)} day{'s' if days != 1 else ''} ({retention})"
    return retention


def describe_offer(offer: Offer | None) -> str:
    if offer is None:
        return "none offered"
    unit = "" if offer.kind == "points" and offer.unit == "points" else f" {offer.unit}"
    amount = f"{offer.amount} points" if offer.kind == "points" else f"{offer.amount}{unit}"
    return f"{amount} — {offer.description}" if offer.description else amount


def _value_text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return shorten(value, 60) if not isinstance(value, str) else value[:60]


def consent_renderable(screen: ConsentScreen) -> Panel:
    """The consent screen as a rich renderable."""
    who = screen.verifier_name or "an unnamed verifier"
    head = Table.grid(padding=(0, 2))
    head.add_row(Text("Who is asking", style="bold"), plain(f"{who}\n{screen.verifier_did}"))
    head.add_row(Text("Purpose", style="bold"), plain(screen.purpose or "not stated"))
    head.add_row(Text("Keeps your data", style="bold"),
                 plain(describe_retention(screen.retention)))
    head.add_row(Text("Reward", style="bold"), plain(describe_offer(screen.offer)))
    claims = Table(title="Requested claims", expand=True)
    for column in ("Credential", "Claim", "Value", "Needed"):
        claims.add_column(column)
    notes: list[Text] = []
    for item in screen.items:
        name = item.credential.name + ("" if item.required else " (optional credential)")
        for claim in item.claims:
            needed = "required" if claim.required and item.required else "optional"
            add_plain_row(claims, name, claim.label, _value_text(claim.value), needed)
        if not item.claims:
            add_plain_row(claims, name, "(no claims: proof of holding it)", "", "required")
        if item.credential.uses:
            notes.append(plain(
                f"Every copy of '{item.credential.name}' was shown before: this presentation "
                "can be linked to earlier ones (receive the credential again for fresh copies).",
                style="yellow",
            ))
        if not item.selective:
            notes.append(plain(
                f"'{item.credential.name}' cannot hide claims: all of "
                f"{', '.join(item.credential.subject_claims())} will be shared.", style="yellow",
            ))
    return Panel(Group(head, claims, *notes), title="Data request", border_style="cyan")


def render_consent(screen: ConsentScreen, console: Console) -> None:
    """Print the consent screen."""
    console.print(consent_renderable(screen))


def ask_decision(screen: ConsentScreen, ask: Callable[[str, bool], bool]) -> ConsentDecision:
    """Ask the consumer, one yes/no question at a time (``ask(question, default)``): share at
    all, then each optional credential and each optional claim (default no)."""
    if not ask("Share the required claims with this verifier?", False):
        return ConsentDecision.decline()
    chosen = set(screen.minimum())
    include: set[str] = set()
    for item in screen.items:
        if not item.required:
            if not ask(f"Also share the optional credential '{item.credential.name}'?", False):
                continue
            include.add(item.query_id)
            chosen.update((item.query_id, p) for p in min(item.options, key=len))
        minimum = {p for q, p in chosen if q == item.query_id}
        for claim in item.claims:
            if claim.path in minimum or (claim.required and item.required):
                continue
            if ask(f"Also share '{claim.label}' ({_value_text(claim.value)})?", False):
                chosen.add((item.query_id, claim.path))
    return ConsentDecision.approve(chosen, include)
