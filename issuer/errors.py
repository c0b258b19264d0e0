"""How the issuer's errors look on the wire — one renderer per protocol.

* OpenID4VCI endpoints (token, nonce, credential, offers, metadata) answer with the OAuth error
  object ``{"error", "error_description"}`` from :meth:`pidm.errors.PidmError.to_oauth`
  (RFC 6749 §5.2, RFC 6750 §3, OpenID4VCI §6.3 and §8.3.1), ``Cache-Control: no-store`` and,
  for a bad access token, a ``WWW-Authenticate`` challenge.
* Every other endpoint answers with RFC 9457 problem details from
  :meth:`pidm.errors.PidmError.to_problem` (``application/problem+json``).

The service raises the specific :mod:`pidm.errors` class for the step that failed (a bad
signature inside a key proof becomes ``InvalidProof``), so the renderers need no context.
"""

from __future__ import annotations

from aiohttp import web

from pidm.errors import InvalidToken, PidmError
from service_kit.responses import oauth_response as oauth
from service_kit.responses import problem_response as problem

REALM = 'Bearer realm="pidm-issuer"'


def missing_token(message: str) -> InvalidToken:
    """``invalid_token`` for a request without any access token (no error in the challenge)."""
    return InvalidToken(message, detail={"missing": True})


def oauth_response(exc: PidmError, *, status: int | None = None) -> web.Response:
    """The OAuth error object for ``exc`` (``status`` overrides the class's HTTP status); a bad
    access token carries a ``WWW-Authenticate`` challenge (RFC 6750 §3)."""
    headers = {}
    if isinstance(exc, InvalidToken):
        missing = isinstance(exc.detail, dict) and exc.detail.get("missing")
        headers["WWW-Authenticate"] = REALM if missing else REALM + ', error="invalid_token"'
    return oauth(exc, status=status, headers=headers)


def problem_response(exc: PidmError, *, status: int | None = None) -> web.Response:
    """RFC 9457 problem details for ``exc`` (``status`` overrides the class's HTTP status)."""
    return problem(exc, status=status, realm=REALM)
