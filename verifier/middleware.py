"""The verifier's error middleware: :func:`service_kit.middleware.error_middleware` with the
OpenID4VP routes (named ``oid4vp.…``) speaking OAuth errors and every other route RFC 9457
problem details."""

from __future__ import annotations

import logging

from service_kit.middleware import error_middleware as _error_middleware
from verifier.errors import oauth_response, problem_response

OAUTH_PREFIX = "oid4vp."

error_middleware = _error_middleware(
    oauth_prefix=OAUTH_PREFIX,
    log=logging.getLogger("verifier"),
    oauth=oauth_response,
    problem=problem_response,
)
