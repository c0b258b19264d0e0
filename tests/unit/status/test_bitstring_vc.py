"""BitstringStatusListEntry and BitstringStatusListCredential models and builders."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from pidm.errors import MalformedValueError, StatusListLengthError
from pidm.status.bitstring import encode_bitstring, new_bitstring
from pidm.status.bitstring_vc import (
    BitstringStatusListCredential,
    BitstringStatusListEntry,
    StatusMessage,
    format_datetime,
    parse_datetime,
    status_list_credential,
    status_list_entry,
)

URL = "https://issuer.example/status/1"
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _entry(**over: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "42",
        "statusListCredential": URL,
    }
    raw.update(over)
    return {k: v for k, v in raw.items() if v is not None}


def test_builder_revocation_entry() -> None:
    assert status_list_entry(URL, 42) == {
        "id": URL + "#42",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "42",
        "statusListCredential": URL,
    }


def test_builder_message_entry_roundtrips() -> None:
    raw = status_list_entry(
        URL,
        7,
        "message",
        status_size=2,
        messages=["pending", "accepted", "rejected", "undefined"],
        reference="https://example.org/status-dictionary/",
    )
    assert raw["statusSize"] == 2
    assert raw["statusMessage"][2] == {"status": "0x2", "message": "rejected"}
    entry = BitstringStatusListEntry.parse(raw)
    assert entry.message_for(1) == "accepted"
    assert entry.status_reference == ("https://example.org/status-dictionary/",)
    assert entry.to_json() == raw


def test_default_messages_are_set_and_unset() -> None:
    entry = BitstringStatusListEntry.parse(_entry())
    assert (entry.message_for(0), entry.message_for(1)) == ("unset", "set")


def test_messages_sorted_by_status() -> None:
    messages = [{"status": "0x1", "message": "b"}, {"status": "0x0", "message": "a"}]
    entry = BitstringStatusListEntry.parse(_entry(statusMessage=messages))
    assert entry.status_messages == (StatusMessage(0, "a"), StatusMessage(1, "b"))


@pytest.mark.parametrize(
    "over",
    [
        {"statusListIndex": 42},
        {"statusListIndex": "-1"},
        {"statusListIndex": " 42"},
        {"statusListIndex": "0x2a"},
        {"statusSize": 0},
        {"statusSize": 9},
        {"statusSize": True},
        {"statusSize": 2},  # no statusMessage
        {"statusSize": 2, "statusMessage": [{"status": "0x0", "message": "a"}]},
        {"statusMessage": [{"status": "0x0", "message": "a"}, {"status": "0x0", "message": "b"}]},
        {"statusMessage": [{"status": "0x0", "message": "a"}, {"status": "0x2", "message": "b"}]},
        {"statusMessage": [{"status": "1", "message": "a"}, {"status": "0x0", "message": "b"}]},
        {"type": "StatusList2021Entry"},
        {"statusPurpose": ""},
        {"statusListCredential": None},
        {"id": URL},
        {"statusReference": 5},
    ],
)
def test_malformed_entries_refused(over: dict[str, Any]) -> None:
    with pytest.raises(MalformedValueError) as exc:
        BitstringStatusListEntry.parse(_entry(**over))
    assert exc.value.code == "MALFORMED_VALUE_ERROR"


def test_absurd_index_is_out_of_range() -> None:
    with pytest.raises(StatusListLengthError):
        BitstringStatusListEntry.parse(_entry(statusListIndex="9" * 5000))


def test_list_credential_builder_and_parse() -> None:
    encoded = encode_bitstring(new_bitstring())
    signed: list[dict[str, Any]] = []

    def sign(doc: dict[str, Any]) -> dict[str, Any]:
        signed.append(doc)
        return {**doc, "proof": {"type": "DataIntegrityProof"}}

    doc = status_list_credential(
        url=URL,
        issuer="did:example:issuer",
        purpose=["revocation", "suspension"],
        encoded_list=encoded,
        valid_from=T0,
        valid_until=datetime(2026, 1, 2, tzinfo=UTC),
        ttl_ms=300_000,
        sign=sign,
    )
    assert doc["proof"] == {"type": "DataIntegrityProof"} and len(signed) == 1
    assert doc["credentialSubject"] == {
        "id": URL + "#list",
        "type": "BitstringStatusList",
        "statusPurpose": ["revocation", "suspension"],
        "encodedList": encoded,
        "ttl": 300_000,
    }
    parsed = BitstringStatusListCredential.parse(doc)
    assert parsed == BitstringStatusListCredential(
        URL,
        "did:example:issuer",
        frozenset({"revocation", "suspension"}),
        encoded,
        T0,
        datetime(2026, 1, 2, tzinfo=UTC),
        300_000,
        None,
    )


def test_list_credential_issuer_object_and_vcdm11_dates() -> None:
    doc = status_list_credential(
        url=URL, issuer="did:example:i", purpose="revocation", encoded_list="u", valid_from=T0
    )
    doc["issuer"] = {"id": "did:example:i", "name": "I"}
    doc["issuanceDate"] = doc.pop("validFrom")
    doc["expirationDate"] = "2027-01-01T00:00:00+01:00"
    parsed = BitstringStatusListCredential.parse(doc)
    assert parsed.issuer == "did:example:i" and parsed.valid_from == T0
    assert parsed.valid_until == datetime(2026, 12, 31, 23, tzinfo=UTC)


@pytest.mark.parametrize(
    "path, value",
    [
        (("type",), ["VerifiableCredential"]),
        (("issuer",), 5),
        (("credentialSubject", "type"), "StatusList2021"),
        (("credentialSubject", "statusPurpose"), []),
        (("credentialSubject", "encodedList"), None),
        (("credentialSubject", "ttl"), -1),
        (("credentialSubject", "statusSize"), 0),
        (("validFrom",), "2026-01-01"),
        (("validUntil",), "2026-01-01T00:00:00"),
        (("credentialSubject",), [{}, {}]),
    ],
)
def test_malformed_list_credentials_refused(path: tuple[str, ...], value: Any) -> None:
    doc = status_list_credential(
        url=URL, issuer="did:example:i", purpose="revocation", encoded_list="u", valid_from=T0
    )
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(MalformedValueError):
        BitstringStatusListCredential.parse(doc)


def test_datetime_helpers() -> None:
    assert format_datetime(datetime(2026, 1, 1, 1, 2, 3, 999, tzinfo=UTC)) == "2026-01-01T01:02:03Z"
    assert parse_datetime("2026-01-01T01:02:03Z", "x") == datetime(2026, 1, 1, 1, 2, 3, tzinfo=UTC)
    with pytest.raises(MalformedValueError):
        format_datetime(datetime(2026, 1, 1))
