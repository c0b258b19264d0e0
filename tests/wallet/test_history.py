"""wallet.history: transparency-log entries sealed in the locker, exact reward totals."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from pidm.errors import MalformedValueError
from wallet.history import (
    HistoryEntry,
    Reward,
    RewardKey,
    load_history,
    record_history,
    rewards_by_verifier,
)
from wallet.locker import Locker
from wallet.sealing import KdfParams

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
SHOP = "did:web:shop.example"
BANK = "did:web:bank.example"


def _entry(tx: str, verifier: str = SHOP, **changes: Any) -> HistoryEntry:
    base = HistoryEntry(
        transaction_id=tx,
        time=T0,
        verifier_did=verifier,
        verifier_name="Shop",
        purpose="Age check for a loyalty account",
        claims=(("age_over_18",), ("address", "locality"), ("nationalities", None)),
        credential_ids=("urn:uuid:cred-1",),
        offer=Reward("points", "10", "points", "Welcome bonus"),
        granted=Reward("points", "10", "points"),
        receipt="verified",
        retention="P30D",
        receipt_id="urn:uuid:receipt-1",
    )
    return replace(base, **changes)


def test_entry_round_trips_through_json() -> None:
    entry = _entry("tx-1")
    data = entry.to_dict()
    assert data["time"] == "2025-03-01T12:00:00Z"
    assert data["claims"] == [["age_over_18"], ["address", "locality"], ["nationalities", None]]
    assert data["offer"] == {
        "kind": "points", "amount": "10", "unit": "points", "description": "Welcome bonus"
    }
    assert HistoryEntry.parse(data) == entry


def test_parse_accepts_claim_names_and_other_time_zones() -> None:
    data = _entry("tx-1").to_dict()
    data["claims"] = ["given_name", ["items", 0, "sku"]]
    data["time"] = "2025-03-01T13:00:00+01:00"
    entry = HistoryEntry.parse(data)
    assert entry.claims == (("given_name",), ("items", 0, "sku"))
    assert entry.time == T0
    assert entry.time.tzinfo == UTC
    tz = timezone(timedelta(hours=-5))
    assert HistoryEntry.parse({**data, "time": T0.astimezone(tz).isoformat()}).time == T0


def test_history_is_sealed_in_the_locker_oldest_first(tmp_path: Path) -> None:
    with Locker.create(tmp_path / "w", "history passphrase", kdf=KdfParams.MINIMUM) as locker:
        record_history(locker, _entry("tx-late", time=T0 + timedelta(days=1)))
        record_history(locker, _entry("tx-early", receipt="missing"))
        record_history(locker, _entry("tx-early", receipt="verified"))  # receipt arrived later
    raw = (tmp_path / "w" / "wallet.db").read_bytes()
    assert b"shop.example" not in raw and b"loyalty" not in raw
    with Locker.open(tmp_path / "w", "history passphrase") as locker:
        entries = load_history(locker)
    assert [e.transaction_id for e in entries] == ["tx-early", "tx-late"]
    assert entries[0].receipt == "verified"
    assert entries[1] == _entry("tx-late", time=T0 + timedelta(days=1))


def test_rewards_are_summed_exactly_per_verifier_kind_and_unit() -> None:
    entries = [
        _entry("1", granted=Reward("money", "0.10", "EUR")),
        _entry("2", granted=Reward("money", "0.20", "EUR")),
        _entry("3", granted=Reward("money", "1", "USD")),
        _entry("4", granted=Reward("points", "10", "points")),
        _entry("5", granted=Reward("points", "5", "points")),
        _entry("6", verifier=BANK, granted=Reward("points", "7", "points")),
        _entry("7", granted=None),
    ]
    totals = rewards_by_verifier(entries)
    assert totals == {
        RewardKey(SHOP, "money", "EUR"): Decimal("0.30"),
        RewardKey(SHOP, "money", "USD"): Decimal("1"),
        RewardKey(SHOP, "points", "points"): Decimal("15"),
        RewardKey(BANK, "points", "points"): Decimal("7"),
    }
    assert str(totals[RewardKey(SHOP, "money", "EUR")]) == "0.30"


def test_rewards_keep_precision_beyond_float_and_default_context() -> None:
    entries = [
        _entry(str(i), granted=Reward("money", "123456789012345678901.000000000001", "EUR"))
        for i in range(3)
    ]
    total = rewards_by_verifier(entries)[RewardKey(SHOP, "money", "EUR")]
    assert total == Decimal("370370367037037036703.000000000003")


def test_rewards_verified_only_counts_receipted_entries() -> None:
    entries = [
        _entry("1", receipt="verified"),
        _entry("2", receipt="missing"),
        _entry("3", receipt="invalid"),
    ]
    assert rewards_by_verifier(entries) == {RewardKey(SHOP, "points", "points"): Decimal("30")}
    assert rewards_by_verifier(entries, verified_only=True) == {
        RewardKey(SHOP, "points", "points"): Decimal("10")
    }


@pytest.mark.parametrize(
    "reward",
    [
        {"kind": "points", "amount": 10, "unit": "points"},
        {"kind": "points", "amount": "1e3", "unit": "points"},
        {"kind": "points", "amount": "-1", "unit": "points"},
        {"kind": "points", "amount": "NaN", "unit": "points"},
        {"kind": "points", "amount": "01", "unit": "points"},
        {"kind": "points", "amount": "1.", "unit": "points"},
        {"kind": "crypto", "amount": "1", "unit": "BTC"},
        {"kind": "money", "amount": "1", "unit": "euro"},
        {"kind": "money", "amount": "1"},
        "10 points",
    ],
)
def test_rejects_bad_reward(reward: Any) -> None:
    with pytest.raises(MalformedValueError) as info:
        Reward.parse(reward)
    assert info.value.code == "MALFORMED_VALUE_ERROR"


@pytest.mark.parametrize(
    "change",
    [
        {"time": "2025-03-01T12:00:00"},
        {"time": "yesterday"},
        {"receipt": "trusted"},
        {"claims": [[]]},
        {"claims": [["a", -1]]},
        {"claims": [["a", True]]},
        {"claims": "given_name"},
        {"credential_ids": [""]},
        {"verifier_did": None},
        {"purpose": ""},
        {"granted": {"kind": "points", "amount": "1.5e2", "unit": "points"}},
    ],
)
def test_rejects_bad_history_entry(change: dict[str, Any]) -> None:
    data = {**_entry("tx").to_dict(), **change}
    with pytest.raises(MalformedValueError) as info:
        HistoryEntry.parse(data)
    assert info.value.code == "MALFORMED_VALUE_ERROR"


def test_rejects_naive_time_in_constructor() -> None:
    with pytest.raises(MalformedValueError):
        _entry("tx", time=datetime(2025, 1, 1))
