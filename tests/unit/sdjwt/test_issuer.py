from __future__ import annotations

from typing import Any

import pytest

from pidm.errors import PidmError
from pidm.jose import verify_jwt
from pidm.sdjwt import SdJwt, issue_sd_jwt
from pidm.sdjwt.disclosure import SALT_BYTES
from tests.unit.sdjwt.helpers import CLAIMS, HOLDER, ISSUER, NOW, VCT, counter_rng, issue


def _code(**overrides: Any) -> str:
    with pytest.raises(PidmError) as info:
        issue(**overrides)
    return info.value.code


def test_issued_payload_hides_disclosable_claims() -> None:
    sd = SdJwt.parse(issue())
    payload = sd.payload
    assert set(payload) == {"_sd", "_sd_alg", "iss", "iat", "exp", "vct", "cnf",
                            "nationalities", "age_equal_or_over"}
    assert payload["_sd_alg"] == "sha-256"
    assert payload["iss"] == ISSUER.key_id.split("#")[0]
    assert payload["vct"] == VCT
    assert payload["cnf"] == {"jwk": HOLDER.public.to_jwk()}
    assert len(payload["_sd"]) == 4 and payload["_sd"] == sorted(payload["_sd"])
    assert [list(e) for e in payload["nationalities"]] == [["..."], ["..."]]
    assert set(payload["age_equal_or_over"]) == {"_sd"}
    names = sorted(str(d.name) for d in sd.decoded())
    assert names == sorted(["given_name", "family_name", "birthdate", "address", "street_address",
                            "locality", "postal_code", "None", "None", "18", "21", "65"])
    header = verify_jwt(sd.issuer_jwt, ISSUER.public, typ="dc+sd-jwt").header
    assert header == {"alg": "EdDSA", "typ": "dc+sd-jwt", "kid": ISSUER.key_id}


def test_recursive_disclosure_value_carries_digests() -> None:
    sd = SdJwt.parse(issue())
    address = next(d for d in sd.decoded() if d.name == "address")
    assert set(address.value) == {"_sd"} and len(address.value["_sd"]) == 3


def test_salts_come_from_rng_with_128_bits() -> None:
    calls: list[int] = []

    def rng(n: int) -> bytes:
        calls.append(n)
        return bytes([len(calls)]) * n

    sd = SdJwt.parse(issue(rng=rng))
    assert calls and set(calls) == {SALT_BYTES} and SALT_BYTES * 8 >= 128
    assert len({d.salt for d in sd.decoded()}) == len(sd.disclosures)


def test_same_rng_same_output_and_fresh_salts_differ() -> None:
    assert issue(rng=counter_rng()) == issue(rng=counter_rng())
    assert issue() != issue()


def test_decoys_add_digests_without_disclosures() -> None:
    plain = SdJwt.parse(issue(rng=counter_rng()))
    decoyed = SdJwt.parse(issue(rng=counter_rng(), decoys=5))
    assert len(decoyed.disclosures) == len(plain.disclosures)
    assert len(decoyed.payload["_sd"]) > len(plain.payload["_sd"])
    known = {d.digest for d in decoyed.decoded()}
    assert any(d not in known for d in decoyed.payload["_sd"])


def test_generic_sd_jwt_without_vc_claims() -> None:
    out = issue_sd_jwt({"sub": "x", "n": [1, 2]}, signer=ISSUER, disclose=["n.1"],
                       typ="example+sd-jwt")
    sd = SdJwt.parse(out)
    assert sd.payload["n"][0] == 1 and "..." in sd.payload["n"][1]
    assert "vct" not in sd.payload and "iss" not in sd.payload


def test_rejects_unknown_claim_path() -> None:
    assert _code(disclose=["adress.street_address"]) == "MALFORMED_VALUE_ERROR"
    assert _code(disclose=["nationalities.5"]) == "MALFORMED_VALUE_ERROR"


@pytest.mark.parametrize("name", ["iss", "vct", "cnf", "exp", "status", "nbf"])
def test_rejects_disclosable_registered_claim(name: str) -> None:
    assert _code(disclose=[name], status={"status_list": {"idx": 1, "uri": "https://s"}},
                 not_before=NOW) == "MALFORMED_VALUE_ERROR"


def test_rejects_wildcard_at_top_level_of_vc() -> None:
    assert _code(disclose=[[None]]) == "MALFORMED_VALUE_ERROR"


@pytest.mark.parametrize("claims", [{"_sd": []}, {"a": {"...": "x"}}, {"a": [{"_sd_alg": 1}]}])
def test_rejects_reserved_claim_names(claims: dict[str, Any]) -> None:
    assert _code(claims=claims, disclose=[]) == "MALFORMED_VALUE_ERROR"


def test_rejects_non_json_values() -> None:
    assert _code(claims={"x": float("nan")}, disclose=["x"]) == "MALFORMED_VALUE_ERROR"
    assert _code(claims={"x": {1, 2}}, disclose=[]) == "MALFORMED_VALUE_ERROR"


def test_vc_needs_vct_and_iat() -> None:
    assert _code(vct=None) == "MALFORMED_VALUE_ERROR"
    assert _code(issued_at=None) == "MALFORMED_VALUE_ERROR"


def test_conflicting_registered_claim_refused() -> None:
    assert _code(claims=CLAIMS | {"vct": "other"}) == "MALFORMED_VALUE_ERROR"


def test_status_and_nbf_are_set() -> None:
    status = {"status_list": {"idx": 7, "uri": "https://issuer.example/status/1"}}
    payload = SdJwt.parse(issue(status=status, not_before=NOW)).payload
    assert payload["status"] == status and payload["nbf"] == int(NOW.timestamp())
