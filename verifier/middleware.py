"""The one place where errors become HTTP responses.

Routes whose name starts with ``oid4vp.`` speak OAuth errors; every other route (admin, VC API,
DID document, OpenAPI, and unmatched paths) speaks RFC 9457 problem details. An exception that
is not a :class:`pidm.errors.PidmError` is a bug: it is logged with its traceback and answered
with a bare 500 that leaks nothing.
"""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.typedefs import Handler

from pidm.errors import (
    MalformedValueError,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    PidmError,
)
from verifier.errors import oauth_response, problem_response

log = logging.getLogger("verifier")
OAUTH_PREFIX = "oid4vp."


def speaks_oauth(request: web.Request) -> bool:
    """True when the matched route is an OpenID4VP endpoint."""
    name = request.match_info.route.name
    return bool(name and name.startswith(OAUTH_PREFIX))


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Render PidmError and aiohttp HTTP errors in the protocol of the matched route."""
    render = oauth_response if speaks_oauth(request) else problem_response
    try:
        return await handler(request)
    except PidmError as exc:
        if exc.http_status >= 500:
            log.warning("%s on %s %s: %s", exc.code, request.method, request.path, exc)
        return render(exc)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        answer = render(_http_error(exc), status=exc.status)
        if "Allow" in exc.headers:  # 405 names the methods the route takes (RFC 9110 §15.5.6)
            answer.headers["Allow"] = exc.headers["Allow"]
        return answer
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return web.json_response(
            {"type": "about:blank", "title": "Internal Server Error", "status": 500},
            status=500,
            content_type="application/problem+json",
        )


def _http_error(exc: web.HTTPException) -> PidmError:
    if exc.status == 413:
        return PayloadTooLarge("request body exceeds the size limit")
    if exc.status == 404:
        return NotFound("no such resource")
    if exc.status == 405:
        allowed = exc.headers.get("Allow", "")
        return MethodNotAllowed(f"this endpoint does not take this method; allowed: {allowed}")
    return MalformedValueError(f"{exc.reason}")
