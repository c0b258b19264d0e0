"""Hostile input to the OpenID4VC message layer: every class of bad input gets a coded error."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from pidm.errors import InvalidDcqlQuery, PayloadTooLarge, PidmError
from pidm.oid4vc.dcql import DcqlQuery
from tests.spec_vectors import load_vector

VCT = "https://credentials.example.com/identity_credential"


def simple() -> dict[str, Any]:
    return copy.deepcopy(load_vector("openid4vp-1.0", "examples", "query_lang", "simple.json"))


def code_of(fn: Any, *args: Any, **kwargs: Any) -> str:
    with pytest.raises(PidmError) as exc:
        fn(*args, **kwargs)
    return exc.value.code


# --- DCQL --------------------------------------------------------------------------------------
def test_rejects_duplicate_query_ids() -> None:
    q = simple()
    q["credentials"].append(copy.deepcopy(q["credentials"][0]))
    with pytest.raises(InvalidDcqlQuery, match="unique"):
        DcqlQuery.parse(q)


def test_rejects_duplicate_claim_ids_and_paths() -> None:
    q = load_vector("openid4vp-1.0", "examples", "query_lang", "claims_alternatives.json")
    q["credentials"][0]["claims"][1]["id"] = "a"
    assert code_of(DcqlQuery.parse, q) == "INVALID_DCQL_QUERY"
    q = simple()
    q["credentials"][0]["claims"].append({"path": ["family_name"]})
    assert code_of(DcqlQuery.parse, q) == "INVALID_DCQL_QUERY"


def test_rejects_empty_path() -> None:
    q = simple()
    q["credentials"][0]["claims"][0]["path"] = []
    with pytest.raises(InvalidDcqlQuery, match="non-empty"):
        DcqlQuery.parse(q)


@pytest.mark.parametrize("component", [-1, 1.5, True, {"a": 1}, ["x"], "", 2**40], ids=repr)
def test_rejects_bad_path_components(component: Any) -> None:
    q = simple()
    q["credentials"][0]["claims"][0]["path"] = ["address", component]
    assert code_of(DcqlQuery.parse, q) == "INVALID_DCQL_QUERY"


@pytest.mark.parametrize("bad", ["", "has space", "dot.ted", "ü", 7, None, "x" * 129])
def test_rejects_bad_query_ids(bad: Any) -> None:
    q = simple()
    q["credentials"][0]["id"] = bad
    assert code_of(DcqlQuery.parse, q) == "INVALID_DCQL_QUERY"


def test_rejects_huge_query() -> None:
    q = simple()
    one = q["credentials"][0]
    q["credentials"] = [dict(one, id=f"c{i}") for i in range(1000)]
    assert code_of(DcqlQuery.parse, q) == "PAYLOAD_TOO_LARGE"
    q = simple()
    q["credentials"][0]["claims"] = [{"path": [f"c{i}"]} for i in range(10_000)]
    assert code_of(DcqlQuery.parse, q) == "PAYLOAD_TOO_LARGE"
    q = simple()
    q["credentials"][0]["claims"][0]["path"] = ["a"] * 1000
    assert code_of(DcqlQuery.parse, q) == "PAYLOAD_TOO_LARGE"
    text = json.dumps(simple()) + " " * 70_000
    with pytest.raises(PayloadTooLarge):
        DcqlQuery.parse(text)


def test_rejects_deeply_nested_query_text() -> None:
    deep = '{"credentials": ' + "[" * 30_000 + "]" * 30_000 + "}"
    assert code_of(DcqlQuery.parse, deep) == "PAYLOAD_TOO_LARGE"
    nested = '{"credentials": ' + "[" * 200 + "]" * 200 + "}"
    assert code_of(DcqlQuery.parse, nested) == "PAYLOAD_TOO_LARGE"


def test_rejects_duplicate_json_members() -> None:
    text = '{"credentials": [], "credentials": ' + json.dumps(simple()["credentials"]) + "}"
    assert code_of(DcqlQuery.parse, text) == "INVALID_DCQL_QUERY"


def test_rejects_claim_sets_without_claims_or_with_unknown_ids() -> None:
    q = load_vector("openid4vp-1.0", "examples", "query_lang", "claims_alternatives.json")
    q["credentials"][0]["claim_sets"].append(["a", "zz"])
    assert code_of(DcqlQuery.parse, q) == "INVALID_DCQL_QUERY"
    q = simple()
    q["credentials"][0]["claim_sets"] = [["a"]]
    assert code_of(DcqlQuery.parse, q) == "INVALID_DCQL_QUERY"
    q = simple()
    del q["credentials"][0]["claims"]
    q["credentials"][0]["claim_sets"] = [["a"]]
    assert code_of(DcqlQuery.parse, q) == "INVALID_DCQL_QUERY"


def test_rejects_credential_sets_naming_unknown_queries() -> None:
    q = load_vector("openid4vp-1.0", "examples", "query_lang", "credentials_alternatives.json")
    q["credential_sets"][0]["options"].append(["pid", "ghost"])
    assert code_of(DcqlQuery.parse, q) == "INVALID_DCQL_QUERY"
    q["credential_sets"] = []
    assert code_of(DcqlQuery.parse, q) == "INVALID_DCQL_QUERY"


@pytest.mark.parametrize("values", [[1.5], [], [None], [{"a": 1}], "Doe"], ids=repr)
def test_rejects_bad_claim_values(values: Any) -> None:
    q = simple()
    q["credentials"][0]["claims"][0]["values"] = values
    assert code_of(DcqlQuery.parse, q) == "INVALID_DCQL_QUERY"


@pytest.mark.parametrize(
    ("fmt", "meta"),
    [
        ("dc+sd-jwt", {}),
        ("dc+sd-jwt", {"vct_values": []}),
        ("dc+sd-jwt", {"vct_values": VCT}),
        ("ldp_vc", {"type_values": ["IDCredential"]}),
        ("ldp_vc", {"type_values": [[]]}),
        ("mso_mdoc", {}),
        ("dc+sd-jwt", None),
    ],
)
def test_rejects_missing_or_malformed_meta(fmt: str, meta: Any) -> None:
    q = simple()
    q["credentials"][0]["format"] = fmt
    q["credentials"][0]["meta"] = meta
    assert code_of(DcqlQuery.parse, q) == "INVALID_DCQL_QUERY"


@pytest.mark.parametrize("value", [None, [], "x", 1, {"credentials": {}}])
def test_rejects_non_query_values(value: Any) -> None:
    assert code_of(DcqlQuery.parse, value) == "INVALID_DCQL_QUERY"


def test_rejects_mdoc_paths_that_are_not_namespace_element() -> None:
    q = load_vector("openid4vp-1.0", "examples", "query_lang", "simple_mdoc.json")
    q["credentials"][0]["claims"][0]["path"] = ["org.iso.7367.1", "vehicle_holder", "x"]
    assert code_of(DcqlQuery.parse, q) == "INVALID_DCQL_QUERY"
