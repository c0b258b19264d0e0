"""OpenID4VP 1.0 / OpenID4VCI 1.0 example files (../shared/vectors) through the message models."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pidm.oid4vc.dcql import DcqlQuery
from tests.spec_vectors import load_vector, vector_path

VP = ("openid4vp-1.0", "examples")
VCI = ("openid4vci-1.0", "examples")


def _names(*parts: str, pattern: str = "*.json") -> list[str]:
    return sorted(p.name for p in Path(vector_path(*parts)).glob(pattern))


QUERY_FILES = [("query_lang", n) for n in _names(*VP, "query_lang")] + [
    ("request", n) for n in _names(*VP, "request", pattern="dcql_*.json")
]


@pytest.mark.parametrize(("folder", "name"), QUERY_FILES, ids=lambda v: str(v))
def test_dcql_examples_parse_and_round_trip(folder: str, name: str) -> None:
    raw: dict[str, Any] = load_vector(*VP, folder, name)
    query = DcqlQuery.parse(raw)
    assert query.to_json() == raw
    assert [c.id for c in query.credentials] == [c["id"] for c in raw["credentials"]]


def test_dcql_example_count() -> None:
    assert len(QUERY_FILES) == 9


def test_complex_mdoc_credential_sets() -> None:
    query = DcqlQuery.parse(load_vector(*VP, "query_lang", "complex_mdoc.json"))
    assert query.credential_sets is not None
    first, second = query.credential_sets
    assert first.required and first.options == (("mdl-id",), ("photo_card-id",))
    assert not second.required
    assert query.credential("mdl-id").doctype_value == "org.iso.18013.5.1.mDL"
    assert query.credential("mdl-id").claims is not None


def test_claims_alternatives_claim_sets() -> None:
    query = DcqlQuery.parse(load_vector(*VP, "query_lang", "claims_alternatives.json"))
    (pid,) = query.credentials
    assert pid.vct_values == ("https://credentials.example.com/identity_credential",)
    assert pid.claim_sets == (("a", "c", "d", "e"), ("a", "b", "e"))


def test_type_values_of_w3c_requests() -> None:
    ldp = DcqlQuery.parse(load_vector(*VP, "request", "dcql_ldp_vc.json"))
    assert ldp.credentials[0].type_values == (("IDCredential",),)
    assert ldp.credentials[0].require_cryptographic_holder_binding
