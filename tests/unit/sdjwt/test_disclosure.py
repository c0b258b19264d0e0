"""Disclosure encoding and the fast/strict decoding paths agreeing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pidm.encoding import b64url_encode
from pidm.errors import DisclosureInvalid, PidmError
from pidm.jose import json_loads
from pidm.sdjwt import Disclosure, sd_digest
from pidm.sdjwt.disclosure import parse_disclosures

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner,
                                                                 max_size=3),
    max_leaves=10,
)


def _strict(encoded: str) -> Any:
    """The reference decoding: strict json_loads, then the same shape rules."""
    from pidm.encoding import b64url_decode

    parts = json_loads(b64url_decode(encoded))
    if not isinstance(parts, list) or len(parts) not in (2, 3) or not isinstance(parts[0], str):
        raise DisclosureInvalid("shape")
    if len(parts) == 3 and (not isinstance(parts[1], str) or parts[1] in ("_sd", "...")):
        raise DisclosureInvalid("name")
    return parts


@settings(max_examples=300, deadline=None)
@given(st.one_of(
    st.tuples(st.text(max_size=6), st.one_of(st.none(), st.text(max_size=6)), JSON).map(
        lambda t: json.dumps([t[0], t[2]] if t[1] is None else list(t))
    ),
    st.lists(JSON, max_size=4).map(json.dumps),
    st.sampled_from(['["s", NaN]', '["s", Infinity]', ' ["s", 1]', '["s", 1] ', '["s",1]x',
                     '["s", "n", {"a": 1, "a": 2}]', "[" * 80 + "]" * 80, '["s", "\\ud800"]',
                     '["s", 1],["t", 2]', '["s"', "", "[]"]),
))
def test_fast_and_strict_decoding_agree(text: str) -> None:
    encoded = b64url_encode(text.encode("utf-8", "surrogatepass"))
    try:
        expected: Any = (_strict(encoded), sd_digest(encoded))
    except PidmError:
        expected = None
    try:
        parsed = Disclosure.parse(encoded)
        got: Any = (parsed.to_json(), parsed.digest)
    except DisclosureInvalid:
        got = None
    assert got == expected
    assert parse_disclosures((encoded, encoded)) == (parsed, parsed) if got else True


@pytest.mark.parametrize("encoded", [
    "WyJzIiwgMV0=",  # padded
    "WyJzIiwgMV1",  # non-zero unused bits in the last character
    "WyJzIiwgMV0+",  # standard alphabet
    "WyJzIiwg MV0",  # whitespace
    "WyJzIiwgMVé",  # not ASCII
    "WyJzIiwgMV0A0",  # length 1 mod 4
])
def test_non_canonical_base64url_is_refused(encoded: str) -> None:
    with pytest.raises(DisclosureInvalid, match="base64url"):
        parse_disclosures((Disclosure.create("s", None, 1).encoded, encoded))


def test_create_matches_parse() -> None:
    made = Disclosure.create("salt", "given_name", {"a": [1, "ö"]})
    parsed = Disclosure.parse(made.encoded)
    assert parsed == made
    assert made.digest == sd_digest(made.encoded)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), {1, 2}, b"x"])
def test_create_refuses_non_json(value: object) -> None:
    with pytest.raises(PidmError) as info:
        Disclosure.create("salt", "x", value)
    assert info.value.code == "MALFORMED_VALUE_ERROR"
