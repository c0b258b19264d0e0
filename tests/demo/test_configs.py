"""The demo's configuration files: written by the services' own ``init`` code, adapted in the
same format, loaded by the services' own ``load_config``; a template they no longer match is a
CONFIG_ERROR, not a silently different demo."""

from __future__ import annotations

from pathlib import Path

import pytest

from issuer.config import load_config as load_issuer
from issuer.init import init_issuer
from pidm.errors import PidmError
from pidm_demo import configs
from verifier.config import load_config as load_verifier
from verifier.init import init_verifier

AGE_DID = "did:web:age.example"
RETAILER_DID = "did:web:rewards.example"


def test_retailer_issues_only_the_membership_with_every_claim_disclosable(tmp_path: Path) -> None:
    made = init_issuer(tmp_path, public_url="http://127.0.0.1:9")
    configs.adapt_issuer(made.config_path, name="Corner Shop Rewards",
                         catalogue=configs.MEMBERSHIP)
    config = load_issuer(made.config_path)
    assert config.name == "Corner Shop Rewards"
    assert config.status_list_ttl == configs.STATUS_TTL
    assert list(config.configurations) == ["loyalty_membership_sd_jwt"]
    [membership] = config.credential_types
    assert membership.vct == configs.MEMBERSHIP_VCT
    assert membership.disclosable == ("member_id", "tier", "given_name", "family_name",
                                      "birthdate", "postal_code")
    assert config.admin_token == made.token_path.read_text().strip()


def test_marketer_trusts_each_issuer_for_its_own_type_and_asks_for_two_claims(
    tmp_path: Path
) -> None:
    made = init_verifier(tmp_path, public_url="http://127.0.0.1:9", issuers=(AGE_DID,))
    configs.adapt_verifier(made.config_path, retailer_did=RETAILER_DID)
    config = load_verifier(made.config_path)
    assert config.name == configs.MARKETER_NAME
    assert config.trust[configs.MEMBERSHIP_VCT] == (RETAILER_DID,)
    assert config.trust[configs.AGE_VCT] == (AGE_DID,)
    request = config.requests[configs.REQUEST]
    assert request.retention == "P30D"
    assert request.offer is not None and request.offer.amount == "50"
    query = request.dcql_query.to_json()
    assert [(c["id"], c["meta"]["vct_values"], [q["path"] for q in c["claims"]])
            for c in query["credentials"]] == [
        ("age", [configs.AGE_VCT], [["age_over_18"]]),
        ("membership", [configs.MEMBERSHIP_VCT], [["postal_code"]]),
    ]


def test_rejects_an_issuer_template_it_does_not_recognise(tmp_path: Path) -> None:
    made = init_issuer(tmp_path, public_url="http://127.0.0.1:9")
    text = made.config_path.read_text().replace('name = "pidm issuer"', 'name = "renamed"')
    made.config_path.write_text(text)
    with pytest.raises(PidmError) as info:
        configs.adapt_issuer(made.config_path, name="x", catalogue=configs.AGE_OVER_18)
    assert info.value.code == "CONFIG_ERROR"
    assert 'pidm issuer' in str(info.value)


def test_rejects_a_verifier_template_without_a_trust_table(tmp_path: Path) -> None:
    made = init_verifier(tmp_path, public_url="http://127.0.0.1:9")
    made.config_path.write_text(made.config_path.read_text().replace("[trust]\n", "[trusted]\n"))
    with pytest.raises(PidmError) as info:
        configs.adapt_verifier(made.config_path, retailer_did=RETAILER_DID)
    assert info.value.code == "CONFIG_ERROR"
