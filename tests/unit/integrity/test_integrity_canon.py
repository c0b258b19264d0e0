"""RDFC-1.0 canonical N-Quads (escaping, labelling, work limits) and JCS."""

from __future__ import annotations

import random
from typing import Any

import pytest
import rfc8785
from pyld.nquads import serialize_nquad

from pidm.errors import CanonicalizationLimit, DataLossDetected, MalformedValueError
from pidm.integrity.canon import Limits, canonicalize_jcs, canonicalize_rdfc, nquad, rdfc10

S = {"type": "IRI", "value": "urn:ex:s"}
P = {"type": "IRI", "value": "urn:ex:p"}


def literal(value: str, datatype: str = "http://www.w3.org/2001/XMLSchema#string",
            **extra: str) -> dict[str, Any]:
    return {"subject": S, "predicate": P,
            "object": {"type": "literal", "value": value, "datatype": datatype, **extra}}


def bnode(label: str) -> dict[str, str]:
    return {"type": "blank node", "value": label}


@pytest.mark.parametrize("value, written", [
    ("\b\t\n\f\r\"\\", '\\b\\t\\n\\f\\r\\"\\\\'),
    ("\x00\x07\x0b\x0e\x1f\x7f", "\\u0000\\u0007\\u000B\\u000E\\u001F\\u007F"),
    ("\ud800\ufffe\uffff", "\\uD800\\uFFFE\\uFFFF"),
    ("é \u00a0 \U0001f303 '", "é \u00a0 \U0001f303 '"),
])
def test_literals_use_rdfc10_escapes(value: str, written: str) -> None:
    assert nquad(literal(value)) == f'<urn:ex:s> <urn:ex:p> "{written}" .\n'


def test_pyld_writes_the_pre_rdfc_form() -> None:
    # the reason pidm serializes N-Quads itself: pyld leaves BS/FF/control characters raw
    assert serialize_nquad(literal("\b\f\x01")) == '<urn:ex:s> <urn:ex:p> "\b\f\x01" .\n'
    assert nquad(literal("\b\f\x01")) == '<urn:ex:s> <urn:ex:p> "\\b\\f\\u0001" .\n'


def test_typed_and_language_literals() -> None:
    assert nquad(literal("1", "http://www.w3.org/2001/XMLSchema#integer")) == (
        '<urn:ex:s> <urn:ex:p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .\n')
    lang = literal("hi", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString", language="en-GB")
    assert nquad(lang) == '<urn:ex:s> <urn:ex:p> "hi"@en-GB .\n'


@pytest.mark.parametrize("iri", ["urn:a b", "urn:a> <urn:b", 'urn:"', "urn:a\\u0020", "urn:{x}",
                                 "urn:\ud800", "urn:a\udfffb"])
def test_iris_that_cannot_be_written_are_refused(iri: str) -> None:
    quad = {"subject": {"type": "IRI", "value": iri}, "predicate": P, "object": S}
    with pytest.raises(DataLossDetected):
        nquad(quad)


def test_bad_language_tag_is_refused() -> None:
    quad = literal("x", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString",
                   language='en" .\n<urn:x')
    with pytest.raises(DataLossDetected):
        nquad(quad)


@pytest.mark.parametrize("language", ["en\n", "\nen", "en-GB\n"])
def test_language_tag_with_a_newline_is_refused(language: str) -> None:
    # a trailing newline once passed the BCP 47 check and split the canonical quad in two lines
    quad = literal("x", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString", language=language)
    with pytest.raises(DataLossDetected):
        nquad(quad)


def test_jsonld_literal_with_control_characters() -> None:
    doc = {"@context": {"note": "urn:ex:note"}, "@id": "urn:ex:s", "note": "a\bb\fc\u0001"}
    assert canonicalize_rdfc(doc) == '<urn:ex:s> <urn:ex:note> "a\\bb\\fc\\u0001" .\n'


def test_blank_nodes_get_canonical_labels_whatever_their_input_labels() -> None:
    def cycle(a: str, b: str) -> dict[str, Any]:
        return {"@default": [{"subject": bnode(a), "predicate": P, "object": bnode(b)},
                             {"subject": bnode(b), "predicate": P, "object": bnode(a)}]}

    expected = "_:c14n0 <urn:ex:p> _:c14n1 .\n_:c14n1 <urn:ex:p> _:c14n0 .\n"
    assert rdfc10(cycle("_:x", "_:y")) == expected
    assert rdfc10(cycle("_:b9", "_:a1")) == expected


def test_named_graphs_are_serialized() -> None:
    dataset = {"urn:ex:g": [literal("x")], "_:g": [literal("y")]}
    assert rdfc10(dataset) == ('<urn:ex:s> <urn:ex:p> "x" <urn:ex:g> .\n'
                               '<urn:ex:s> <urn:ex:p> "y" _:c14n0 .\n')


def clique(n: int) -> dict[str, Any]:
    return {"@default": [{"subject": bnode(f"_:n{i}"), "predicate": P, "object": bnode(f"_:n{j}")}
                         for i in range(n) for j in range(n)]}


def test_clique_exceeds_the_work_limit() -> None:
    with pytest.raises(CanonicalizationLimit) as info:
        rdfc10(clique(10))
    assert info.value.code == "CANONICALIZATION_LIMIT"


def test_small_clique_is_within_the_limit() -> None:
    lines = rdfc10(clique(3)).splitlines()
    assert len(lines) == 9 and lines[0] == "_:c14n0 <urn:ex:p> _:c14n0 ."


def test_long_chain_of_indistinguishable_nodes_is_bounded() -> None:
    n = 2000
    dataset = {"@default": [{"subject": bnode(f"_:n{i}"), "predicate": P,
                             "object": bnode(f"_:n{(i + 1) % n}")} for i in range(n)]}
    with pytest.raises(CanonicalizationLimit):
        rdfc10(dataset)


def test_quad_and_blank_node_counts_are_bounded() -> None:
    with pytest.raises(CanonicalizationLimit, match="quads"):
        rdfc10({"@default": [literal(str(i)) for i in range(11)]}, limits=Limits(max_quads=10))
    with pytest.raises(CanonicalizationLimit, match="blank nodes"):
        rdfc10(clique(3), limits=Limits(max_blank_nodes=2))


def test_unknown_internal_hash_is_refused() -> None:
    with pytest.raises(MalformedValueError):
        rdfc10({}, hash_name="md5")


def test_sha384_changes_only_the_labelling_hash() -> None:
    assert rdfc10(clique(2), hash_name="sha384").count("_:c14n") == 8


def test_jcs_sorts_keys_and_normalizes_numbers() -> None:
    assert canonicalize_jcs({"b": 1.0, "a": [1e21, "é"]}) == '{"a":[1e+21,"é"],"b":1}'.encode()


@pytest.mark.parametrize("value", [float("nan"), float("inf"), {1: "x"}])
def test_jcs_refuses_values_json_cannot_carry(value: Any) -> None:
    with pytest.raises(MalformedValueError):
        canonicalize_jcs({"v": value})


# --- JCS fast path (C json encoder) against the rfc8785 reference ------------------------------
_CHARS = ["a", "Z", "0", " ", '"', "\\", "/", "\b", "\t", "\n", "\f", "\r", "\x00", "\x1f",
          "\x7f", "é", "\u2028", "\ue000", "\ufffd", "\U0001f600", "\U00010000", "€"]


def _random_json(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(8 if depth < 4 else 5)
    if kind == 0:
        return rng.choice([None, True, False])
    if kind == 1:
        return rng.choice([0, -1, 1, 2**53 - 1, -(2**53 - 1), rng.randrange(-10**9, 10**9)])
    if kind in (2, 3, 4):
        return "".join(rng.choice(_CHARS) for _ in range(rng.randrange(6)))
    if kind == 5:
        return [_random_json(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {"".join(rng.choice(_CHARS) for _ in range(rng.randrange(4))):
            _random_json(rng, depth + 1) for _ in range(rng.randrange(5))}


def test_jcs_matches_rfc8785_on_random_json() -> None:
    rng = random.Random(8785)
    for _ in range(2000):
        value = _random_json(rng)
        assert canonicalize_jcs(value) == rfc8785.dumps(value), value


def test_jcs_orders_keys_by_utf16_code_units() -> None:
    # U+1F600 is the surrogate pair D83D DE00, which sorts before U+E000 in UTF-16 but after
    # it by code point.
    value = {"\ue000": 1, "\U0001f600": 2, "a": 3}
    assert canonicalize_jcs(value) == '{"a":3,"\U0001f600":2,"\ue000":1}'.encode()
    assert canonicalize_jcs(value) == rfc8785.dumps(value)


def test_jcs_escapes_controls_like_rfc8785() -> None:
    assert canonicalize_jcs({"k": "\x00\x08\t\n\x0b\x0c\r\x1f\"\\\x7f"}) == (
        b'{"k":"\\u0000\\b\\t\\n\\u000b\\f\\r\\u001f\\"\\\\\x7f"}')


@pytest.mark.parametrize("value", [2**53, -(2**53), "\ud800", {"\udc00": 1}, (1, 2)])
def test_jcs_fast_path_falls_back_to_rfc8785_rules(value: Any) -> None:
    try:
        expected: bytes | None = rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, TypeError, ValueError):
        expected = None
    if expected is None:
        with pytest.raises(MalformedValueError):
            canonicalize_jcs({"v": value})
    else:
        assert canonicalize_jcs(value) == expected


def test_jcs_refuses_a_cyclic_value() -> None:
    cyclic: dict[str, Any] = {}
    cyclic["self"] = cyclic
    with pytest.raises(MalformedValueError):
        canonicalize_jcs(cyclic)
