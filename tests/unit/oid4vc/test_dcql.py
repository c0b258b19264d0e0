from __future__ import annotations

from typing import Any

import pytest

from pidm.errors import DcqlNotSatisfied, NoMatchingCredentials, UnrequestedData
from pidm.oid4vc.dcql import DcqlQuery
from pidm.oid4vc.dcql_eval import (
    CandidateCredential,
    check_presented,
    match_query,
    select_claims,
)
from tests.spec_vectors import load_vector

VCT = "https://credentials.example.com/identity_credential"

# OpenID4VP 1.0 §7.3, the claims path pointer example.
ARTHUR: dict[str, Any] = {
    "name": "Arthur Dent",
    "address": {
        "street_address": "42 Market Street",
        "locality": "Milliways",
        "postal_code": "12345",
    },
    "degrees": [
        {"type": "Bachelor of Science", "university": "University of Betelgeuse"},
        {"type": "Master of Science", "university": "University of Betelgeuse"},
    ],
    "nationalities": ["British", "Betelgeusian"],
}


def query(name: str) -> DcqlQuery:
    return DcqlQuery.parse(load_vector("openid4vp-1.0", "examples", "query_lang", name))


def pid(**claims: Any) -> CandidateCredential:
    base: dict[str, Any] = {
        "vct": VCT,
        "family_name": "Doe",
        "given_name": "John",
        "address": {"street_address": "123 Main St", "locality": "Anytown"},
    }
    base.update(claims)
    return CandidateCredential("dc+sd-jwt", base, vct=VCT)


def test_claims_path_pointer_spec_examples() -> None:
    assert select_claims(ARTHUR, ("name",)) == [(("name",), "Arthur Dent")]
    assert select_claims(ARTHUR, ("address",)) == [(("address",), ARTHUR["address"])]
    assert select_claims(ARTHUR, ("address", "street_address")) == [
        (("address", "street_address"), "42 Market Street")
    ]
    assert select_claims(ARTHUR, ("degrees", None, "type")) == [
        (("degrees", 0, "type"), "Bachelor of Science"),
        (("degrees", 1, "type"), "Master of Science"),
    ]
    assert select_claims(ARTHUR, ("nationalities", 1)) == [(("nationalities", 1), "Betelgeusian")]


def test_claims_path_errors_select_nothing() -> None:
    assert select_claims(ARTHUR, ("name", "x")) == []  # key on a string: error
    assert select_claims(ARTHUR, ("address", 0)) == []  # index on an object: error
    assert select_claims(ARTHUR, ("nationalities", 5)) == []
    assert select_claims(ARTHUR, ("missing",)) == []
    assert select_claims(ARTHUR, ("address", None)) == []


def test_simple_query_matches_and_names_the_claims_to_disclose() -> None:
    other = CandidateCredential("dc+sd-jwt", pid().claims, vct="urn:other")
    result = match_query(query("simple.json"), [pid(), other])
    assert result.satisfiable
    (match,) = result.matches["my_credential"]
    assert match.index == 0
    assert match.selection.requested == (
        ("family_name",),
        ("given_name",),
        ("address", "street_address"),
    )
    assert match.selection.concrete == match.selection.requested
    assert result.selection() == {"my_credential": (match,)}


def test_credential_missing_a_claim_does_not_match() -> None:
    no_street = pid(address={"locality": "Anytown"})
    result = match_query(query("simple.json"), [no_street])
    assert result.matches["my_credential"] == ()
    assert not result.satisfiable
    with pytest.raises(NoMatchingCredentials) as exc:
        result.selection()
    assert exc.value.code == "NO_MATCHING_CREDENTIALS"
    assert exc.value.to_oauth()["error"] == "access_denied"


def test_wrong_type_format_or_missing_holder_binding_does_not_match() -> None:
    other_vct = CandidateCredential("dc+sd-jwt", pid().claims, vct="urn:other")
    other_format = CandidateCredential("ldp_vc", pid().claims, types=(VCT,))
    unbound = CandidateCredential("dc+sd-jwt", pid().claims, vct=VCT, holder_binding=False)
    result = match_query(query("simple.json"), [other_vct, other_format, unbound])
    assert result.matches == {"my_credential": ()}


def test_value_matching_is_exact_in_type_and_value() -> None:
    q = query("value_matching_simple.json")
    good = pid(postal_code="90210")
    assert [m.index for m in match_query(q, [good]).matches["my_credential"]] == [0]
    assert match_query(q, [pid(postal_code="90212")]).matches["my_credential"] == ()
    assert match_query(q, [pid(postal_code=90210)]).matches["my_credential"] == ()
    assert match_query(q, [pid(family_name="Smith", postal_code="90210")]).matches == {
        "my_credential": ()
    }


def test_boolean_values_do_not_match_integers() -> None:
    q = DcqlQuery.parse(
        {
            "credentials": [
                {
                    "id": "age",
                    "format": "dc+sd-jwt",
                    "meta": {"vct_values": [VCT]},
                    "claims": [{"path": ["age_over_18"], "values": [True]}],
                }
            ]
        }
    )
    assert match_query(q, [pid(age_over_18=True)]).satisfiable
    assert not match_query(q, [pid(age_over_18=1)]).satisfiable


def test_null_path_with_values_discloses_only_matching_elements() -> None:
    q = DcqlQuery.parse(
        {
            "credentials": [
                {
                    "id": "c",
                    "format": "dc+sd-jwt",
                    "meta": {"vct_values": [VCT]},
                    "claims": [{"path": ["nationalities", None], "values": ["British"]}],
                }
            ]
        }
    )
    (match,) = match_query(q, [pid(nationalities=["Betelgeusian", "British"])]).matches["c"]
    assert match.selection.requested == (("nationalities", None),)
    assert match.selection.concrete == (("nationalities", 1),)


def test_claim_sets_pick_the_first_option_the_credential_meets() -> None:
    q = query("claims_alternatives.json")
    full = pid(postal_code="1", locality="Anytown", region="X", date_of_birth="1990-01-01")
    (m1,) = match_query(q, [full]).matches["pid"]
    assert m1.selection.claim_set == ("a", "c", "d", "e")
    assert m1.selection.requested == (
        ("family_name",),
        ("locality",),
        ("region",),
        ("date_of_birth",),
    )
    fallback = pid(postal_code="1", date_of_birth="1990-01-01")
    (m2,) = match_query(q, [fallback]).matches["pid"]
    assert m2.selection.claim_set == ("a", "b", "e")
    assert match_query(q, [pid()]).matches["pid"] == ()


def _held(vct: str, **claims: Any) -> CandidateCredential:
    return CandidateCredential("dc+sd-jwt", claims, vct=vct)


def test_credential_sets_choose_first_satisfiable_option() -> None:
    q = query("credentials_alternatives.json")
    reduced_1 = _held(
        "https://credentials.example.com/reduced_identity_credential",
        family_name="Doe",
        given_name="John",
    )
    reduced_2 = _held(
        "https://cred.example/residence_credential", postal_code="1", locality="L", region="R"
    )
    rewards = _held("https://company.example/company_rewards", rewards_number="42")
    result = match_query(q, [rewards, reduced_2, reduced_1])
    assert result.satisfiable
    chosen = result.selection()
    assert sorted(chosen) == ["pid_reduced_cred_1", "pid_reduced_cred_2"]
    assert chosen["pid_reduced_cred_1"][0].index == 2
    with_optional = result.selection(include_optional=True)
    assert sorted(with_optional) == ["nice_to_have", "pid_reduced_cred_1", "pid_reduced_cred_2"]
    assert not match_query(q, [rewards, reduced_1]).satisfiable


def test_w3c_type_values_and_mdoc_doctype() -> None:
    ldp = DcqlQuery.parse(load_vector("openid4vp-1.0", "examples", "request", "dcql_ldp_vc.json"))
    vc = load_vector("openid4vp-1.0", "examples", "response", "ldp_vc.json")
    credential = vc["verifiableCredential"][0]
    view = CandidateCredential("ldp_vc", credential, types=tuple(credential["type"]))
    (match,) = match_query(ldp, [view]).matches["example_ldp_vc"]
    assert ("credentialSubject", "address", "country") in match.selection.concrete
    wrong = CandidateCredential("ldp_vc", credential, types=("VerifiableCredential",))
    assert match_query(ldp, [wrong]).matches["example_ldp_vc"] == ()

    mdoc = query("simple_mdoc.json")
    doc = CandidateCredential(
        "mso_mdoc",
        {"org.iso.7367.1": {"vehicle_holder": "x"}, "org.iso.18013.5.1": {"given_name": "y"}},
        doctype="org.iso.7367.1.mVRC",
    )
    assert match_query(mdoc, [doc]).satisfiable
    other = CandidateCredential("mso_mdoc", doc.claims, doctype="org.iso.18013.5.1.mDL")
    assert not match_query(mdoc, [other]).satisfiable


# --- verifier side -----------------------------------------------------------------------------
def presented(disclosed: list[tuple[str | int, ...]], **claims: Any) -> CandidateCredential:
    return CandidateCredential(
        "dc+sd-jwt", pid(**claims).claims, vct=VCT, disclosed_paths=tuple(disclosed)
    )


SIMPLE_DISCLOSED: list[tuple[str | int, ...]] = [
    ("family_name",),
    ("given_name",),
    ("address",),
    ("address", "street_address"),
]


def test_verifier_accepts_exactly_what_was_asked() -> None:
    check_presented(query("simple.json"), {"my_credential": [presented(SIMPLE_DISCLOSED)]})


def test_verifier_refuses_extra_disclosed_claims() -> None:
    extra = presented([*SIMPLE_DISCLOSED, ("address", "locality")])
    with pytest.raises(UnrequestedData) as exc:
        check_presented(query("simple.json"), {"my_credential": [extra]})
    assert exc.value.code == "UNREQUESTED_DATA"
    assert "locality" in str(exc.value)


def test_verifier_refuses_missing_claims_and_unknown_ids() -> None:
    q = query("simple.json")
    short = presented([("family_name",)], given_name=None)
    no_street = CandidateCredential(
        "dc+sd-jwt", {"vct": VCT, "family_name": "Doe", "given_name": "J"}, vct=VCT
    )
    with pytest.raises(DcqlNotSatisfied):
        check_presented(q, {"my_credential": [no_street]})
    with pytest.raises(UnrequestedData):
        check_presented(q, {"my_credential": [presented(SIMPLE_DISCLOSED)], "other": [short]})
    with pytest.raises(DcqlNotSatisfied):
        check_presented(q, {})
    with pytest.raises(UnrequestedData):
        check_presented(q, {"my_credential": [presented(SIMPLE_DISCLOSED)] * 2})


def test_verifier_without_claims_accepts_no_disclosures() -> None:
    q = DcqlQuery.parse(
        {"credentials": [{"id": "p", "format": "dc+sd-jwt", "meta": {"vct_values": [VCT]}}]}
    )
    check_presented(q, {"p": [presented([])]})
    with pytest.raises(UnrequestedData):
        check_presented(q, {"p": [presented([("given_name",)])]})


def test_verifier_claim_sets_need_one_covering_option() -> None:
    q = query("claims_alternatives.json")
    cred = presented(
        [("family_name",), ("postal_code",), ("date_of_birth",)],
        postal_code="1",
        date_of_birth="2000-01-01",
    )
    check_presented(q, {"pid": [cred]})
    mixed = presented(
        [("family_name",), ("postal_code",), ("date_of_birth",), ("locality",)],
        postal_code="1",
        date_of_birth="2000-01-01",
        locality="L",
    )
    with pytest.raises(UnrequestedData):
        check_presented(q, {"pid": [mixed]})


def test_verifier_credential_sets() -> None:
    q = query("credentials_alternatives.json")

    def held(vct: str, *names: str) -> CandidateCredential:
        return CandidateCredential(
            "dc+sd-jwt", {n: "v" for n in names}, vct=vct, disclosed_paths=[(n,) for n in names]
        )

    reduced_1 = held(
        "https://credentials.example.com/reduced_identity_credential", "family_name", "given_name"
    )
    reduced_2 = held(
        "https://cred.example/residence_credential", "postal_code", "locality", "region"
    )
    rewards = held("https://company.example/company_rewards", "rewards_number")
    check_presented(q, {"pid_reduced_cred_1": [reduced_1], "pid_reduced_cred_2": [reduced_2]})
    check_presented(
        q,
        {
            "pid_reduced_cred_1": [reduced_1],
            "pid_reduced_cred_2": [reduced_2],
            "nice_to_have": [rewards],
        },
    )
    with pytest.raises(DcqlNotSatisfied):
        check_presented(q, {"pid_reduced_cred_1": [reduced_1], "nice_to_have": [rewards]})
    other_pid = CandidateCredential(
        "dc+sd-jwt",
        {"given_name": "J", "family_name": "D", "address": {"street_address": "s"}},
        vct="https://othercredentials.example/pid",
    )
    with pytest.raises(UnrequestedData):
        check_presented(
            q,
            {
                "other_pid": [other_pid],
                "pid_reduced_cred_1": [reduced_1],
                "pid_reduced_cred_2": [reduced_2],
            },
        )


def test_verifier_treats_value_mismatch_as_missing() -> None:
    q = query("value_matching_simple.json")
    disclosed = [*SIMPLE_DISCLOSED, ("postal_code",)]
    check_presented(q, {"my_credential": [presented(disclosed, postal_code="90211")]})
    with pytest.raises(DcqlNotSatisfied):
        check_presented(q, {"my_credential": [presented(disclosed, postal_code="10001")]})


def test_array_element_disclosures_are_covered_by_null_paths() -> None:
    q = DcqlQuery.parse(
        {
            "credentials": [
                {
                    "id": "d",
                    "format": "dc+sd-jwt",
                    "meta": {"vct_values": [VCT]},
                    "claims": [{"path": ["degrees", None, "type"]}],
                }
            ]
        }
    )
    cred = CandidateCredential(
        "dc+sd-jwt",
        ARTHUR,
        vct=VCT,
        disclosed_paths=[("degrees", 0), ("degrees", 0, "type"), ("degrees", 1, "type")],
    )
    check_presented(q, {"d": [cred]})
    leaky = CandidateCredential(
        "dc+sd-jwt", ARTHUR, vct=VCT, disclosed_paths=[("degrees", 0, "university")]
    )
    with pytest.raises(UnrequestedData):
        check_presented(q, {"d": [leaky]})
