"""The holder's side (RFC 9901 §4.3, §4.3.1): choose disclosures by claim path and append a
key-binding JWT bound to the verifier's ``aud`` and ``nonce``."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pidm.errors import KeyMaterialError, MalformedValueError, shorten
from pidm.jose import sign_jwt
from pidm.keys import PublicKey, Signer
from pidm.sdjwt.disclosure import ELLIPSIS, SD_KEY, Disclosure
from pidm.sdjwt.paths import ClaimPath, PathSegment, check_claim_path, parse_claim_path
from pidm.sdjwt.token import SdJwt

KB_JWT_TYP = "kb+jwt"


class _Selector:
    def __init__(self, disclosures: tuple[Disclosure, ...]) -> None:
        self.by_digest = {d.digest: d for d in disclosures}
        self.chosen: set[str] = set()

    def _everything(self, node: Any) -> None:
        """Choose every disclosure below ``node`` (a selected claim is disclosed whole)."""
        if type(node) is dict:
            for key, item in node.items():
                if key == SD_KEY and type(item) is list:
                    for digest in item:
                        found = self.by_digest.get(digest) if type(digest) is str else None
                        if found is not None and found.name is not None:
                            self.chosen.add(digest)
                            self._everything(found.value)
                else:
                    self._everything(item)
        elif type(node) is list:
            for item in node:
                found = self._element(item)
                if found is not None:
                    self.chosen.add(found.digest)
                    self._everything(found.value)
                elif not _is_ellipsis(item):
                    self._everything(item)

    def _element(self, item: Any) -> Disclosure | None:
        if _is_ellipsis(item) and type(item[ELLIPSIS]) is str:
            found = self.by_digest.get(item[ELLIPSIS])
            if found is not None and found.name is None:
                return found
        return None

    def walk(self, node: Any, path: list[PathSegment], at: int) -> bool:
        """Choose what ``path[at:]`` needs below ``node``; True if it named a claim."""
        if at == len(path):
            self._everything(node)
            return True
        segment = path[at]
        hit = False
        if type(node) is dict:
            for key, value, digest in self._members(node):
                if segment is None or key == segment or key == str(segment):
                    if self.walk(value, path, at + 1):
                        hit = True
                        if digest:
                            self.chosen.add(digest)
        elif type(node) is list and not isinstance(segment, str):
            for index, item in enumerate(node):
                if segment is not None and index != segment:
                    continue
                found = self._element(item)
                value = found.value if found is not None else item
                if (found is not None or not _is_ellipsis(item)) and self.walk(value, path, at + 1):
                    hit = True
                    if found is not None:
                        self.chosen.add(found.digest)
        return hit

    def _members(self, node: dict[str, Any]) -> Iterable[tuple[str, Any, str | None]]:
        for key, value in node.items():
            if key != SD_KEY:
                yield key, value, None
        digests = node.get(SD_KEY)
        if type(digests) is list:
            for digest in digests:
                found = self.by_digest.get(digest) if type(digest) is str else None
                if found is not None and found.name is not None:
                    yield found.name, found.value, digest


def _is_ellipsis(item: Any) -> bool:
    return type(item) is dict and len(item) == 1 and ELLIPSIS in item


def _as_sd_jwt(sd_jwt: SdJwt | str) -> SdJwt:
    return sd_jwt if isinstance(sd_jwt, SdJwt) else SdJwt.parse(sd_jwt)


def select_disclosures(
    sd_jwt: SdJwt | str,
    paths: Iterable[ClaimPath | str],
    *,
    strict: bool = True,
) -> tuple[str, ...]:
    """The disclosures (encoded, in issuance order) that reveal the claims at ``paths``.

    A path (DCQL claims path, or its text form) selects the claim whole: its own disclosure,
    those of the parents it is nested in, and every disclosure inside it. With ``strict`` a
    path that names no claim is ``MALFORMED_VALUE_ERROR``; otherwise it selects nothing.
    """
    parsed = _as_sd_jwt(sd_jwt)
    decoded = parsed.decoded()
    selector = _Selector(decoded)
    for raw in paths:
        path = parse_claim_path(raw) if isinstance(raw, str) else check_claim_path(raw)
        if not selector.walk(parsed.payload, path, 0) and strict:
            raise MalformedValueError(f"claim path {shorten(path)} names no claim")
    return tuple(d.encoded for d in decoded if d.digest in selector.chosen)


def _numeric_date(value: datetime | int) -> int:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise MalformedValueError("issued_at must be a tz-aware datetime")
        return int(value.timestamp())
    if isinstance(value, bool) or not isinstance(value, int):
        raise MalformedValueError("issued_at must be a datetime or an integer")
    return value


def key_binding_jwt(
    sd_jwt: SdJwt, *, holder: Signer, audience: str, nonce: str, issued_at: datetime | int
) -> str:
    """The KB-JWT (``typ`` kb+jwt; ``iat``, ``aud``, ``nonce``, ``sd_hash``) for ``sd_jwt``."""
    if not isinstance(audience, str) or not audience or not isinstance(nonce, str) or not nonce:
        raise MalformedValueError("a key-binding JWT needs a non-empty audience and nonce")
    public = getattr(holder, "public", None)
    cnf = sd_jwt.payload.get("cnf")
    if isinstance(public, PublicKey) and isinstance(cnf, dict) and isinstance(cnf.get("jwk"), dict):
        if PublicKey.from_jwk(cnf["jwk"]) != public:
            raise KeyMaterialError("the holder key is not the credential's cnf key")
    payload = {
        "iat": _numeric_date(issued_at),
        "aud": audience,
        "nonce": nonce,
        "sd_hash": sd_jwt.sd_hash(),
    }
    return sign_jwt({"typ": KB_JWT_TYP}, payload, holder, set_kid=False)


def present_sd_jwt(
    sd_jwt: SdJwt | str,
    *,
    disclose: Iterable[ClaimPath | str] | None = (),
    holder: Signer | None = None,
    audience: str | None = None,
    nonce: str | None = None,
    issued_at: datetime | int | None = None,
) -> str:
    """Build a presentation: the disclosures for ``disclose`` (None = all) and, with ``holder``,
    a KB-JWT over them (then ``audience``, ``nonce`` and ``issued_at`` are required).
    Returns the compact serialization.
    """
    parsed = _as_sd_jwt(sd_jwt)
    if disclose is None:
        chosen = tuple(d.encoded for d in parsed.decoded())
    else:
        chosen = select_disclosures(parsed, disclose)
    presented = parsed.with_disclosures(chosen)
    if holder is None:
        return presented.serialize()
    if audience is None or nonce is None or issued_at is None:
        raise MalformedValueError("key binding needs audience, nonce and issued_at")
    kb = key_binding_jwt(
        presented, holder=holder, audience=audience, nonce=nonce, issued_at=issued_at
    )
    return presented.serialize() + kb
