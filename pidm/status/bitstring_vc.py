"""W3C Bitstring Status List v1.0 data model: ``BitstringStatusListEntry`` (§2.1) in issued
credentials, and the ``BitstringStatusListCredential`` (§2.2) that carries the list.

Parsing is strict (``MALFORMED_VALUE_ERROR``, as §3 requires for values breaking a MUST):
``statusListIndex`` is a base-10 string, ``statusSize`` an integer 1..8 (pidm's limit: a larger
size would need 512+ ``statusMessage`` entries), and ``statusMessage``, required when
``statusSize`` > 1, lists each of the 2**statusSize values exactly once. Signing is injected:
:func:`status_list_credential` takes ``sign`` (e.g. a ``functools.partial`` of
``pidm.integrity.proof.add_proof``) so this module stays pure.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pidm.errors import MalformedValueError, StatusListLengthError, shorten
from pidm.status.packed import MAX_BITS

__all__ = [
    "ENTRY_TYPE",
    "LIST_CREDENTIAL_TYPE",
    "BitstringStatusListCredential",
    "BitstringStatusListEntry",
    "StatusMessage",
    "format_datetime",
    "parse_datetime",
    "status_list_credential",
    "status_list_entry",
]

ENTRY_TYPE = "BitstringStatusListEntry"
LIST_CREDENTIAL_TYPE = "BitstringStatusListCredential"
LIST_TYPE = "BitstringStatusList"
VCDM2_CONTEXT = "https://www.w3.org/ns/credentials/v2"

_INDEX = re.compile(r"^[0-9]+$")
_HEX = re.compile(r"^0x[0-9a-fA-F]{1,2}$")
_MAX_INDEX_DIGITS = 30
_DEFAULT_MESSAGES = {0: "unset", 1: "set"}


def parse_datetime(value: object, field: str) -> datetime:
    """An XML Schema dateTimeStamp (time zone required) as an aware UTC datetime."""
    if not isinstance(value, str) or "T" not in value:
        raise MalformedValueError(f"'{field}' must be a dateTimeStamp: {shorten(value)}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise MalformedValueError(f"'{field}' is not a dateTimeStamp: {shorten(value)}") from exc
    if parsed.tzinfo is None:
        raise MalformedValueError(f"'{field}' has no time zone: {shorten(value)}")
    return parsed.astimezone(UTC)


def format_datetime(value: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ`` (UTC, whole seconds)."""
    if value.tzinfo is None:
        raise MalformedValueError("datetime must be tz-aware")
    return value.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _str(data: Mapping[str, Any], key: str, what: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise MalformedValueError(f"{what} needs a string '{key}': {shorten(value)}")
    return value


def _types(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(t, str) for t in value):
        return tuple(value)
    raise MalformedValueError(f"'type' must be a string or a list of strings: {shorten(value)}")


@dataclass(frozen=True, slots=True)
class StatusMessage:
    status: int
    message: str

    def to_json(self) -> dict[str, str]:
        return {"status": f"0x{self.status:x}", "message": self.message}


def _parse_messages(value: object, size: int) -> tuple[StatusMessage, ...]:
    if not isinstance(value, list):
        raise MalformedValueError(f"'statusMessage' must be an array: {shorten(value)}")
    if len(value) != 1 << size:
        raise MalformedValueError(
            f"'statusMessage' has {len(value)} entries; statusSize {size} needs {1 << size}"
        )
    out: dict[int, StatusMessage] = {}
    for item in value:
        if not isinstance(item, Mapping):
            raise MalformedValueError(f"statusMessage entry must be an object: {shorten(item)}")
        status, message = item.get("status"), item.get("message")
        if not (isinstance(status, str) and _HEX.fullmatch(status)) \
                or not isinstance(message, str):
            raise MalformedValueError(
                f"statusMessage entry needs hex 'status' and string 'message': {shorten(item)}"
            )
        number = int(status, 16)
        if number >= 1 << size or number in out:
            raise MalformedValueError(f"statusMessage status {status} is out of range or repeated")
        out[number] = StatusMessage(number, message)
    return tuple(out[n] for n in sorted(out))


@dataclass(frozen=True, slots=True)
class BitstringStatusListEntry:
    """One ``credentialStatus`` entry of type ``BitstringStatusListEntry``."""

    status_list_credential: str
    status_list_index: int
    status_purpose: str
    status_size: int = 1
    status_messages: tuple[StatusMessage, ...] = ()
    status_reference: tuple[str, ...] = ()
    id: str | None = None

    @classmethod
    def parse(cls, data: object) -> BitstringStatusListEntry:
        if not isinstance(data, Mapping):
            raise MalformedValueError(f"credentialStatus entry must be an object: {shorten(data)}")
        if ENTRY_TYPE not in _types(data.get("type")):
            raise MalformedValueError(f"credentialStatus type is not {ENTRY_TYPE}")
        what = ENTRY_TYPE
        url = _str(data, "statusListCredential", what)
        purpose = _str(data, "statusPurpose", what)
        raw_index = data.get("statusListIndex")
        if not isinstance(raw_index, str) or not _INDEX.fullmatch(raw_index):
            raise MalformedValueError(
                f"'statusListIndex' must be a base-10 integer string: {shorten(raw_index)}"
            )
        if len(raw_index) > _MAX_INDEX_DIGITS:
            raise StatusListLengthError(f"statusListIndex {shorten(raw_index)} is out of range")
        size = data.get("statusSize", 1)
        if type(size) is not int or not 1 <= size <= MAX_BITS:
            raise MalformedValueError(f"'statusSize' must be an integer 1..{MAX_BITS}: {size!r}")
        messages: tuple[StatusMessage, ...] = ()
        if "statusMessage" in data:
            messages = _parse_messages(data["statusMessage"], size)
        elif size > 1:
            raise MalformedValueError("'statusMessage' is required when statusSize > 1")
        reference = data.get("statusReference", ())
        references = (reference,) if isinstance(reference, str) else reference
        if not isinstance(references, (list, tuple)) or not all(
            isinstance(r, str) for r in references
        ):
            raise MalformedValueError(f"'statusReference' must be URL(s): {shorten(reference)}")
        entry_id = data.get("id")
        if entry_id is not None and (not isinstance(entry_id, str) or entry_id == url):
            raise MalformedValueError("entry 'id' must be a string other than the list URL")
        return cls(url, int(raw_index), purpose, size, messages, tuple(references), entry_id)

    def message_for(self, status: int) -> str:
        """The ``message`` for ``status`` (``"unset"``/``"set"`` without ``statusMessage``)."""
        for item in self.status_messages:
            if item.status == status:
                return item.message
        return _DEFAULT_MESSAGES.get(status, f"0x{status:x}")

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.id is not None:
            out["id"] = self.id
        out.update(
            {
                "type": ENTRY_TYPE,
                "statusPurpose": self.status_purpose,
                "statusListIndex": str(self.status_list_index),
                "statusListCredential": self.status_list_credential,
            }
        )
        if self.status_size != 1:
            out["statusSize"] = self.status_size
        if self.status_messages:
            out["statusMessage"] = [m.to_json() for m in self.status_messages]
        if self.status_reference:
            ref = self.status_reference
            out["statusReference"] = ref[0] if len(ref) == 1 else list(ref)
        return out


def status_list_entry(
    list_url: str,
    index: int,
    purpose: str = "revocation",
    *,
    status_size: int = 1,
    messages: Sequence[str] | None = None,
    reference: str | Sequence[str] | None = None,
) -> dict[str, Any]:
    """The ``credentialStatus`` entry an issuer puts in a credential (validated by parsing).

    ``messages[i]`` is the message for status value ``i``; the entry ``id`` is
    ``{list_url}#{index}`` as in the specification's examples.
    """
    if type(index) is not int or index < 0:
        raise MalformedValueError(f"status list index must be a non-negative int: {index!r}")
    raw: dict[str, Any] = {
        "id": f"{list_url}#{index}",
        "type": ENTRY_TYPE,
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }
    if status_size != 1:
        raw["statusSize"] = status_size
    if messages is not None:
        raw["statusMessage"] = [StatusMessage(i, m).to_json() for i, m in enumerate(messages)]
    if reference is not None:
        raw["statusReference"] = reference if isinstance(reference, str) else list(reference)
    return BitstringStatusListEntry.parse(raw).to_json()


@dataclass(frozen=True, slots=True)
class BitstringStatusListCredential:
    """The fields of a ``BitstringStatusListCredential`` a status check relies on."""

    id: str | None
    issuer: str
    purposes: frozenset[str]
    encoded_list: str
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    ttl_ms: int | None = None
    status_size: int | None = None

    @classmethod
    def parse(cls, doc: object) -> BitstringStatusListCredential:
        if not isinstance(doc, Mapping):
            raise MalformedValueError("a status list credential must be a JSON object")
        types = _types(doc.get("type"))
        if LIST_CREDENTIAL_TYPE not in types or "VerifiableCredential" not in types:
            raise MalformedValueError(f"credential type is not {LIST_CREDENTIAL_TYPE}")
        issuer = doc.get("issuer")
        if isinstance(issuer, Mapping):
            issuer = issuer.get("id")
        if not isinstance(issuer, str) or not issuer:
            raise MalformedValueError(f"status list 'issuer' must be a URL: {shorten(issuer)}")
        doc_id = doc.get("id")
        if doc_id is not None and not isinstance(doc_id, str):
            raise MalformedValueError(f"status list 'id' must be a URL: {shorten(doc_id)}")
        subject = doc.get("credentialSubject")
        if isinstance(subject, list) and len(subject) == 1:
            subject = subject[0]
        if not isinstance(subject, Mapping) or LIST_TYPE not in _types(subject.get("type")):
            raise MalformedValueError(f"credentialSubject must be one {LIST_TYPE} object")
        purpose = subject.get("statusPurpose")
        purposes = [purpose] if isinstance(purpose, str) else purpose
        if (
            not isinstance(purposes, list)
            or not purposes
            or not all(isinstance(p, str) and p for p in purposes)
        ):
            raise MalformedValueError(f"'statusPurpose' must be string(s): {shorten(purpose)}")
        encoded = subject.get("encodedList")
        if not isinstance(encoded, str):
            raise MalformedValueError(f"'encodedList' must be a string: {shorten(encoded)}")
        ttl = subject.get("ttl")
        if ttl is not None and (type(ttl) is not int or ttl < 0):
            raise MalformedValueError(f"'ttl' must be milliseconds (integer >= 0): {ttl!r}")
        size = subject.get("statusSize")
        if size is not None and (type(size) is not int or not 1 <= size <= MAX_BITS):
            raise MalformedValueError(f"'statusSize' must be an integer 1..{MAX_BITS}: {size!r}")
        start = doc.get("validFrom", doc.get("issuanceDate"))
        end = doc.get("validUntil", doc.get("expirationDate"))
        return cls(
            doc_id,
            issuer,
            frozenset(purposes),
            encoded,
            None if start is None else parse_datetime(start, "validFrom"),
            None if end is None else parse_datetime(end, "validUntil"),
            ttl,
            size,
        )


def status_list_credential(
    *,
    url: str,
    issuer: str,
    purpose: str | Sequence[str],
    encoded_list: str,
    valid_from: datetime,
    valid_until: datetime | None = None,
    ttl_ms: int | None = None,
    sign: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A ``BitstringStatusListCredential`` published at ``url`` (§3.1), signed by ``sign``
    when given (which returns the document with its proof)."""
    subject: dict[str, Any] = {
        "id": f"{url}#list",
        "type": LIST_TYPE,
        "statusPurpose": purpose if isinstance(purpose, str) else list(purpose),
        "encodedList": encoded_list,
    }
    if ttl_ms is not None:
        subject["ttl"] = ttl_ms
    doc: dict[str, Any] = {
        "@context": [VCDM2_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", LIST_CREDENTIAL_TYPE],
        "issuer": issuer,
        "validFrom": format_datetime(valid_from),
    }
    if valid_until is not None:
        doc["validUntil"] = format_datetime(valid_until)
    doc["credentialSubject"] = subject
    BitstringStatusListCredential.parse(doc)
    return sign(doc) if sign is not None else doc
