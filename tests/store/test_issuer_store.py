"""Contract of the issuer store, run on SQLite and PostgreSQL alike."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest

from issuer.store import (
    AccessToken,
    CredentialRecord,
    CredentialStatus,
    IssuerStore,
    Offer,
    StatusList,
    StatusListFull,
    open_store,
    secret_hash,
)
from pidm.clock import FixedClock
from pidm.errors import Conflict, MalformedValueError

from .conftest import T0, Target

MINUTE = timedelta(minutes=1)


def make(target: Target, clock: FixedClock) -> IssuerStore:
    return open_store(target.url, clock=clock, server_settings=target.settings)


@pytest.fixture
async def store(target: Target, clock: FixedClock) -> AsyncIterator[IssuerStore]:
    async with make(target, clock) as s:
        yield s


def offer(n: int = 1, *, expires: datetime = T0 + 10 * MINUTE, tx: str | None = None) -> Offer:
    return Offer(
        offer_id=f"offer-{n}",
        configuration_ids=("PersonCredential", "EmailCredential"),
        subject={"given_name": "Ada", "age": 36, "address": {"locality": "Basel"}},
        pre_auth_code_hash=secret_hash(f"code-{n}"),
        created_at=T0,
        expires_at=expires,
        tx_code_hash=None if tx is None else secret_hash(tx),
    )


def status_list(list_id: str = "L1", size: int = 64, status_size: int = 1) -> StatusList:
    return StatusList(list_id, "revocation", size, T0, status_size=status_size)


# --- offers --------------------------------------------------------------------------------------
async def test_offer_round_trips(store: IssuerStore) -> None:
    await store.create_offer(offer(tx="1234"))
    got = await store.get_offer("offer-1")
    assert got == offer(tx="1234")
    assert await store.find_offer_by_code(secret_hash("code-1")) == got
    assert await store.get_offer("nope") is None
    assert await store.find_offer_by_code(secret_hash("nope")) is None


async def test_duplicate_offer_is_conflict(store: IssuerStore) -> None:
    await store.create_offer(offer())
    with pytest.raises(Conflict) as err:
        await store.create_offer(offer())
    assert err.value.code == "CONFLICT"


async def test_offer_redeems_once(store: IssuerStore, clock: FixedClock) -> None:
    await store.create_offer(offer())
    first = await store.redeem_offer(secret_hash("code-1"))
    assert first is not None and first.used_at == clock.now()
    assert first.subject["address"] == {"locality": "Basel"}
    assert await store.redeem_offer(secret_hash("code-1")) is None
    stored = await store.get_offer("offer-1")
    assert stored is not None and stored.used_at == T0


async def test_concurrent_redemptions_one_wins(store: IssuerStore) -> None:
    await store.create_offer(offer())
    results = await asyncio.gather(*(store.redeem_offer(secret_hash("code-1")) for _ in range(12)))
    assert sum(r is not None for r in results) == 1


async def test_expired_offer_does_not_redeem(store: IssuerStore, clock: FixedClock) -> None:
    await store.create_offer(offer(expires=T0 + MINUTE))
    clock.advance(MINUTE)
    assert await store.redeem_offer(secret_hash("code-1")) is None


async def test_tx_failures_count_up_and_void_at_the_limit(store: IssuerStore) -> None:
    await store.create_offer(offer(tx="1234"))
    code = secret_hash("code-1")
    assert [await store.record_tx_failure(code, limit=3) for _ in range(2)] == [1, 2]
    stored = await store.get_offer("offer-1")
    assert stored is not None and (stored.tx_failures, stored.used_at) == (2, None)
    assert await store.record_tx_failure(code, limit=3) == 3
    voided = await store.get_offer("offer-1")
    assert voided is not None and (voided.tx_failures, voided.used_at) == (3, T0)
    assert await store.record_tx_failure(code, limit=3) is None  # void: nothing more counted
    assert await store.redeem_offer(code) is None
    assert await store.record_tx_failure(secret_hash("nope"), limit=3) is None


async def test_concurrent_tx_failures_are_all_counted(store: IssuerStore) -> None:
    await store.create_offer(offer(tx="1234"))
    code = secret_hash("code-1")
    counts = await asyncio.gather(*(store.record_tx_failure(code, limit=5) for _ in range(8)))
    assert sorted(c for c in counts if c is not None) == [1, 2, 3, 4, 5]
    assert counts.count(None) == 3
    stored = await store.get_offer("offer-1")
    assert stored is not None and stored.tx_failures == 5 and stored.used_at == T0


async def test_tx_failures_not_counted_on_used_or_expired_offers(
    store: IssuerStore, clock: FixedClock
) -> None:
    await store.create_offer(offer(1, tx="1234"))
    await store.create_offer(offer(2, tx="1234", expires=T0 + MINUTE))
    assert await store.redeem_offer(secret_hash("code-1")) is not None
    assert await store.record_tx_failure(secret_hash("code-1"), limit=5) is None
    clock.advance(MINUTE)
    assert await store.record_tx_failure(secret_hash("code-2"), limit=5) is None
    stored = [await store.get_offer(f"offer-{n}") for n in (1, 2)]
    assert [s.tx_failures for s in stored if s is not None] == [0, 0]


# --- tokens and nonces ---------------------------------------------------------------------------
async def test_token_lookup_and_expiry(store: IssuerStore, clock: FixedClock) -> None:
    await store.create_offer(offer())
    token = AccessToken(secret_hash("tok"), "offer-1", T0 + 5 * MINUTE)
    await store.save_token(token)
    assert await store.get_token(secret_hash("tok")) == token
    clock.advance(5 * MINUTE)
    assert await store.get_token(secret_hash("tok")) is None


async def test_token_for_unknown_offer_is_conflict(store: IssuerStore) -> None:
    with pytest.raises(Conflict):
        await store.save_token(AccessToken("h", "no-such-offer", T0 + MINUTE))


async def test_nonce_is_single_use(store: IssuerStore) -> None:
    await store.add_nonce("n-1", expires=T0 + MINUTE)
    assert await store.consume_nonce("n-1") is True
    assert await store.consume_nonce("n-1") is False
    assert await store.consume_nonce("never-issued") is False
    await store.add_nonce("n-2", expires=T0 + MINUTE)
    with pytest.raises(Conflict):
        await store.add_nonce("n-2", expires=T0 + MINUTE)


async def test_concurrent_nonce_use_one_wins(store: IssuerStore) -> None:
    await store.add_nonce("n-1", expires=T0 + MINUTE)
    results = await asyncio.gather(*(store.consume_nonce("n-1") for _ in range(20)))
    assert results.count(True) == 1


async def test_expired_nonce_is_refused(store: IssuerStore, clock: FixedClock) -> None:
    await store.add_nonce("n-1", expires=T0 + MINUTE)
    clock.advance(MINUTE)
    assert await store.consume_nonce("n-1") is False


async def test_purge_removes_expired_rows_only(store: IssuerStore, clock: FixedClock) -> None:
    await store.create_offer(offer(1, expires=T0 + MINUTE))
    await store.create_offer(offer(2, expires=T0 + MINUTE))
    await store.create_offer(offer(3, expires=T0 + 60 * MINUTE))
    await store.save_token(AccessToken("live", "offer-2", T0 + 30 * MINUTE))
    await store.add_nonce("old", expires=T0 + MINUTE)
    await store.add_nonce("new", expires=T0 + 60 * MINUTE)
    clock.advance(2 * MINUTE)
    assert await store.purge_expired() == 2  # nonce "old", offer-1 (offer-2 has a live token)
    assert await store.get_offer("offer-1") is None
    assert await store.get_offer("offer-2") is not None
    assert await store.get_offer("offer-3") is not None
    assert await store.consume_nonce("new") is True


# --- credentials ---------------------------------------------------------------------------------
def record(n: int, index: int | None, *, holder: str = "thumb-a") -> CredentialRecord:
    return CredentialRecord(
        credential_id=f"urn:uuid:{n}",
        configuration_id="PersonCredential",
        format="dc+sd-jwt",
        issued_at=T0 + n * MINUTE,
        holder_thumbprint=holder,
        status_list_id=None if index is None else "L1",
        status_index=index,
        expires_at=T0 + timedelta(days=365),
    )


async def test_credential_records_round_trip_and_filter(store: IssuerStore) -> None:
    await store.create_status_list(status_list())
    await store.record_credential(record(1, 5))
    await store.record_credential(record(2, 6, holder="thumb-b"))
    await store.record_credential(record(3, None))
    assert await store.get_credential("urn:uuid:1") == record(1, 5)
    assert await store.get_credential("urn:uuid:9") is None
    everything = await store.list_credentials()
    assert [r.credential_id for r in everything] == ["urn:uuid:3", "urn:uuid:2", "urn:uuid:1"]
    mine = await store.list_credentials(holder_thumbprint="thumb-a", limit=1)
    assert [r.credential_id for r in mine] == ["urn:uuid:3"]
    assert [r.credential_id for r in await store.list_credentials(offset=2)] == ["urn:uuid:1"]


async def test_status_entry_cannot_be_shared(store: IssuerStore) -> None:
    await store.create_status_list(status_list())
    await store.record_credential(record(1, 5))
    with pytest.raises(Conflict):
        await store.record_credential(record(2, 5))


async def test_revocation_updates_record_and_bits_together(store: IssuerStore) -> None:
    await store.create_status_list(status_list())
    await store.record_credential(record(1, 9))
    updated = await store.set_credential_status(
        "urn:uuid:1", CredentialStatus.REVOKED, list_value=1
    )
    assert updated is not None and updated.status is CredentialStatus.REVOKED
    state = await store.load("L1")
    assert state is not None and state.value(9) == 1 and state.version == 1
    assert state.bits[1] == 0b0100_0000  # entry 9: second byte, second bit from the left
    got = await store.get_credential("urn:uuid:1")
    assert got is not None and got.status is CredentialStatus.REVOKED
    assert (await store.list_credentials(status=CredentialStatus.REVOKED))[0] == got


async def test_revocation_is_final(store: IssuerStore) -> None:
    await store.create_status_list(status_list())
    await store.record_credential(record(1, 9))
    await store.set_credential_status("urn:uuid:1", CredentialStatus.REVOKED)
    with pytest.raises(Conflict):
        await store.set_credential_status("urn:uuid:1", CredentialStatus.VALID, list_value=0)
    state = await store.load("L1")
    assert state is not None and state.version == 0  # the refused change touched nothing
    again = await store.set_credential_status("urn:uuid:1", "revoked")  # type: ignore[arg-type]
    assert again is not None and again.status is CredentialStatus.REVOKED
    assert await store.set_credential_status("urn:uuid:9", CredentialStatus.REVOKED) is None


async def test_suspension_can_be_lifted(store: IssuerStore) -> None:
    await store.create_status_list(status_list())
    await store.record_credential(record(1, 3))
    await store.set_credential_status("urn:uuid:1", CredentialStatus.SUSPENDED, list_value=1)
    await store.set_credential_status("urn:uuid:1", CredentialStatus.VALID, list_value=0)
    state = await store.load("L1")
    assert state is not None and state.value(3) == 0 and state.version == 2


# --- status lists --------------------------------------------------------------------------------
async def test_new_status_list_is_all_zero(store: IssuerStore) -> None:
    created = await store.create_status_list(status_list(size=16, status_size=2))
    loaded = await store.load("L1")
    assert loaded == created
    assert loaded.bits == bytes(4) and loaded.version == 0 and loaded.allocated == 0
    assert await store.load("L2") is None
    with pytest.raises(Conflict):
        await store.create_status_list(status_list(size=16))


async def test_set_status_multi_bit(store: IssuerStore, clock: FixedClock) -> None:
    await store.create_status_list(status_list(size=16, status_size=2))
    clock.advance(MINUTE)
    assert await store.set_status("L1", 0, 3) == 1
    assert await store.set_status("L1", 5, 2) == 2
    state = await store.load("L1")
    assert state is not None
    assert state.bits == bytes([0b1100_0000, 0b0010_0000, 0, 0])
    assert [state.value(i) for i in range(8)] == [3, 0, 0, 0, 0, 2, 0, 0]
    assert state.updated_at == T0 + MINUTE and state.created_at == T0


async def test_rejects_out_of_range_entries(store: IssuerStore) -> None:
    await store.create_status_list(status_list(size=16, status_size=2))
    with pytest.raises(MalformedValueError):
        await store.set_status("L1", 16, 1)
    with pytest.raises(MalformedValueError):
        await store.set_status("L1", -1, 1)
    with pytest.raises(MalformedValueError):
        await store.set_status("L1", 0, 4)
    with pytest.raises(Conflict):
        await store.set_status("nope", 0, 1)
    with pytest.raises(Conflict):
        await store.allocate_index("nope")


async def test_rejects_bad_list_parameters(store: IssuerStore) -> None:
    for bad in (status_list(size=12), status_list(size=0), status_list(status_size=3)):
        with pytest.raises(MalformedValueError):
            await store.create_status_list(bad)
    assert await store.list_status_lists() == []


async def test_lists_are_listed_by_purpose(store: IssuerStore) -> None:
    await store.create_status_list(status_list("A"))
    await store.create_status_list(StatusList("B", "suspension", 8, T0))
    assert [s.list_id for s in await store.list_status_lists()] == ["A", "B"]
    assert [s.list_id for s in await store.list_status_lists(purpose="suspension")] == ["B"]


async def test_allocation_fills_a_list_then_reports_full(store: IssuerStore) -> None:
    await store.create_status_list(status_list(size=16))
    got = [await store.allocate_index("L1") for _ in range(16)]
    assert sorted(got) == list(range(16))
    with pytest.raises(StatusListFull) as err:
        await store.allocate_index("L1")
    assert err.value.code == "CONFLICT" and "full" in str(err.value)
    state = await store.load("L1")
    assert state is not None and state.allocated == 16


async def test_allocation_is_random(target: Target, clock: FixedClock) -> None:
    draws = iter([b"\x00\x07", b"\x00\x07", b"\x01\x00"])
    async with open_store(
        target.url, clock=clock, rng=lambda n: next(draws), server_settings=target.settings
    ) as store:
        await store.create_status_list(status_list(size=1024))
        assert await store.allocate_index("L1") == 7
        assert await store.allocate_index("L1") == 256  # 7 is taken: drawn again


async def test_concurrent_allocations_never_repeat(store: IssuerStore) -> None:
    await store.create_status_list(status_list(size=256))
    got = await asyncio.gather(*(store.allocate_index("L1") for _ in range(256)))
    assert sorted(got) == list(range(256))


async def test_revocation_survives_restart(target: Target, clock: FixedClock) -> None:
    async with make(target, clock) as store:
        await store.create_status_list(status_list(size=64))
        index = await store.allocate_index("L1")
        await store.record_credential(record(1, index))
        await store.set_credential_status("urn:uuid:1", CredentialStatus.REVOKED, list_value=1)
    async with make(target, clock) as again:
        state = await again.load("L1")
        assert state is not None and state.value(index) == 1 and state.version == 1
        got = await again.get_credential("urn:uuid:1")
        assert got is not None and got.status is CredentialStatus.REVOKED
        assert await again.allocate_index("L1") != index


async def test_rejects_naive_datetimes(store: IssuerStore) -> None:
    with pytest.raises(TypeError):
        await store.add_nonce("n", expires=datetime(2025, 1, 1))


async def test_rejects_text_the_database_cannot_hold(target: Target, store: IssuerStore) -> None:
    # A lone surrogate cannot be encoded for either database; PostgreSQL text refuses NUL too.
    bad = ["a\ud800"] + (["a\x00b"] if target.kind == "postgres" else [])
    for text in bad:
        with pytest.raises(MalformedValueError):
            await store.get_credential(text)
        with pytest.raises(MalformedValueError):
            await store.consume_nonce(text)
    if target.kind == "sqlite":
        assert await store.get_credential("a\x00b") is None
    assert await store.consume_nonce("fine") is False  # the store still answers afterwards
