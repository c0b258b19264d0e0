"""How the verifier's errors look on the wire — one renderer per protocol.

* OpenID4VP endpoints (request object, response endpoint) answer with the OAuth error object
  ``{"error", "error_description"}`` from :meth:`pidm.errors.PidmError.to_oauth` (RFC 6749
  §5.2, OpenID4VP 1.0 §8.5) and ``Cache-Control: no-store``; the description starts with the
  pidm code, or for a refused presentation (``invalid_request``) with the failing check codes.
* Every other endpoint (admin, VC API, DID document, unmatched paths) answers with RFC 9457
  problem details from :meth:`pidm.errors.PidmError.to_problem`.
"""

from __future__ import annotations

from aiohttp import web

from pidm.errors import PidmError
from service_kit.responses import oauth_response as oauth
from service_kit.responses import problem_response as problem
from verifier.service import PresentationRefused

REALM = 'Bearer realm="pidm-verifier"'


def oauth_response(exc: PidmError, *, status: int | None = None) -> web.Response:
    """The OAuth error object for ``exc`` (``status`` overrides the class's HTTP status); the
    description starts with pidm's code (``NONCE_REPLAYED: ...``)."""
    if isinstance(exc, PresentationRefused):
        return oauth(exc, status=status)
    description = f"{exc.code}: {exc.to_oauth()['error_description']}"[:300]
    return oauth(exc, status=status, description=description)


def problem_response(exc: PidmError, *, status: int | None = None) -> web.Response:
    """RFC 9457 problem details for ``exc`` (``status`` overrides the class's HTTP status)."""
    return problem(exc, status=status, realm=REALM)
