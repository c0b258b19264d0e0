"""Contract of the verifier store, run on SQLite and PostgreSQL alike."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta

import pytest

from pidm.clock import FixedClock
from pidm.errors import Conflict
from pidm.verification import Check, CheckStatus, VerificationResult
from verifier.store import Transaction, TxStatus, VerifierStore, WebhookDelivery, open_store

from .conftest import T0, Target

MINUTE = timedelta(minutes=1)


@pytest.fixture
async def store(target: Target, clock: FixedClock) -> AsyncIterator[VerifierStore]:
    async with open_store(target.url, clock=clock, server_settings=target.settings) as s:
        yield s


def tx(n: int = 1, **changes: object) -> Transaction:
    base = Transaction(
        tx_id=f"tx-{n}",
        request_name="age-over-18",
        nonce=f"nonce-{n}",
        state=f"state-{n}",
        created_at=T0,
        expires_at=T0 + 5 * MINUTE,
        request_jwt="eyJhbGciOiJFZERTQSJ9.e30.c2ln",
        metadata={"response_code": f"rc-{n}", "offer": {"kind": "points", "amount": "10"}},
    )
    return replace(base, **changes)  # type: ignore[arg-type]


RESULT = VerificationResult(
    checks=(Check("signature", CheckStatus.PASSED), Check("status", CheckStatus.PASSED)),
    claims={"age_over_18": True},
)


async def test_transaction_round_trips(store: VerifierStore) -> None:
    await store.create(tx())
    assert await store.get("tx-1") == tx()
    assert await store.get_by_state("state-1") == tx()
    assert await store.get("tx-2") is None
    assert await store.get_by_state("state-2") is None


async def test_duplicate_id_state_or_nonce_is_conflict(store: VerifierStore) -> None:
    await store.create(tx())
    for clash in (tx(2, tx_id="tx-1"), tx(2, state="state-1"), tx(2, nonce="nonce-1")):
        with pytest.raises(Conflict) as err:
            await store.create(clash)
        assert err.value.code == "CONFLICT"


async def test_result_saved_once(store: VerifierStore, clock: FixedClock) -> None:
    await store.create(tx())
    clock.advance(MINUTE)
    done = await store.save_result("tx-1", RESULT)
    assert done.status is TxStatus.DONE and done.completed_at == T0 + MINUTE
    assert done.result == RESULT.to_json()
    assert VerificationResult.from_json(dict(done.result)).valid is True
    with pytest.raises(Conflict) as err:
        await store.save_result("tx-1", {"valid": False})
    assert "already done" in str(err.value)
    assert await store.get("tx-1") == done


async def test_concurrent_results_one_wins(store: VerifierStore) -> None:
    await store.create(tx())
    outcomes = await asyncio.gather(
        *(store.save_result("tx-1", {"attempt": i}) for i in range(10)), return_exceptions=True
    )
    winners = [o for o in outcomes if isinstance(o, Transaction)]
    assert len(winners) == 1
    assert all(isinstance(o, Conflict) for o in outcomes if o not in winners)
    stored = await store.get("tx-1")
    assert stored is not None and stored.result == winners[0].result


async def test_rejects_result_for_unknown_or_expired(
    store: VerifierStore, clock: FixedClock
) -> None:
    with pytest.raises(Conflict, match="unknown"):
        await store.save_result("tx-9", RESULT)
    await store.create(tx())
    clock.advance(5 * MINUTE)
    with pytest.raises(Conflict, match="expired"):
        await store.save_result("tx-1", RESULT)
    assert await store.expire_due() == 1
    with pytest.raises(Conflict, match="already expired"):
        await store.save_result("tx-1", RESULT)
    got = await store.get("tx-1")
    assert got is not None and got.status is TxStatus.EXPIRED and got.result is None


async def test_expire_due_leaves_live_and_done(store: VerifierStore, clock: FixedClock) -> None:
    await store.create(tx(1))
    await store.create(tx(2, expires_at=T0 + 60 * MINUTE))
    await store.create(tx(3))
    await store.save_result("tx-3", RESULT)
    clock.advance(10 * MINUTE)
    assert await store.expire_due() == 1
    statuses = [(await store.get(f"tx-{n}")) for n in (1, 2, 3)]
    assert [t.status for t in statuses if t] == [TxStatus.EXPIRED, TxStatus.PENDING, TxStatus.DONE]


async def test_request_jwt_set_while_pending(store: VerifierStore) -> None:
    await store.create(tx(request_jwt=None))
    await store.set_request_jwt("tx-1", "a.b.c")
    got = await store.get("tx-1")
    assert got is not None and got.request_jwt == "a.b.c"
    await store.save_result("tx-1", RESULT)
    with pytest.raises(Conflict):
        await store.set_request_jwt("tx-1", "x.y.z")
    with pytest.raises(Conflict):
        await store.set_request_jwt("tx-9", "x.y.z")


async def test_nonce_consumed_once(store: VerifierStore) -> None:
    assert await store.consume_nonce("n", expires=T0 + MINUTE) is True
    assert await store.consume_nonce("n", expires=T0 + MINUTE) is False
    assert await store.consume_nonce("other", expires=T0 + MINUTE) is True


async def test_rejects_replayed_nonce_under_concurrency(store: VerifierStore) -> None:
    results = await asyncio.gather(
        *(store.consume_nonce("n", expires=T0 + MINUTE) for _ in range(25))
    )
    assert results.count(True) == 1


async def test_nonce_replay_refused_across_store_instances(
    target: Target, clock: FixedClock
) -> None:
    async with (
        open_store(target.url, clock=clock, server_settings=target.settings) as a,
        open_store(target.url, clock=clock, server_settings=target.settings) as b,
    ):
        assert await a.consume_nonce("n", expires=T0 + MINUTE) is True
        assert await b.consume_nonce("n", expires=T0 + MINUTE) is False


async def test_purge(store: VerifierStore, clock: FixedClock) -> None:
    await store.create(tx(1))
    await store.create(tx(2, expires_at=T0 + 60 * MINUTE))
    await store.enqueue_webhook("tx-1", "https://rp.example/hook")
    await store.consume_nonce("old", expires=T0 + MINUTE)
    await store.consume_nonce("new", expires=T0 + 60 * MINUTE)
    clock.advance(10 * MINUTE)
    assert await store.purge(before=clock.now()) == 2  # tx-1 and nonce "old"
    assert await store.get("tx-1") is None and await store.get("tx-2") is not None
    assert await store.claim_webhooks(lease=MINUTE) == []
    assert await store.consume_nonce("new", expires=T0 + 60 * MINUTE) is False


async def test_webhook_lifecycle(store: VerifierStore, clock: FixedClock) -> None:
    await store.create(tx(1))
    await store.create(tx(2))
    await store.enqueue_webhook("tx-1", "https://rp.example/hook")
    await store.enqueue_webhook("tx-2", "https://rp.example/hook")
    with pytest.raises(Conflict):
        await store.enqueue_webhook("tx-1", "https://rp.example/hook")
    claimed = await store.claim_webhooks(lease=MINUTE)
    assert [w.tx_id for w in claimed] == ["tx-1", "tx-2"]
    assert claimed[0] == WebhookDelivery("tx-1", "https://rp.example/hook", 0, T0 + MINUTE)
    assert await store.claim_webhooks(lease=MINUTE) == []  # leased
    await store.record_webhook_attempt("tx-1", delivered=True)
    await store.record_webhook_attempt(
        "tx-2", delivered=False, retry_at=T0 + 2 * MINUTE, error="HTTP 503"
    )
    clock.advance(2 * MINUTE)
    again = await store.claim_webhooks(lease=MINUTE, limit=5)
    assert [(w.tx_id, w.attempts, w.last_error) for w in again] == [("tx-2", 1, "HTTP 503")]
    await store.record_webhook_attempt("tx-2", delivered=False, retry_at=None, error="gone")
    clock.advance(60 * MINUTE)
    assert await store.claim_webhooks(lease=MINUTE) == []
    with pytest.raises(Conflict):
        await store.record_webhook_attempt("tx-9", delivered=True)


async def test_webhook_claims_do_not_overlap(target: Target, clock: FixedClock) -> None:
    async with (
        open_store(target.url, clock=clock, server_settings=target.settings) as a,
        open_store(target.url, clock=clock, server_settings=target.settings) as b,
    ):
        for n in range(20):
            await a.create(tx(n))
            await a.enqueue_webhook(f"tx-{n}", "https://rp.example/hook")
        batches = await asyncio.gather(
            *(s.claim_webhooks(limit=3, lease=MINUTE) for s in (a, b) * 5)
        )
    claimed = [w.tx_id for batch in batches for w in batch]
    assert len(claimed) == len(set(claimed)) == 20


async def test_result_survives_restart(target: Target, clock: FixedClock) -> None:
    async with open_store(target.url, clock=clock, server_settings=target.settings) as s:
        await s.create(tx())
        await s.save_result("tx-1", RESULT)
    async with open_store(target.url, clock=clock, server_settings=target.settings) as s:
        got = await s.get("tx-1")
        assert got is not None and got.status is TxStatus.DONE
        assert got.result == RESULT.to_json()
