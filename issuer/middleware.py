"""The issuer's error middleware: :func:`service_kit.middleware.error_middleware` with the
OpenID4VCI routes (named ``oid4vci.…``) speaking OAuth errors and every other route RFC 9457
problem details."""

from __future__ import annotations

import logging

from issuer.errors import oauth_response, problem_response
from service_kit.middleware import error_middleware as _error_middleware

OAUTH_PREFIX = "oid4vci."

error_middleware = _error_middleware(
    oauth_prefix=OAUTH_PREFIX,
    log=logging.getLogger("issuer"),
    oauth=oauth_response,
    problem=problem_response,
)
