"""Packed n-bit status arrays in both bit orders."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pidm.errors import MalformedValueError, StatusListLengthError
from pidm.status.packed import BitOrder, MutableStatusList, StatusList, read_status

SIZES = [1, 2, 3, 4, 5, 6, 7, 8]


def test_lsb_first_matches_ietf_figure() -> None:
    # draft-ietf-oauth-status-list-20 §4.1: statuses 1,0,0,1,1,1,0,1 | 1,1,0,0,0,1,0,1 -> b9 a3
    lst = MutableStatusList.new(16, 1, BitOrder.LSB_FIRST)
    for i, v in enumerate([1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1]):
        lst.set(i, v)
    assert bytes(lst.data) == bytes([0xB9, 0xA3])


def test_lsb_first_two_bits_matches_ietf_figure() -> None:
    lst = MutableStatusList.new(12, 2, BitOrder.LSB_FIRST)
    for i, v in enumerate([1, 2, 0, 3, 0, 1, 0, 1, 1, 2, 3, 3]):
        lst.set(i, v)
    assert bytes(lst.data) == bytes([0xC9, 0x44, 0xF9])


def test_msb_first_index_zero_is_leftmost_bit() -> None:
    lst = MutableStatusList.new(16, 1, BitOrder.MSB_FIRST)
    lst.set(0, 1)
    lst.set(9, 1)
    assert bytes(lst.data) == bytes([0x80, 0x40])


def test_msb_first_multibit_reads_left_to_right() -> None:
    lst = MutableStatusList.new(8, 2, BitOrder.MSB_FIRST)
    lst.set(0, 2)
    lst.set(3, 1)
    assert bytes(lst.data) == bytes([0b10000001, 0])


def test_three_bit_status_straddles_bytes_both_orders() -> None:
    for order in BitOrder:
        lst = MutableStatusList.new(16, 3, order)
        lst.set(2, 0b101)  # bits 6..8: crosses byte 0 -> byte 1
        lst.set(5, 0b111)  # bits 15..17
        assert [lst.get(i) for i in range(6)] == [0, 0, 5, 0, 0, 7]
    msb = MutableStatusList.new(16, 3, BitOrder.MSB_FIRST)
    msb.set(2, 0b101)
    assert bytes(msb.data[:2]) == bytes([0b00000010, 0b10000000])


def test_set_back_to_zero_clears_only_that_entry() -> None:
    lst = MutableStatusList.new(32, 2, BitOrder.MSB_FIRST)
    lst.set(4, 3)
    lst.set(5, 2)
    lst.set(4, 0)
    assert (lst.get(4), lst.get(5)) == (0, 2)


def test_out_of_range_index_is_length_error() -> None:
    lst = MutableStatusList.new(16, 1, BitOrder.MSB_FIRST).freeze()
    assert len(lst) == 16
    with pytest.raises(StatusListLengthError) as exc:
        lst.get(16)
    assert exc.value.code == "STATUS_LIST_LENGTH_ERROR"
    with pytest.raises(StatusListLengthError):
        lst.get(-1)


def test_value_too_wide_or_bad_sizes_refused() -> None:
    lst = MutableStatusList.new(16, 2, BitOrder.LSB_FIRST)
    with pytest.raises(MalformedValueError):
        lst.set(0, 4)
    with pytest.raises(MalformedValueError):
        MutableStatusList.new(16, 9, BitOrder.LSB_FIRST)
    with pytest.raises(MalformedValueError):
        StatusList(b"\0", True, BitOrder.LSB_FIRST)  # type: ignore[arg-type]
    with pytest.raises(MalformedValueError):
        lst.get("1")  # type: ignore[arg-type]


def test_freeze_and_thaw_are_copies() -> None:
    lst = MutableStatusList.new(8, 1, BitOrder.MSB_FIRST)
    frozen = lst.freeze()
    lst.set(0, 1)
    assert frozen.get(0) == 0
    thawed = frozen.thaw()
    thawed.set(1, 1)
    assert (frozen.get(1), thawed.get(1)) == (0, 1)


@settings(max_examples=60, deadline=None)
@given(
    bits=st.sampled_from(SIZES),
    order=st.sampled_from(list(BitOrder)),
    writes=st.lists(st.tuples(st.integers(0, 199), st.integers(0, 255)), max_size=60),
)
def test_matches_reference_model(bits: int, order: BitOrder, writes: list[tuple[int, int]]) -> None:
    lst = MutableStatusList.new(200, bits, order)
    model = [0] * len(lst)
    for index, value in writes:
        value &= (1 << bits) - 1
        lst.set(index, value)
        model[index] = value
    frozen = lst.freeze()
    assert [frozen.get(i) for i in range(len(model))] == model
    assert list(frozen.nonzero()) == [(i, v) for i, v in enumerate(model) if v]
    # the reference bit layout: concatenate the statuses in the declared bit order
    flat = "".join(
        format(v, f"0{bits}b") if order is BitOrder.MSB_FIRST else format(v, f"0{bits}b")[::-1]
        for v in model
    )
    flat = flat.ljust(len(frozen.data) * 8, "0")
    expected = bytes(
        int(flat[i : i + 8] if order is BitOrder.MSB_FIRST else flat[i : i + 8][::-1], 2)
        for i in range(0, len(flat), 8)
    )
    assert frozen.data == expected
    assert all(read_status(frozen.data, i, bits, order) == v for i, v in enumerate(model))
