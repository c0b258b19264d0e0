"""Status checks: pure ``status_of`` / ``token_status_of`` over an already verified, decoded
list, and ``check_status``, which fetches through a :class:`StatusListClient` and returns the
verification result's ``status`` :class:`~pidm.verification.Check`.

Outcomes (W3C Bitstring Status List §3.2, IETF Token Status List §8.3):

* revocation bit set / token status INVALID (1) → FAILED ``CREDENTIAL_REVOKED``;
* suspension bit set / token status SUSPENDED (2) → FAILED ``CREDENTIAL_SUSPENDED``;
* ``message`` / ``refresh`` / other purposes → PASSED, the message reported in the check;
* any other token status (3, 0x0C-0x0F application-specific, reserved) → FAILED
  ``STATUS_VERIFICATION_ERROR``: pidm does not accept a status it cannot interpret;
* list not retrievable → ``STATUS_RETRIEVAL_ERROR``; bad proof, list issuer or signer not the
  credential's issuer, purpose mismatch, list outside its validity window, token ``sub`` not the
  referenced ``uri`` → ``STATUS_VERIFICATION_ERROR``; list shorter than 131,072 entries or index
  past its end → ``STATUS_LIST_LENGTH_ERROR``; malformed values → ``MALFORMED_VALUE_ERROR``;
  a compressed list expanding past the limit → ``PAYLOAD_TOO_LARGE``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, Protocol

from pidm.errors import (
    CredentialRevoked,
    CredentialSuspended,
    MalformedValueError,
    PidmError,
    StatusError,
    StatusListLengthError,
    StatusVerificationError,
    shorten,
)
from pidm.status.bitstring import MIN_ENTRIES, check_min_entries
from pidm.status.bitstring_vc import BitstringStatusListEntry
from pidm.status.packed import BitOrder, entry_count, read_status
from pidm.status.token import TokenStatus, TokenStatusReference
from pidm.verification import Check, CheckStatus

__all__ = [
    "CHECK_NAME",
    "StatusListClient",
    "StatusResult",
    "VerifiedBitstringList",
    "VerifiedTokenList",
    "check_status",
    "status_check",
    "status_of",
    "token_status_of",
]

CHECK_NAME = "status"
TOKEN_PURPOSE = "status_list"


@dataclass(frozen=True, slots=True)
class VerifiedBitstringList:
    """A BitstringStatusListCredential whose proofs verified, with its list decoded."""

    url: str
    issuer: str
    purposes: frozenset[str]
    valid_from: datetime | None
    valid_until: datetime | None
    status_size: int | None
    data: bytes


@dataclass(frozen=True, slots=True)
class VerifiedTokenList:
    """A Status List Token whose signature verified, with its list decoded."""

    uri: str
    signer: str  # the DID whose key signed the token
    iss: str | None
    iat: float
    exp: float | None
    bits: int
    data: bytes


class StatusResult(NamedTuple):
    """One status read (§3.2 ``result``): ``valid`` is ``status == 0``.

    An immutable NamedTuple rather than a frozen dataclass: one is built per cached status
    check, and a frozen dataclass's ``__init__`` alone would cost half the check.
    """

    purpose: str
    status: int
    valid: bool
    message: str
    index: int  # type: ignore[assignment]  # shadows tuple.index, as intended
    list_url: str


class StatusListClient(Protocol):
    """Where ``check_status`` gets verified lists (see :mod:`pidm.status.client`)."""

    async def bitstring_list(self, url: str, *, now: datetime) -> VerifiedBitstringList: ...

    async def token_list(self, uri: str, *, now: datetime) -> VerifiedTokenList: ...


_new_result = tuple.__new__  # NamedTuple's own __new__ is a Python-level wrapper of this


def status_of(
    entry: BitstringStatusListEntry,
    status_list: VerifiedBitstringList,
    *,
    issuer: str,
    now: datetime,
    min_entries: int = MIN_ENTRIES,
) -> StatusResult:
    """Read ``entry`` from ``status_list`` for a credential issued by ``issuer`` (§3.2)."""
    if entry.status_purpose not in status_list.purposes:
        raise StatusVerificationError(
            f"status purpose {shorten(entry.status_purpose)} is not one of the list's purposes "
            f"{sorted(status_list.purposes)}"
        )
    if status_list.issuer != issuer:
        raise StatusVerificationError(
            f"status list issuer {shorten(status_list.issuer)} is not the credential's issuer "
            f"{shorten(issuer)}"
        )
    if status_list.valid_from is not None and now < status_list.valid_from:
        raise StatusVerificationError(f"status list {shorten(status_list.url)} is not yet valid")
    if status_list.valid_until is not None and now >= status_list.valid_until:
        raise StatusVerificationError(f"status list {shorten(status_list.url)} has expired")
    size = entry.status_size
    if status_list.status_size is not None and status_list.status_size != size:
        raise StatusVerificationError(
            f"entry statusSize {size} differs from the list's {status_list.status_size}"
        )
    count = len(status_list.data) * 8 // size
    if count < min_entries:
        check_min_entries(status_list.data, size, min_entries)  # raises, with the message
    index = entry.status_list_index
    if index >= count:
        raise StatusListLengthError(f"statusListIndex {index} is past the list's {count} entries")
    value = read_status(status_list.data, index, size, BitOrder.MSB_FIRST)
    message = entry.message_for(value)
    return _new_result(
        StatusResult,
        (entry.status_purpose, value, value == 0, message, index, status_list.url),
    )


def token_status_of(
    ref: TokenStatusReference,
    status_list: VerifiedTokenList,
    *,
    issuer: str | None,
    now: datetime,
) -> StatusResult:
    """Read ``ref`` from a verified Status List Token (§8.3 steps 4-7).

    ``issuer`` is the Referenced Token's issuer: the list must be signed by a key of that DID
    (pass None only when the caller has bound the list's signer to the issuer another way).
    """
    if status_list.uri != ref.uri:
        raise StatusVerificationError(
            f"status list token sub {shorten(status_list.uri)} != uri {shorten(ref.uri)}"
        )
    if issuer is not None and status_list.signer != issuer:
        raise StatusVerificationError(
            f"status list token is signed by {shorten(status_list.signer)}, not by the "
            f"credential's issuer {shorten(issuer)}"
        )
    if status_list.exp is not None and now.timestamp() >= status_list.exp:
        raise StatusVerificationError(f"status list token {shorten(ref.uri)} has expired")
    count = entry_count(status_list.data, status_list.bits)
    if ref.idx >= count:
        raise StatusListLengthError(f"idx {ref.idx} is past the list's {count} entries")
    value = read_status(status_list.data, ref.idx, status_list.bits, BitOrder.LSB_FIRST)
    try:
        name = TokenStatus(value).name
    except ValueError:
        name = f"0x{value:02x}"
    return StatusResult(TOKEN_PURPOSE, value, value == 0, name, ref.idx, ref.uri)


def _where(result: StatusResult) -> str:
    return f"index {result.index} of {result.list_url}"


def _failure(result: StatusResult) -> StatusError | None:
    if result.status == 0:
        return None
    token = result.purpose == TOKEN_PURPOSE
    if result.purpose == "revocation" or (token and result.status == TokenStatus.INVALID):
        return CredentialRevoked(f"credential revoked ({_where(result)})")
    if result.purpose == "suspension" or (token and result.status == TokenStatus.SUSPENDED):
        return CredentialSuspended(f"credential suspended ({_where(result)})")
    if token:
        return StatusVerificationError(f"status {result.message} is not understood")
    return None


def status_check(results: Sequence[StatusResult]) -> Check:
    """Fold status reads into the ``status`` check; revocation outranks suspension."""
    failures = [f for f in map(_failure, results) if f is not None]
    for kind in (CredentialRevoked, CredentialSuspended, StatusError):
        for failure in failures:
            if isinstance(failure, kind):
                return Check(CHECK_NAME, CheckStatus.FAILED, failure.code, str(failure))
    notes = [f"{r.purpose}: {r.message}" for r in results if r.purpose not in _SILENT]
    return Check(CHECK_NAME, CheckStatus.PASSED, None, "; ".join(notes))


_SILENT = frozenset({"revocation", "suspension", TOKEN_PURPOSE})


def _entries(credential_status: object) -> list[BitstringStatusListEntry]:
    raw = credential_status if isinstance(credential_status, list) else [credential_status]
    if not raw:
        raise MalformedValueError("credentialStatus is an empty list")
    return [BitstringStatusListEntry.parse(item) for item in raw]


async def _results(
    credential_status: object,
    issuer: str,
    client: StatusListClient,
    now: datetime,
    min_entries: int,
) -> list[StatusResult]:
    if isinstance(credential_status, Mapping) and "status_list" in credential_status:
        ref = TokenStatusReference.parse(credential_status)
        token_list = await client.token_list(ref.uri, now=now)
        return [token_status_of(ref, token_list, issuer=issuer, now=now)]
    entries = _entries(credential_status)
    urls = list(dict.fromkeys(e.status_list_credential for e in entries))
    if len(urls) == 1:  # the common case: no task per check
        lists = {urls[0]: await client.bitstring_list(urls[0], now=now)}
    else:
        fetched: list[Any] = await asyncio.gather(
            *(client.bitstring_list(url, now=now) for url in urls), return_exceptions=True
        )
        for item in fetched:
            if isinstance(item, BaseException):
                raise item
        lists = dict(zip(urls, fetched, strict=True))
    return [
        status_of(
            e, lists[e.status_list_credential], issuer=issuer, now=now, min_entries=min_entries
        )
        for e in entries
    ]


async def check_status(
    credential_status: object,
    *,
    issuer: str,
    client: StatusListClient,
    now: datetime,
    min_entries: int = MIN_ENTRIES,
) -> Check:
    """The ``status`` check for a credential issued by ``issuer``.

    ``credential_status`` is a W3C credential's ``credentialStatus`` (one
    ``BitstringStatusListEntry`` or a list of them) or an SD-JWT VC's ``status`` claim
    (``{"status_list": {"idx", "uri"}}``). None gives a SKIPPED check. Every entry must pass.
    """
    if credential_status is None:
        return Check(CHECK_NAME, CheckStatus.SKIPPED, None, "credential has no status entry")
    try:
        results = await _results(credential_status, issuer, client, now, min_entries)
    except PidmError as exc:
        return Check(CHECK_NAME, CheckStatus.FAILED, exc.code, str(exc))
    return status_check(results)
