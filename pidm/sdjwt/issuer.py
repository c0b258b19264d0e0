"""Issuing an SD-JWT (RFC 9901 §4) / SD-JWT VC: the issuer picks, by claim path, which object
members and array elements become selectively disclosable; a path inside a disclosable claim
makes the disclosure recursive (its value carries digests of its own)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pidm.errors import MalformedValueError, shorten
from pidm.jose import sign_jwt
from pidm.keys import PublicKey, Rng, Signer
from pidm.sdjwt.disclosure import (
    ELLIPSIS,
    SD_ALG,
    SD_ALG_KEY,
    SD_KEY,
    Disclosure,
    decoy_digest,
    new_salt,
)
from pidm.sdjwt.paths import ClaimPath, PathSegment, check_claim_path, parse_claim_path

SD_JWT_VC_TYP = "dc+sd-jwt"
#: Top-level SD-JWT VC claims that must never be selectively disclosable (SD-JWT VC §3.2.2).
NEVER_DISCLOSABLE = frozenset({"iss", "nbf", "exp", "cnf", "vct", "vct#integrity", "status"})
_RESERVED_NAMES = frozenset({SD_KEY, SD_ALG_KEY, ELLIPSIS})


@dataclass(eq=False)
class _Rule:
    """One node of the tree the disclosable paths describe."""

    disclosable: bool = False
    children: dict[PathSegment, _Rule] = field(default_factory=dict)
    used: bool = False


def _rules(paths: Iterable[ClaimPath | str]) -> tuple[_Rule, list[tuple[list[PathSegment], _Rule]]]:
    root = _Rule()
    leaves: list[tuple[list[PathSegment], _Rule]] = []
    for raw in paths:
        path = parse_claim_path(raw) if isinstance(raw, str) else check_claim_path(raw)
        node = root
        for segment in path:
            node = node.children.setdefault(segment, _Rule())
        node.disclosable = True
        leaves.append((path, node))
    return root, leaves


def _matching(rules: list[_Rule], key: str | int) -> tuple[bool, list[_Rule]]:
    """The rules that apply to member/element ``key`` under ``rules``; mark them used."""
    keys: list[PathSegment] = [key, None]
    if isinstance(key, str) and key.isascii() and key.isdigit():
        keys.append(int(key))
    found = [rule.children[k] for rule in rules for k in keys if k in rule.children]
    for rule in found:
        rule.used = True
    return any(rule.disclosable for rule in found), found


class _Encoder:
    def __init__(self, rng: Rng, decoys: int) -> None:
        self.rng = rng
        self.decoys = decoys
        self.disclosures: list[Disclosure] = []

    def _disclose(self, name: str | None, value: Any) -> str:
        disclosure = Disclosure.create(new_salt(self.rng), name, value)
        self.disclosures.append(disclosure)
        return disclosure.digest

    def value(self, value: Any, rules: list[_Rule]) -> Any:
        if isinstance(value, Mapping):
            return self.object(value, rules)
        if isinstance(value, list | tuple):
            return self.array(value, rules)
        return value

    def object(self, value: Mapping[str, Any], rules: list[_Rule]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        digests: list[str] = []
        for key, item in value.items():
            if not isinstance(key, str):
                raise MalformedValueError(f"claim names must be strings, got {shorten(key)}")
            if key in _RESERVED_NAMES:
                raise MalformedValueError(f"claim name {key!r} is reserved by SD-JWT")
            disclosable, children = _matching(rules, key)
            encoded = self.value(item, children)
            if disclosable:
                digests.append(self._disclose(key, encoded))
            else:
                out[key] = encoded
        if digests and self.decoys:
            digests.extend(decoy_digest(self.rng) for _ in range(1 + self.rng(1)[0] % self.decoys))
        if digests:
            out[SD_KEY] = sorted(digests)
        return out

    def array(self, value: Iterable[Any], rules: list[_Rule]) -> list[Any]:
        out: list[Any] = []
        for index, item in enumerate(value):
            disclosable, children = _matching(rules, index)
            encoded = self.value(item, children)
            out.append({ELLIPSIS: self._disclose(None, encoded)} if disclosable else encoded)
        return out


def _numeric_date(value: datetime | int | None, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise MalformedValueError(f"'{name}' must be a tz-aware datetime")
        return int(value.timestamp())
    if isinstance(value, bool) or not isinstance(value, int):
        raise MalformedValueError(f"'{name}' must be a datetime or an integer")
    return value


def issue_sd_jwt(
    claims: Mapping[str, Any],
    *,
    signer: Signer,
    disclose: Iterable[ClaimPath | str] = (),
    holder_key: PublicKey | None = None,
    vct: str | None = None,
    issuer: str | None = None,
    issued_at: datetime | int | None = None,
    not_before: datetime | int | None = None,
    expires: datetime | int | None = None,
    status: Mapping[str, Any] | None = None,
    typ: str = SD_JWT_VC_TYP,
    decoys: int = 0,
    header: Mapping[str, Any] | None = None,
    rng: Rng = secrets.token_bytes,
) -> str:
    """Issue an SD-JWT; return its compact serialization ``<JWT>~<D1>~...~<Dn>~``.

    ``disclose`` lists the claim paths (see :mod:`pidm.sdjwt.paths`) that become selectively
    disclosable; every path must name a claim. ``holder_key`` becomes ``cnf.jwk``. ``vct``,
    ``issuer`` (default: the DID of ``signer.key_id``), ``issued_at``, ``not_before``,
    ``expires`` and ``status`` set the matching registered claims (a clash with ``claims`` is
    refused). For ``typ`` ``dc+sd-jwt`` (the default) ``vct``, ``iss`` and ``iat`` are required
    and ``iss``/``nbf``/``exp``/``cnf``/``vct``/``status`` may not be disclosable. ``decoys``
    adds 1..decoys decoy digests to every object with disclosable members. Salts (128 bits)
    and decoys come from ``rng``.
    """
    if decoys < 0 or decoys > 255:
        raise MalformedValueError("decoys must be between 0 and 255")
    vc = typ == SD_JWT_VC_TYP
    if vc and issuer is None and "iss" not in claims and signer.key_id.startswith("did:"):
        issuer = signer.key_id.split("#", 1)[0]
    extra: dict[str, Any] = {
        "iss": issuer,
        "iat": _numeric_date(issued_at, "issued_at"),
        "nbf": _numeric_date(not_before, "not_before"),
        "exp": _numeric_date(expires, "expires"),
        "vct": vct,
        "status": dict(status) if status is not None else None,
        "cnf": {"jwk": holder_key.to_jwk()} if holder_key is not None else None,
    }
    payload_in: dict[str, Any] = dict(claims)
    for name, value in extra.items():
        if value is None:
            continue
        if name in payload_in and payload_in[name] != value:
            raise MalformedValueError(f"claim {name!r} is given twice with different values")
        payload_in[name] = value
    if vc:
        missing = [n for n in ("iss", "iat", "vct") if n not in payload_in]
        if missing:
            raise MalformedValueError(f"an SD-JWT VC needs {', '.join(missing)}")
        if not isinstance(payload_in["vct"], str):
            raise MalformedValueError("'vct' must be a string")
    root, leaves = _rules(disclose)
    if vc:
        bad = sorted(str(k) for k in root.children if k in NEVER_DISCLOSABLE or k is None)
        if bad:
            raise MalformedValueError(f"claims {', '.join(bad)} cannot be disclosable in a VC")
    encoder = _Encoder(rng, decoys)
    payload = encoder.object(payload_in, [root])
    unused = [path for path, rule in leaves if not rule.used]
    if unused:
        raise MalformedValueError(f"claim path {shorten(unused[0])} names no claim")
    payload[SD_ALG_KEY] = SD_ALG
    token = sign_jwt({"typ": typ, **(header or {})}, payload, signer)
    return "~".join((token, *(d.encoded for d in encoder.disclosures), ""))
