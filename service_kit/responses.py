"""A :class:`pidm.errors.PidmError` as both services put it on the wire: an OAuth error object
on their OpenID4VCI / OpenID4VP endpoints, RFC 9457 problem details everywhere else (admin,
VC API, status lists, DID document, unmatched paths)."""

from __future__ import annotations

import json
from typing import Any, Protocol

from aiohttp import web

from pidm.errors import PidmError, Unauthorized

#: OAuth responses carrying tokens or errors must not be cached (RFC 6749 §5.1).
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class Renderer(Protocol):
    """Turns an error into a response; ``status`` overrides the error class's HTTP status."""

    def __call__(self, exc: PidmError, *, status: int | None = None) -> web.Response: ...


def oauth_response(
    exc: PidmError,
    *,
    status: int | None = None,
    description: str | None = None,
    headers: dict[str, str] | None = None,
) -> web.Response:
    """The OAuth error object ``{"error", "error_description"}`` for ``exc`` (RFC 6749 §5.2),
    never cached; ``server_error`` for a 5xx. ``description`` replaces the error's message."""
    body = exc.to_oauth()
    if description is not None:
        body["error_description"] = description
    code = status or exc.http_status
    if code >= 500:
        body["error"] = "server_error"
    return web.json_response(body, status=code, headers={**NO_STORE, **(headers or {})})


def problem_response(exc: PidmError, *, status: int | None = None, realm: str) -> web.Response:
    """Problem details for ``exc`` (``application/problem+json``, never cached); an
    ``Unauthorized`` error carries a ``WWW-Authenticate: <realm>`` challenge."""
    problem: dict[str, Any] = exc.to_problem()
    if status is not None:
        problem["status"] = status
    headers = {"Cache-Control": "no-store"}
    if isinstance(exc, Unauthorized):
        headers["WWW-Authenticate"] = realm
    return web.Response(
        body=json.dumps(problem).encode(),
        status=problem["status"],
        content_type="application/problem+json",
        headers=headers,
    )
