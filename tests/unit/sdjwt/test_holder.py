from __future__ import annotations

from typing import Any

import pytest

from pidm.errors import PidmError
from pidm.jose import decode_jwt, verify_jwt
from pidm.keys import KeyPair
from pidm.sdjwt import SdJwt, present_sd_jwt, select_disclosures
from tests.unit.sdjwt.helpers import AUD, EC_HOLDER, HOLDER, NONCE, NOW, issue, verify

ISSUED = issue()


def _names(paths: list[Any]) -> list[str | None]:
    chosen = set(select_disclosures(ISSUED, paths))
    return sorted(
        (str(d.name) if d.name is not None else repr(d.value))
        for d in SdJwt.parse(ISSUED).decoded()
        if d.encoded in chosen
    )


def test_select_nested_claim_brings_its_parent() -> None:
    assert _names([["address", "postal_code"]]) == ["address", "postal_code"]


def test_select_parent_brings_everything_inside() -> None:
    assert _names(["address"]) == ["address", "locality", "postal_code", "street_address"]


def test_select_array_elements() -> None:
    assert _names(["nationalities.1"]) == ["'FR'"]
    assert _names([["nationalities", None]]) == ["'DE'", "'FR'"]
    assert _names(["nationalities"]) == ["'DE'", "'FR'"]


def test_select_integer_on_object_means_member_name() -> None:
    assert _names(["age_equal_or_over.18"]) == ["18"]
    assert _names([["age_equal_or_over", "18"]]) == ["18"]


def test_select_keeps_issuance_order_and_no_duplicates() -> None:
    chosen = select_disclosures(ISSUED, ["given_name", "given_name", "family_name"])
    order = SdJwt.parse(ISSUED).disclosures
    assert list(chosen) == [d for d in order if d in chosen] and len(chosen) == 2


def test_select_unknown_path() -> None:
    with pytest.raises(PidmError) as info:
        select_disclosures(ISSUED, ["nickname"])
    assert info.value.code == "MALFORMED_VALUE_ERROR"
    assert select_disclosures(ISSUED, ["nickname"], strict=False) == ()


def test_present_verifies_with_only_the_chosen_claims() -> None:
    out = present_sd_jwt(ISSUED, disclose=["given_name", "address.locality"], holder=HOLDER,
                         audience=AUD, nonce=NONCE, issued_at=NOW)
    result = verify(out)
    assert result.valid, result.to_json()
    assert result.claims["given_name"] == "Erika"
    assert result.claims["address"] == {"locality": "Köln"}
    assert "family_name" not in result.claims and result.claims["nationalities"] == []


def test_kb_jwt_contents() -> None:
    out = present_sd_jwt(ISSUED, disclose=[], holder=HOLDER, audience=AUD, nonce=NONCE,
                         issued_at=NOW)
    sd = SdJwt.parse(out)
    assert sd.disclosures == () and sd.kb_jwt is not None
    kb = verify_jwt(sd.kb_jwt, HOLDER.public, typ="kb+jwt")
    assert kb.header == {"alg": "EdDSA", "typ": "kb+jwt"}
    assert kb.payload == {"iat": int(NOW.timestamp()), "aud": AUD, "nonce": NONCE,
                          "sd_hash": sd.sd_hash()}


def test_present_without_key_binding() -> None:
    out = present_sd_jwt(ISSUED, disclose=["given_name"])
    assert out.endswith("~") and SdJwt.parse(out).kb_jwt is None
    result = verify(out, audience=None, nonce=None)
    assert result.valid and result.check("holder_binding").status.value == "skipped"  # type: ignore[union-attr]


def test_es256_holder() -> None:
    issued = issue(holder_key=EC_HOLDER.public)
    out = present_sd_jwt(issued, disclose=None, holder=EC_HOLDER, audience=AUD, nonce=NONCE,
                         issued_at=NOW)
    assert decode_jwt(SdJwt.parse(out).kb_jwt or "").alg == "ES256"
    assert verify(out).valid


def test_rejects_holder_key_not_in_cnf() -> None:
    with pytest.raises(PidmError) as info:
        present_sd_jwt(ISSUED, holder=KeyPair.generate(), audience=AUD, nonce=NONCE,
                       issued_at=NOW)
    assert info.value.code == "INVALID_KEY"


def test_key_binding_needs_audience_nonce_time() -> None:
    with pytest.raises(PidmError) as info:
        present_sd_jwt(ISSUED, holder=HOLDER, audience=AUD, issued_at=NOW)
    assert info.value.code == "MALFORMED_VALUE_ERROR"
