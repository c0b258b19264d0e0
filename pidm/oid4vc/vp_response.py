"""OpenID4VP 1.0 authorization responses sent with ``direct_post`` (§8.1, §8.2, §8.5) and the
response endpoint's JSON answer.

The wallet posts ``vp_token`` — a JSON object mapping each DCQL credential query id to a list of
presentations (strings such as an SD-JWT+KB, or objects such as a Data Integrity VP) — and
``state`` as an ``application/x-www-form-urlencoded`` body, or an error (``error``,
``error_description``, ``state``). The verifier parses that body with size and count limits.
Its answer is JSON with an optional ``redirect_uri`` and, in pidm, a ``receipt`` (a
``DataSharingReceipt`` credential; verified elsewhere like any credential).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from pidm.errors import InvalidAuthorizationResponse, shorten
from pidm.oid4vc._fields import (
    as_object,
    check_url,
    dump_json,
    limit,
    load_json,
    parse_form,
    url_safe,
)

Presentation = str | Mapping[str, Any]

MAX_BODY = 1_048_576
MAX_QUERIES = 32
MAX_PRESENTATIONS = 16
_E = InvalidAuthorizationResponse
_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
#: RFC 6749 §5.2: error codes and descriptions keep to %x20-21 / %x23-5B / %x5D-7E.
_OAUTH_TEXT = re.compile(r"^[\x20-\x21\x23-\x5b\x5d-\x7e]*$")


@dataclass(frozen=True, slots=True)
class AuthorizationResponse:
    """A successful response: presentations per credential query id, and the request's state."""

    vp_token: Mapping[str, tuple[Presentation, ...]]
    state: str | None = None

    def to_form(self) -> dict[str, str]:
        """The form parameters (``vp_token`` as JSON text)."""
        form = {"vp_token": dump_json({k: list(v) for k, v in self.vp_token.items()})}
        if self.state is not None:
            form["state"] = self.state
        return form

    def encode(self) -> bytes:
        """The ``application/x-www-form-urlencoded`` body to POST to the response_uri."""
        return urlencode(self.to_form()).encode("ascii")


@dataclass(frozen=True, slots=True)
class AuthorizationErrorResponse:
    """An error response posted to the response_uri, e.g. ``access_denied`` on refusal."""

    error: str
    error_description: str | None = None
    state: str | None = None

    def to_form(self) -> dict[str, str]:
        form = {"error": self.error}
        if self.error_description is not None:
            form["error_description"] = self.error_description
        if self.state is not None:
            form["state"] = self.state
        return form

    def encode(self) -> bytes:
        return urlencode(self.to_form()).encode("ascii")


def _presentations(query_id: Any, items: Any) -> tuple[Presentation, ...]:
    if not isinstance(query_id, str) or not _ID.fullmatch(query_id):
        raise _E(f"vp_token key {shorten(query_id)} is not a credential query id")
    if not isinstance(items, list) or not items:
        raise _E(f"vp_token['{query_id}'] must be a non-empty array of presentations")
    limit(len(items), MAX_PRESENTATIONS, f"vp_token.{query_id}")
    for item in items:
        if not (isinstance(item, str) and item or isinstance(item, Mapping)):
            raise _E(f"vp_token['{query_id}'] holds a {type(item).__name__}, not a presentation")
    return tuple(items)


def parse_vp_token(value: Any) -> dict[str, tuple[Presentation, ...]]:
    """Validate a ``vp_token`` (JSON text or the decoded object)."""
    data = (
        load_json(value, _E, what="vp_token", max_bytes=MAX_BODY)
        if isinstance(value, str)
        else value
    )
    obj = as_object(data, _E, "vp_token")
    if not obj:
        raise _E("vp_token must hold at least one presentation")
    limit(len(obj), MAX_QUERIES, "vp_token")
    return {k: _presentations(k, v) for k, v in obj.items()}


def parse_authorization_response(
    body: bytes | str | Mapping[str, str], *, max_bytes: int = MAX_BODY
) -> AuthorizationResponse | AuthorizationErrorResponse:
    """Parse what a wallet posted to the response_uri (raw body or already decoded form).

    Raises PAYLOAD_TOO_LARGE past ``max_bytes`` and INVALID_AUTHORIZATION_RESPONSE for a
    malformed form, ``vp_token`` or ``state``, or an error response outside the OAuth syntax.
    """
    form = parse_form(body, _E, what="the response body", max_bytes=max_bytes)
    state = url_safe(form, "state", _E, required=False)
    if "error" in form:
        error, description = form["error"], form.get("error_description")
        for name, text in (("error", error), ("error_description", description or "")):
            if len(text) > 1024 or not _OAUTH_TEXT.fullmatch(text):
                raise _E(f"'{name}' is not OAuth error text: {shorten(text)}")
        if not error:
            raise _E("'error' must not be empty")
        return AuthorizationErrorResponse(error, description, state)
    if "vp_token" not in form:
        raise _E("the response has neither 'vp_token' nor 'error'")
    return AuthorizationResponse(parse_vp_token(form["vp_token"]), state)


@dataclass(frozen=True, slots=True)
class DirectPostAnswer:
    """The response endpoint's JSON answer (§8.2): ``redirect_uri`` and pidm's ``receipt``."""

    redirect_uri: str | None = None
    receipt: Mapping[str, Any] | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.raw)
        if self.redirect_uri is not None:
            out["redirect_uri"] = self.redirect_uri
        if self.receipt is not None:
            out["receipt"] = dict(self.receipt)
        return out

    @classmethod
    def parse(cls, data: Any, *, allow_http: bool = False) -> DirectPostAnswer:
        """Parse the answer (JSON text or object); unknown members are kept in ``raw``.

        Raises INVALID_AUTHORIZATION_RESPONSE for a non-object, a non-URL ``redirect_uri`` or a
        non-object ``receipt``.
        """
        if isinstance(data, str | bytes):
            data = load_json(data, _E, what="response endpoint answer", max_bytes=MAX_BODY)
        obj = as_object(data, _E, "response endpoint answer")
        redirect = obj.get("redirect_uri")
        if redirect is not None:
            if not isinstance(redirect, str):
                raise _E("'redirect_uri' must be a string")
            check_url(redirect, "redirect_uri", _E, allow_http=allow_http, allow_fragment=True)
        receipt = obj.get("receipt")
        if receipt is not None:
            receipt = dict(as_object(receipt, _E, "'receipt'"))
        return cls(redirect, receipt, dict(obj))
