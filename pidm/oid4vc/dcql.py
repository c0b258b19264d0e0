"""Digital Credentials Query Language (DCQL), OpenID4VP 1.0 §6 and §7: the query model.

``DcqlQuery.parse`` validates a query once (ids unique and well-formed, claims path pointers
non-empty arrays of strings / non-negative integers / nulls, references in ``claim_sets`` and
``credential_sets`` resolvable, the format-specific ``meta`` members of §B present) and bounds its
size; unknown properties are ignored, as §6 requires. Evaluating a query against credentials lives
in :mod:`pidm.oid4vc.dcql_eval`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pidm.errors import InvalidDcqlQuery, shorten
from pidm.oid4vc._fields import (
    as_object,
    limit,
    load_json,
    opt_bool,
    req_str,
    str_list,
)

#: A claims path pointer (§7): strings select keys, integers array indexes, None every element.
ClaimPath = tuple[str | int | None, ...]
ClaimValue = str | int | bool

SD_JWT_VC = "dc+sd-jwt"
W3C_FORMATS = frozenset({"ldp_vc", "jwt_vc_json", "jwt_vc_json-ld"})
MSO_MDOC = "mso_mdoc"

MAX_QUERY_BYTES = 65_536
MAX_CREDENTIAL_QUERIES = 32
MAX_CLAIMS = 128
MAX_PATH = 16
MAX_VALUES = 64
MAX_SETS = 32
_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
_E = InvalidDcqlQuery


def _check_id(value: Any, what: str) -> str:
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise _E(f"{what} must be 1-128 characters of [A-Za-z0-9_-], got {shorten(value)}")
    return value


def parse_claim_path(value: Any, what: str = "path") -> ClaimPath:
    """Validate a claims path pointer: a non-empty array of strings, non-negative ints, nulls."""
    if not isinstance(value, list) or not value:
        raise _E(f"'{what}' must be a non-empty array, got {shorten(value)}")
    limit(len(value), MAX_PATH, what)
    for item in value:
        if item is None or isinstance(item, str) and 0 < len(item) <= 256:
            continue
        if isinstance(item, int) and not isinstance(item, bool) and 0 <= item < 2**31:
            continue
        raise _E(f"'{what}' components must be strings, integers >= 0 or null: {item!r:.60}")
    return tuple(value)


@dataclass(frozen=True, slots=True)
class ClaimsQuery:
    """One entry of ``claims`` (§6.3): a path, optional id and optional expected ``values``."""

    path: ClaimPath
    id: str | None = None
    values: tuple[ClaimValue, ...] | None = None
    intent_to_retain: bool | None = None

    @classmethod
    def parse(cls, data: Any, *, mdoc: bool = False) -> ClaimsQuery:
        obj = as_object(data, _E, "claims query")
        claim_id = _check_id(obj["id"], "claim 'id'") if "id" in obj else None
        path = parse_claim_path(obj.get("path"))
        if mdoc and (len(path) != 2 or not all(isinstance(p, str) for p in path)):
            raise _E(f"mso_mdoc claim path must be [namespace, element], got {shorten(list(path))}")
        values = None
        if "values" in obj:
            raw = obj["values"]
            if not isinstance(raw, list) or not raw:
                raise _E(f"'values' must be a non-empty array, got {shorten(raw)}")
            limit(len(raw), MAX_VALUES, "values")
            for item in raw:
                if not isinstance(item, str | int) or isinstance(item, str) and len(item) > 1024:
                    raise _E(f"'values' must hold strings, integers or booleans: {item!r:.60}")
            values = tuple(raw)
        retain = None
        if mdoc and "intent_to_retain" in obj:
            retain = opt_bool(obj, "intent_to_retain", _E, False)
        return cls(path, claim_id, values, retain)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.id is not None:
            out["id"] = self.id
        out["path"] = list(self.path)
        if self.values is not None:
            out["values"] = list(self.values)
        if self.intent_to_retain is not None:
            out["intent_to_retain"] = self.intent_to_retain
        return out


@dataclass(frozen=True, slots=True)
class TrustedAuthority:
    """A ``trusted_authorities`` entry (§6.1.1); carried, not evaluated."""

    type: str
    values: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, "values": list(self.values)}


@dataclass(frozen=True, slots=True)
class CredentialQuery:
    """One Credential Query (§6.1) with its format-specific ``meta`` (§B.1.1, §B.2.3, §B.3.5)."""

    id: str
    format: str
    meta: Mapping[str, Any] = field(default_factory=dict)
    claims: tuple[ClaimsQuery, ...] | None = None
    claim_sets: tuple[tuple[str, ...], ...] | None = None
    multiple: bool = False
    require_cryptographic_holder_binding: bool = True
    trusted_authorities: tuple[TrustedAuthority, ...] | None = None

    @property
    def vct_values(self) -> tuple[str, ...] | None:
        """``meta.vct_values`` (SD-JWT VC), or None."""
        value = self.meta.get("vct_values")
        return tuple(value) if isinstance(value, list | tuple) else None

    @property
    def type_values(self) -> tuple[tuple[str, ...], ...] | None:
        """``meta.type_values`` (W3C VC formats), or None."""
        value = self.meta.get("type_values")
        return tuple(tuple(alt) for alt in value) if isinstance(value, list | tuple) else None

    @property
    def doctype_value(self) -> str | None:
        value = self.meta.get("doctype_value")
        return value if isinstance(value, str) else None

    def claim(self, claim_id: str) -> ClaimsQuery:
        for claim in self.claims or ():
            if claim.id == claim_id:
                return claim
        raise KeyError(claim_id)

    @classmethod
    def parse(cls, data: Any) -> CredentialQuery:
        obj = as_object(data, _E, "credential query")
        query_id = _check_id(obj.get("id"), "credential query 'id'")
        fmt = req_str(obj, "format", _E, max_len=128)
        meta = _parse_meta(fmt, obj.get("meta"))
        claims = _parse_claims(obj, mdoc=fmt == MSO_MDOC)
        claim_sets = _parse_claim_sets(obj, claims)
        return cls(
            id=query_id,
            format=fmt,
            meta=meta,
            claims=claims,
            claim_sets=claim_sets,
            multiple=opt_bool(obj, "multiple", _E, False),
            require_cryptographic_holder_binding=opt_bool(
                obj, "require_cryptographic_holder_binding", _E, True
            ),
            trusted_authorities=_parse_authorities(obj),
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "format": self.format, "meta": dict(self.meta)}
        if self.multiple:
            out["multiple"] = True
        if not self.require_cryptographic_holder_binding:
            out["require_cryptographic_holder_binding"] = False
        if self.trusted_authorities is not None:
            out["trusted_authorities"] = [a.to_json() for a in self.trusted_authorities]
        if self.claims is not None:
            out["claims"] = [c.to_json() for c in self.claims]
        if self.claim_sets is not None:
            out["claim_sets"] = [list(s) for s in self.claim_sets]
        return out


def _parse_meta(fmt: str, value: Any) -> dict[str, Any]:
    meta = dict(as_object(value, _E, "'meta'"))
    if fmt == SD_JWT_VC:
        meta["vct_values"] = list(str_list(meta.get("vct_values"), "meta.vct_values", _E))
    elif fmt in W3C_FORMATS:
        alts = meta.get("type_values")
        if not isinstance(alts, list) or not alts:
            raise _E(f"'meta.type_values' must be a non-empty array of arrays, got {shorten(alts)}")
        limit(len(alts), MAX_SETS, "meta.type_values")
        meta["type_values"] = [list(str_list(a, "meta.type_values[]", _E)) for a in alts]
    elif fmt == MSO_MDOC:
        req_str(meta, "doctype_value", _E, max_len=256)
    return meta


def _parse_claims(obj: Mapping[str, Any], *, mdoc: bool) -> tuple[ClaimsQuery, ...] | None:
    if "claims" not in obj:
        return None
    raw = obj["claims"]
    if not isinstance(raw, list) or not raw:
        raise _E(f"'claims' must be a non-empty array, got {shorten(raw)}")
    limit(len(raw), MAX_CLAIMS, "claims")
    claims = tuple(ClaimsQuery.parse(item, mdoc=mdoc) for item in raw)
    ids = [c.id for c in claims if c.id is not None]
    if len(ids) != len(set(ids)):
        raise _E(f"claim ids must be unique within a credential query: {shorten(ids)}")
    paths = [c.path for c in claims]
    if len(paths) != len(set(paths)):
        raise _E("a credential query must not point to the same claim twice")
    return claims


def _parse_claim_sets(
    obj: Mapping[str, Any], claims: tuple[ClaimsQuery, ...] | None
) -> tuple[tuple[str, ...], ...] | None:
    if "claim_sets" not in obj:
        return None
    if claims is None:
        raise _E("'claim_sets' must not be present without 'claims'")
    if any(c.id is None for c in claims):
        raise _E("every claims query needs an 'id' when 'claim_sets' is present")
    raw = obj["claim_sets"]
    if not isinstance(raw, list) or not raw:
        raise _E(f"'claim_sets' must be a non-empty array, got {shorten(raw)}")
    limit(len(raw), MAX_SETS, "claim_sets")
    known = {c.id for c in claims}
    sets = []
    for option in raw:
        ids = str_list(option, "claim_sets[]", _E, max_items=MAX_CLAIMS, unique=True)
        unknown = [i for i in ids if i not in known]
        if unknown:
            raise _E(f"'claim_sets' names unknown claim ids {shorten(unknown)}")
        sets.append(ids)
    return tuple(sets)


def _parse_authorities(obj: Mapping[str, Any]) -> tuple[TrustedAuthority, ...] | None:
    if "trusted_authorities" not in obj:
        return None
    raw = obj["trusted_authorities"]
    if not isinstance(raw, list) or not raw:
        raise _E(f"'trusted_authorities' must be a non-empty array, got {shorten(raw)}")
    limit(len(raw), MAX_SETS, "trusted_authorities")
    out = []
    for item in raw:
        entry = as_object(item, _E, "trusted authority")
        out.append(
            TrustedAuthority(
                req_str(entry, "type", _E, max_len=128),
                str_list(entry.get("values"), "trusted_authorities[].values", _E),
            )
        )
    return tuple(out)


@dataclass(frozen=True, slots=True)
class CredentialSetQuery:
    """One Credential Set Query (§6.2): alternative lists of credential query ids."""

    options: tuple[tuple[str, ...], ...]
    required: bool = True

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"options": [list(o) for o in self.options]}
        if not self.required:
            out["required"] = False
        return out


@dataclass(frozen=True, slots=True)
class DcqlQuery:
    """A DCQL query (§6): credential queries plus optional credential set constraints."""

    credentials: tuple[CredentialQuery, ...]
    credential_sets: tuple[CredentialSetQuery, ...] | None = None

    @classmethod
    def parse(cls, data: Any) -> DcqlQuery:
        """Parse a query given as a JSON object or as JSON text (a form parameter).

        Raises INVALID_DCQL_QUERY for any malformed query and PAYLOAD_TOO_LARGE past the limits.
        """
        if isinstance(data, str | bytes):
            data = load_json(data, _E, what="dcql_query", max_bytes=MAX_QUERY_BYTES)
        obj = as_object(data, _E, "dcql_query")
        raw = obj.get("credentials")
        if not isinstance(raw, list) or not raw:
            raise _E(f"'credentials' must be a non-empty array, got {shorten(raw)}")
        limit(len(raw), MAX_CREDENTIAL_QUERIES, "credentials")
        credentials = tuple(CredentialQuery.parse(item) for item in raw)
        ids = [c.id for c in credentials]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise _E(f"credential query ids must be unique, repeated: {shorten(duplicates)}")
        return cls(credentials, _parse_credential_sets(obj, set(ids)))

    def credential(self, query_id: str) -> CredentialQuery:
        """Return the credential query ``query_id`` (KeyError if absent)."""
        for query in self.credentials:
            if query.id == query_id:
                return query
        raise KeyError(query_id)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.credentials)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"credentials": [c.to_json() for c in self.credentials]}
        if self.credential_sets is not None:
            out["credential_sets"] = [s.to_json() for s in self.credential_sets]
        return out


def _parse_credential_sets(
    obj: Mapping[str, Any], known: set[str]
) -> tuple[CredentialSetQuery, ...] | None:
    if "credential_sets" not in obj:
        return None
    raw = obj["credential_sets"]
    if not isinstance(raw, list) or not raw:
        raise _E(f"'credential_sets' must be a non-empty array, got {shorten(raw)}")
    limit(len(raw), MAX_SETS, "credential_sets")
    sets = []
    for item in raw:
        entry = as_object(item, _E, "credential set query")
        options = entry.get("options")
        if not isinstance(options, list) or not options:
            raise _E(f"'options' must be a non-empty array, got {shorten(options)}")
        limit(len(options), MAX_SETS, "credential_sets[].options")
        parsed = []
        for option in options:
            ids = str_list(option, "options[]", _E, max_items=MAX_CREDENTIAL_QUERIES, unique=True)
            unknown = [i for i in ids if i not in known]
            if unknown:
                raise _E(f"'credential_sets' names unknown credential queries {shorten(unknown)}")
            parsed.append(ids)
        sets.append(CredentialSetQuery(tuple(parsed), opt_bool(entry, "required", _E, True)))
    return tuple(sets)
