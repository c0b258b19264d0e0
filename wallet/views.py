"""What the wallet shows: JSON views (for ``--json`` and other programs) and rich tables of
credentials, the history (transparency log) and rewards."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from rich import box
from rich.console import Group as RenderGroup
from rich.table import Table

from pidm.sdjwt.paths import format_claim_path
from wallet.agent import PresentationOutcome
from wallet.credentials import Group, HeldCredential
from wallet.history import HistoryEntry, RewardKey
from wallet.plain import add_plain_row


def _iso(when: datetime | None) -> str | None:
    return None if when is None else when.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _day(when: datetime | None) -> str:
    return "—" if when is None else when.astimezone(UTC).strftime("%Y-%m-%d")


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def group_json(group: Group) -> dict[str, Any]:
    """A credential as ``list`` / ``show --json`` print it."""
    first = group.first
    return {
        "id": group.id, "name": first.name, "format": first.format, "issuer": first.issuer,
        "issuer_name": first.issuer_name, "vct": first.vct, "types": list(first.types),
        "copies": len(group.copies), "unused_copies": group.unused,
        "received_at": _iso(first.received_at), "valid_until": _iso(first.valid_until),
        "claims": first.subject_claims(),
    }


def credentials_table(groups: Iterable[Group]) -> Table:
    table = Table(title="Credentials")
    table.add_column("ID", no_wrap=True)  # copied into `show` / `delete`: never cut
    for column in ("Credential", "Issuer", "Format", "Copies unused", "Valid until"):
        table.add_column(column)
    for group in groups:
        first = group.first
        add_plain_row(table, group.id, first.name, first.issuer_name or first.issuer, first.format,
                      f"{group.unused}/{len(group.copies)}", _day(first.valid_until))
    return table


def _claim_rows(credential: HeldCredential) -> Iterable[tuple[str, str]]:
    for name, value in credential.subject_claims().items():
        path = (name,) if credential.format != "ldp_vc" else ("credentialSubject", name)
        label = credential.label(path)
        yield (label if label == name else f"{label} ({name})"), _value(value)


def credential_detail(group: Group) -> RenderGroup:
    """``show``: what the credential is, then its claims in a table."""
    first = group.first
    about = Table.grid(padding=(0, 2))
    for key, value in (
        ("Credential", f"{first.name} ({group.id})"),
        ("Issuer", f"{first.issuer_name or ''} {first.issuer}".strip()),
        ("Format", first.format),
        ("Received", _day(first.received_at)),
        ("Valid until", _day(first.valid_until)),
        ("Copies", f"{len(group.copies)} ({group.unused} never presented)"),
    ):
        add_plain_row(about, key, value)
    claims = Table(title="Claims")
    claims.add_column("Claim")
    claims.add_column("Value")
    for label, value in _claim_rows(first):
        add_plain_row(claims, label, value)
    return RenderGroup(about, claims)


def _reward_text(entry: HistoryEntry) -> str:
    reward = entry.granted or entry.offer
    if reward is None:
        return "—"
    text = f"{reward.amount} {reward.unit}"
    return text if entry.granted is not None else f"({text} offered)"


def entry_json(entry: HistoryEntry) -> dict[str, Any]:
    out = entry.to_dict()
    out["claim_names"] = [format_claim_path(list(p)) for p in entry.claims]
    return out


def history_table(entries: Iterable[HistoryEntry]) -> Table:
    table = Table(title="Data sharing history", box=box.SIMPLE_HEAD, leading=1)
    table.add_column("Time (UTC)", no_wrap=True)
    for column, least in (("Verifier", 8), ("Purpose", 12), ("Claims shared", 12),
                          ("Reward", 8), ("Outcome", 9)):
        table.add_column(column, overflow="fold", min_width=least)  # wrap, never cut with "…"
    for e in entries:
        claims = ", ".join(format_claim_path(list(p)) for p in e.claims) or "—"
        outcome = f"{e.outcome}, receipt {e.receipt}" if e.outcome == "shared" else e.outcome
        add_plain_row(
            table, e.time.astimezone(UTC).strftime("%Y-%m-%d\n%H:%M"),
            e.verifier_name or e.verifier_did, e.purpose, claims, _reward_text(e), outcome,
        )
    return table


def rewards_json(totals: Mapping[RewardKey, Decimal],
                 names: Mapping[str, str | None]) -> list[dict[str, Any]]:
    return [
        {"verifier_did": k.verifier_did, "verifier_name": names.get(k.verifier_did),
         "kind": k.kind, "unit": k.unit, "amount": str(v)}
        for k, v in sorted(totals.items())
    ]


def rewards_table(rows: Iterable[Mapping[str, Any]]) -> Table:
    table = Table(title="Rewards earned (verified receipts)")
    for column in ("Verifier", "Amount", "Unit"):
        table.add_column(column)
    for row in rows:  # the name is the verifier's own claim: the DID tells two apart
        who = "\n".join(filter(None, (row["verifier_name"], row["verifier_did"])))
        add_plain_row(table, who, row["amount"], row["unit"])
    return table


def outcome_json(outcome: PresentationOutcome) -> dict[str, Any]:
    out: dict[str, Any] = {"outcome": outcome.outcome, "entry": entry_json(outcome.entry)}
    if outcome.receipt is not None:
        out["receipt"] = {"status": outcome.receipt.status, "code": outcome.receipt.code,
                          "message": outcome.receipt.message}
    if outcome.redirect_uri is not None:
        out["redirect_uri"] = outcome.redirect_uri
    return out
