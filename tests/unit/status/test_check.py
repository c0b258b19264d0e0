"""Pure status reads and the folding of results into the ``status`` check."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pidm.errors import StatusListLengthError, StatusVerificationError
from pidm.status.bitstring import MIN_ENTRIES, new_bitstring
from pidm.status.bitstring_vc import BitstringStatusListEntry, status_list_entry
from pidm.status.check import (
    StatusResult,
    VerifiedBitstringList,
    VerifiedTokenList,
    status_check,
    status_of,
    token_status_of,
)
from pidm.status.token import TokenStatus, TokenStatusReference, new_token_list
from pidm.verification import CheckStatus
from tests.unit.status.fixtures import NOW, TOKEN_URI, W3C_URL

ISSUER = "did:example:issuer"


def _w3c(data: bytes, **over: object) -> VerifiedBitstringList:
    fields: dict[str, object] = {
        "url": W3C_URL,
        "issuer": ISSUER,
        "purposes": frozenset({"revocation", "suspension", "message"}),
        "valid_from": NOW - timedelta(days=1),
        "valid_until": NOW + timedelta(days=1),
        "status_size": None,
        "data": data,
    }
    fields.update(over)
    return VerifiedBitstringList(**fields)  # type: ignore[arg-type]


def _entry(index: int, purpose: str = "revocation", **kw: object) -> BitstringStatusListEntry:
    return BitstringStatusListEntry.parse(status_list_entry(W3C_URL, index, purpose, **kw))  # type: ignore[arg-type]


def test_unset_and_set_bits() -> None:
    bits = new_bitstring()
    bits.set(7, 1)
    lst = _w3c(bytes(bits.data))
    ok = status_of(_entry(6), lst, issuer=ISSUER, now=NOW)
    assert (ok.status, ok.valid, ok.message) == (0, True, "unset")
    bad = status_of(_entry(7), lst, issuer=ISSUER, now=NOW)
    assert (bad.status, bad.valid, bad.message, bad.index) == (1, False, "set", 7)


def test_multibit_message() -> None:
    bits = new_bitstring(MIN_ENTRIES, 2)
    bits.set(1000, 2)
    entry = _entry(1000, "message", status_size=2, messages=["pending", "ok", "rejected", "x"])
    result = status_of(entry, _w3c(bytes(bits.data)), issuer=ISSUER, now=NOW)
    assert (result.status, result.message, result.valid) == (2, "rejected", False)
    check = status_check([result])
    assert check.status is CheckStatus.PASSED and check.message == "message: rejected"


def test_purpose_mismatch() -> None:
    lst = _w3c(bytes(16384), purposes=frozenset({"suspension"}))
    with pytest.raises(StatusVerificationError, match="purpose"):
        status_of(_entry(1), lst, issuer=ISSUER, now=NOW)


def test_other_issuer() -> None:
    with pytest.raises(StatusVerificationError, match="issuer"):
        status_of(_entry(1), _w3c(bytes(16384)), issuer="did:example:other", now=NOW)


def test_validity_window() -> None:
    lst = _w3c(bytes(16384))
    with pytest.raises(StatusVerificationError, match="expired"):
        status_of(_entry(1), lst, issuer=ISSUER, now=NOW + timedelta(days=1))
    with pytest.raises(StatusVerificationError, match="not yet valid"):
        status_of(_entry(1), lst, issuer=ISSUER, now=NOW - timedelta(days=2))


def test_index_out_of_range_and_short_list() -> None:
    with pytest.raises(StatusListLengthError, match="past"):
        status_of(_entry(MIN_ENTRIES), _w3c(bytes(16384)), issuer=ISSUER, now=NOW)
    with pytest.raises(StatusListLengthError, match="herd privacy"):
        status_of(_entry(0), _w3c(bytes(16383)), issuer=ISSUER, now=NOW)
    result = status_of(_entry(3), _w3c(bytes(128)), issuer=ISSUER, now=NOW, min_entries=1024)
    assert result.valid


def test_status_size_must_match_list_declaration() -> None:
    lst = _w3c(bytes(32768), status_size=2)
    with pytest.raises(StatusVerificationError, match="statusSize"):
        status_of(_entry(1), lst, issuer=ISSUER, now=NOW)


def _token(data: bytes, bits: int = 2, **over: object) -> VerifiedTokenList:
    fields: dict[str, object] = {
        "uri": TOKEN_URI,
        "signer": ISSUER,
        "iss": ISSUER,
        "iat": NOW.timestamp() - 10,
        "exp": NOW.timestamp() + 10,
        "bits": bits,
        "data": data,
    }
    fields.update(over)
    return VerifiedTokenList(**fields)  # type: ignore[arg-type]


def test_token_statuses() -> None:
    lst = new_token_list(64, 2)
    lst.set(1, TokenStatus.INVALID)
    lst.set(2, TokenStatus.SUSPENDED)
    lst.set(3, 3)
    verified = _token(bytes(lst.data))
    reads = [
        token_status_of(TokenStatusReference(TOKEN_URI, i), verified, issuer=ISSUER, now=NOW)
        for i in range(4)
    ]
    assert [(r.status, r.message) for r in reads] == [
        (0, "VALID"),
        (1, "INVALID"),
        (2, "SUSPENDED"),
        (3, "0x03"),
    ]
    codes = [status_check([r]).code for r in reads]
    assert codes == [
        None,
        "CREDENTIAL_REVOKED",
        "CREDENTIAL_SUSPENDED",
        "STATUS_VERIFICATION_ERROR",
    ]


def test_token_refusals() -> None:
    verified = _token(bytes(16))
    ref = TokenStatusReference(TOKEN_URI, 1)
    with pytest.raises(StatusVerificationError, match="sub"):
        token_status_of(TokenStatusReference(TOKEN_URI + "x", 1), verified, issuer=ISSUER, now=NOW)
    with pytest.raises(StatusVerificationError, match="signed by"):
        token_status_of(ref, verified, issuer="did:example:other", now=NOW)
    with pytest.raises(StatusVerificationError, match="expired"):
        token_status_of(ref, verified, issuer=ISSUER, now=NOW + timedelta(seconds=10))
    with pytest.raises(StatusListLengthError):
        token_status_of(TokenStatusReference(TOKEN_URI, 64), verified, issuer=ISSUER, now=NOW)
    assert token_status_of(ref, _token(bytes(16), exp=None), issuer=None, now=NOW).valid


def test_revocation_outranks_suspension_and_messages_are_reported() -> None:
    def r(purpose: str, status: int, message: str = "") -> StatusResult:
        return StatusResult(purpose, status, status == 0, message, 5, W3C_URL)

    assert status_check([r("suspension", 1), r("revocation", 1)]).code == "CREDENTIAL_REVOKED"
    assert status_check([r("suspension", 1), r("revocation", 0)]).code == "CREDENTIAL_SUSPENDED"
    ok = status_check([r("revocation", 0), r("refresh", 1, "set"), r("message", 0, "fine")])
    assert ok.status is CheckStatus.PASSED
    assert ok.message == "refresh: set; message: fine"
