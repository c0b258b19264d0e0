"""The one place where errors become HTTP responses.

Routes whose name starts with ``oid4vci.`` speak OAuth errors; every other route (admin, VC
API, status lists, DID document, and unmatched paths) speaks RFC 9457 problem details. A body
aiohttp cannot read (undecodable ``Content-Encoding``) is PARSING_ERROR. Any other
exception that is not a :class:`pidm.errors.PidmError` is a bug: it is logged with its
traceback and answered with a bare 500 that leaks nothing.
"""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.typedefs import Handler
from aiohttp.web_protocol import RequestPayloadError

from issuer.errors import oauth_response, problem_response
from pidm.errors import (
    MalformedValueError,
    MethodNotAllowed,
    NotFound,
    ParsingError,
    PayloadTooLarge,
    PidmError,
)

log = logging.getLogger("issuer")
OAUTH_PREFIX = "oid4vci."


def speaks_oauth(request: web.Request) -> bool:
    """True when the matched route is an OpenID4VCI endpoint."""
    name = request.match_info.route.name
    return bool(name and name.startswith(OAUTH_PREFIX))


async def _oauth_path(request: web.Request) -> bool:
    """True when the path is an OpenID4VCI endpoint's, whatever the method (for a 405, aiohttp
    matches no named route)."""
    for resource in request.app.router.resources():
        if resource.name and resource.name.startswith(OAUTH_PREFIX):
            _, allowed = await resource.resolve(request)
            if allowed:
                return True
    return False


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
        if exc.status == 405 and await _oauth_path(request):
            render = oauth_response
        response = render(_http_error(exc), status=exc.status)
        if "Allow" in exc.headers:  # RFC 9110 §15.5.6: a 405 lists the allowed methods
            response.headers["Allow"] = exc.headers["Allow"]
        return response
    except (RequestPayloadError, HttpProcessingError):
        # the body could not be read: a Content-Encoding that does not decode, a broken chunk
        return render(ParsingError("the request body cannot be read (bad Content-Encoding or "
                                   "chunked framing)"))
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
