"""Status list spec vectors: W3C Bitstring Status List REC examples and the IETF Token Status
List draft-20 encodings and tokens (../shared/vectors/status-list)."""

from __future__ import annotations

from typing import Any

import pytest

from pidm.jose import verify_jwt
from pidm.keys import PublicKey
from pidm.status.bitstring import MIN_ENTRIES, decode_bitstring, encode_bitstring
from pidm.status.bitstring_vc import BitstringStatusListCredential, BitstringStatusListEntry
from pidm.status.packed import BitOrder, StatusList
from pidm.status.token import (
    STATUS_LIST_TYP,
    StatusListToken,
    TokenStatusReference,
    decode_lst,
    encode_lst,
)
from tests.spec_vectors import load_vector

BSL = "status-list/bitstring-status-list-rec-examples"
TSL = "status-list/ietf-token-status-list"


def _token_vectors() -> dict[str, Any]:
    data: dict[str, Any] = load_vector(TSL, "token_status_list_vectors.json")
    return data


def test_w3c_encoded_list_is_131072_zero_bits() -> None:
    [expected] = load_vector(BSL, "decoded_encodedLists.json")
    data = decode_bitstring(expected["encodedList"])
    bits = StatusList(data, 1, BitOrder.MSB_FIRST)
    assert len(bits) == expected["bitstring_length_bits"] == MIN_ENTRIES
    assert list(bits.nonzero()) == expected["set_bit_indexes_msb_first"] == []


@pytest.mark.parametrize(
    "folder",
    ["example-bitstringstatuslistcredential", "a-status-list-verifiable-credential"],
)
def test_w3c_status_list_credential_parses(folder: str) -> None:
    name = "example.json" if folder.startswith("example") else "unsecured.json"
    cred = BitstringStatusListCredential.parse(load_vector(BSL, folder, name))
    assert cred.issuer == "did:example:12345"
    assert cred.id == "https://example.com/credentials/status/3"
    assert cred.purposes == {"revocation"}
    assert len(decode_bitstring(cred.encoded_list)) * 8 == MIN_ENTRIES


def test_w3c_secured_list_credential_body_matches_unsecured() -> None:
    for suite in ("secured-eddsa-rdfc-2022.json", "secured-ecdsa-rdfc-2019.json"):
        doc = load_vector(BSL, "a-status-list-verifiable-credential", suite)
        assert BitstringStatusListCredential.parse(doc).encoded_list.startswith("uH4sI")
        assert doc["proof"]["type"] == "DataIntegrityProof"


def test_w3c_revocable_credential_entry() -> None:
    doc = load_vector(BSL, "a-revocable-verifiable-credential", "unsecured.json")
    entry = BitstringStatusListEntry.parse(doc["credentialStatus"])
    assert entry.status_list_index == 94567
    assert entry.status_purpose == "revocation"
    assert entry.status_size == 1
    assert entry.status_list_credential == "https://example.com/credentials/status/3"
    assert entry.to_json() == doc["credentialStatus"]


def test_w3c_simple_entries_example() -> None:
    doc = load_vector(BSL, "example-statuslistcredential-using-simple-entries", "example.json")
    entries = [BitstringStatusListEntry.parse(e) for e in doc["credentialStatus"]]
    assert [(e.status_purpose, e.status_list_index) for e in entries] == [
        ("revocation", 94567),
        ("suspension", 23452),
    ]


def test_w3c_reencode_decodes_to_same_bits() -> None:
    [expected] = load_vector(BSL, "decoded_encodedLists.json")
    data = decode_bitstring(expected["encodedList"])
    assert decode_bitstring(encode_bitstring(data)) == data


@pytest.mark.parametrize("position", range(6))
def test_ietf_status_list_vectors_decode_exactly(position: int) -> None:
    vector = _token_vectors()["status_list_vectors"][position]
    lst = decode_lst(vector["json_status_list"]["lst"], vector["json_status_list"]["bits"])
    assert lst.bits == vector["bits"]
    if "statuses" in vector:
        assert [lst.get(i) for i in range(len(vector["statuses"]))] == vector["statuses"]
        assert lst.data.hex() == vector["byte_array_hex"]
        assert len(lst) == len(lst.data) * 8 // vector["bits"]
    else:
        listed = {int(k): v for k, v in vector["non_default_statuses"].items()}
        assert len(lst) == vector["size"] == 2**20
        assert all(lst.get(i) == v for i, v in listed.items())
        assert dict(lst.nonzero()) == {i: v for i, v in listed.items() if v}


@pytest.mark.parametrize("position", range(6))
def test_ietf_reencode_roundtrips(position: int) -> None:
    vector = _token_vectors()["status_list_vectors"][position]
    lst = decode_lst(vector["json_status_list"]["lst"], vector["bits"])
    assert decode_lst(encode_lst(lst), vector["bits"]) == lst


def test_ietf_short_example_compresses_to_spec_bytes_at_level_9() -> None:
    vector = _token_vectors()["status_list_vectors"][0]
    lst = decode_lst(vector["json_status_list"]["lst"], 1)
    assert encode_lst(lst, level=9) == vector["json_status_list"]["lst"] == "eNrbuRgAAhcBXQ"


def test_ietf_status_list_token_jwt_verifies_and_decodes() -> None:
    vectors = _token_vectors()["status_list_token_jwt"]
    key = PublicKey.from_jwk(load_vector(TSL, "example_signing_key.json")["public_jwk"])
    jwt = verify_jwt(vectors["compact"], key, typ=STATUS_LIST_TYP)
    token = StatusListToken.parse(jwt.payload)
    assert token.sub == "https://example.com/statuslists/1"
    assert (token.iat, token.exp, token.ttl, token.iss) == (
        1686920170,
        2291720170,
        43200,
        "https://example.com",
    )
    lst = token.decode()
    assert [lst.get(i) for i in range(16)] == vectors["checks"]["statuses_of_embedded_list"]


def test_ietf_referenced_token_status_claim() -> None:
    inline = _token_vectors()["referenced_token_jwt_payload_examples_inline_in_spec"]
    for example in (inline[0]["payload"], inline[2]["payload"]):
        ref = TokenStatusReference.parse(example["status"])
        assert ref == TokenStatusReference("https://example.com/statuslists/1", 0)
        assert ref.to_json() == example["status"]
