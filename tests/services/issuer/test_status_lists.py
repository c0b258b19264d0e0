"""Status list bookkeeping: bit-order conversion for the Token Status List, allocation across
full lists, status transitions, and the publisher signing once per list version."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from issuer.config import load_config, load_signing_key
from issuer.init import init_issuer
from issuer.publisher import StatusPublisher, to_lsb_first
from issuer.status_lists import TOKEN, StatusAllocator, change_status
from issuer.store import open_store
from issuer.store.base import CredentialRecord, CredentialStatus, write_entry
from pidm.clock import FixedClock
from pidm.errors import Conflict
from pidm.jose import decode_jwt
from pidm.status.packed import BitOrder, StatusList
from pidm.status.token import decode_lst
from tests.services.issuer.helpers import T0


@given(st.sampled_from([1, 2, 4, 8]), st.lists(st.integers(0, 255), min_size=4, max_size=64))
def test_lsb_first_conversion_keeps_every_entry(bits: int, values: list[int]) -> None:
    count = len(values) * 8 // bits // 8 * 8 or 8
    msb = bytearray(count * bits // 8)
    expected = [v % (1 << bits) for v in (values * 8)[:count]]
    for index, value in enumerate(expected):
        write_entry(msb, index, bits, value)
    lsb = StatusList(to_lsb_first(bytes(msb), bits), bits, BitOrder.LSB_FIRST)
    assert [lsb.get(i) for i in range(count)] == expected


def test_lsb_first_matches_the_draft_example() -> None:
    # draft-ietf-oauth-status-list §4.1: statuses 1,0,0,1,1,1,0,1 (1 bit) pack to 0xB9.
    msb = bytearray(1)
    for index, value in enumerate([1, 0, 0, 1, 1, 1, 0, 1]):
        write_entry(msb, index, 1, value)
    assert to_lsb_first(bytes(msb), 1) == b"\xb9"


def counter_rng() -> Callable[[int], bytes]:
    """A deterministic rng whose every call returns different bytes."""
    counter = itertools.count(1)
    return lambda n: hashlib.shake_256(str(next(counter)).encode()).digest(n)


@pytest.fixture
async def parts(tmp_path: Path):  # type: ignore[no-untyped-def]
    result = init_issuer(tmp_path, public_url="http://127.0.0.1:9")
    config = load_config(result.config_path)
    clock = FixedClock(T0)
    store = open_store(config.store_dsn, clock=clock)
    await store.open()
    try:
        yield config, store, clock
    finally:
        await store.close()


async def test_allocator_opens_a_new_list_when_full(parts) -> None:  # type: ignore[no-untyped-def]
    config, store, clock = parts
    allocator = StatusAllocator(store, clock, 8, counter_rng())
    entries = [await allocator.allocate(TOKEN) for _ in range(10)]
    first_list = entries[0].list_id
    assert [e.list_id for e in entries[:8]] == [first_list] * 8
    assert sorted(e.index for e in entries[:8]) == list(range(8))
    assert entries[8].list_id != first_list and entries[8].list_id.startswith("tok-")
    fresh = StatusAllocator(store, clock, 8, counter_rng())  # a restarted process
    assert (await fresh.allocate(TOKEN)).list_id == entries[8].list_id


async def test_token_publisher_signs_once_per_version(parts) -> None:  # type: ignore[no-untyped-def]
    config, store, clock = parts
    allocator = StatusAllocator(store, clock, 16, counter_rng())
    entry = await allocator.allocate(TOKEN)
    record = CredentialRecord("urn:uuid:1", "x_sd_jwt", "dc+sd-jwt", T0, "thumb",
                              entry.list_id, entry.index)
    await store.record_credential(record)
    publisher = StatusPublisher(config, store, load_signing_key(config), clock)
    first = await publisher.get(TOKEN, entry.list_id)
    clock.advance(timedelta(seconds=10))
    assert await publisher.get(TOKEN, entry.list_id) is first
    updated, changed = await change_status(store, record, CredentialStatus.SUSPENDED)
    assert changed == [entry.list_id] and updated.status is CredentialStatus.SUSPENDED
    second = await publisher.get(TOKEN, entry.list_id)
    assert second.version == first.version + 1
    claims = decode_jwt(second.body.decode()).payload
    assert decode_lst(claims["status_list"]["lst"], 2).get(entry.index) == 2
    assert claims["ttl"] == config.status_list_ttl and claims["iss"] == config.did
    clock.advance(timedelta(seconds=config.status_list_validity))  # past half its validity
    assert (await publisher.get(TOKEN, entry.list_id)).signed_at == clock.now()
    revoked, _ = await change_status(store, updated, CredentialStatus.REVOKED)
    with pytest.raises(Conflict, match="revocation is final"):
        await change_status(store, revoked, CredentialStatus.VALID)
    stored = await store.load(entry.list_id)
    assert stored is not None and stored.value(entry.index) == 1
