"""``re.match`` with a ``$`` anchor accepts one trailing newline: every value checked by a
pattern must match it whole, so ``"abc\\n"`` is refused with the value's own code."""

from __future__ import annotations

from typing import Any

import pytest

from pidm.errors import PidmError
from pidm.oid4vc.consent import Offer
from pidm.oid4vc.dcql import DcqlQuery
from pidm.oid4vc.vp_response import parse_authorization_response, parse_vp_token
from pidm.status.bitstring_vc import BitstringStatusListEntry


def code(fn: Any, *args: Any) -> str:
    with pytest.raises(PidmError) as info:
        fn(*args)
    return info.value.code


def _query(query_id: str) -> dict[str, Any]:
    return {"credentials": [{"id": query_id, "format": "dc+sd-jwt",
                             "meta": {"vct_values": ["urn:x"]}}]}


def _entry(**changes: Any) -> dict[str, Any]:
    entry = {"type": "BitstringStatusListEntry", "statusPurpose": "message",
             "statusListIndex": "5", "statusListCredential": "https://issuer.example/status/1",
             "statusSize": 1, "statusMessage": [{"status": "0x0", "message": "ok"},
                                                {"status": "0x1", "message": "hold"}]}
    entry.update(changes)
    return entry


def test_the_well_formed_values_pass() -> None:
    assert DcqlQuery.parse(_query("abc")).credentials[0].id == "abc"
    assert Offer.parse({"kind": "money", "amount": "1.50", "unit": "EUR"}).unit == "EUR"
    assert BitstringStatusListEntry.parse(_entry()).status_list_index == 5
    assert list(parse_vp_token({"abc": ["x~"]})) == ["abc"]


def test_dcql_query_id() -> None:
    assert code(DcqlQuery.parse, _query("abc\n")) == "INVALID_DCQL_QUERY"


@pytest.mark.parametrize("offer", [
    {"kind": "money", "amount": "1.50\n", "unit": "EUR"},
    {"kind": "money", "amount": "1.50", "unit": "EUR\n"},
])
def test_offer_amount_and_currency(offer: dict[str, str]) -> None:
    assert code(Offer.parse, offer) == "INVALID_CONSENT_TERMS"


@pytest.mark.parametrize("changes", [
    {"statusListIndex": "5\n"},
    {"statusMessage": [{"status": "0x0\n", "message": "ok"}, {"status": "0x1", "message": "x"}]},
])
def test_status_entry_index_and_message_status(changes: dict[str, Any]) -> None:
    assert code(BitstringStatusListEntry.parse, _entry(**changes)) == "MALFORMED_VALUE_ERROR"


def test_vp_token_query_id() -> None:
    assert code(parse_vp_token, {"abc\n": ["x~"]}) == "INVALID_AUTHORIZATION_RESPONSE"


@pytest.mark.parametrize("form", [
    {"state": "abc\n", "vp_token": '{"abc": ["x~"]}'},
    {"state": "abc", "error": "access_denied\n"},
])
def test_response_state_and_error_text(form: dict[str, str]) -> None:
    assert code(parse_authorization_response, form) == "INVALID_AUTHORIZATION_RESPONSE"
