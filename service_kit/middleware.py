"""The one place where a service's errors become HTTP responses.

Routes whose name starts with the service's OAuth prefix (``oid4vci.``, ``oid4vp.``) speak OAuth
errors, and so does a 405 on such a path; every other route (admin, VC API, status lists, DID
document, unmatched paths) speaks RFC 9457 problem details. aiohttp's own HTTP errors get
stable codes (NOT_FOUND, METHOD_NOT_ALLOWED with the ``Allow`` header kept, PAYLOAD_TOO_LARGE);
a body aiohttp cannot read (a ``Content-Encoding`` that does not decode, broken chunked framing)
is PARSING_ERROR. Any other exception that is not a :class:`pidm.errors.PidmError` is a bug: it
is logged with its traceback and answered with a bare 500 that leaks nothing.
"""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.typedefs import Handler, Middleware
from aiohttp.web_protocol import RequestPayloadError

from pidm.errors import (
    MalformedValueError,
    MethodNotAllowed,
    NotFound,
    ParsingError,
    PayloadTooLarge,
    PidmError,
)

from .responses import Renderer

UNREADABLE = "the request body cannot be read (bad Content-Encoding or chunked framing)"


def speaks_oauth(request: web.Request, oauth_prefix: str) -> bool:
    """True when the matched route is one of the OAuth endpoints (named ``oauth_prefix``…)."""
    name = request.match_info.route.name
    return bool(name and name.startswith(oauth_prefix))


async def oauth_path(request: web.Request, oauth_prefix: str) -> bool:
    """True when the path is an OAuth endpoint's, whatever the method (for a 405, aiohttp
    matches no named route)."""
    for resource in request.app.router.resources():
        if resource.name and resource.name.startswith(oauth_prefix):
            _, allowed = await resource.resolve(request)
            if allowed:
                return True
    return False


def error_middleware(
    *, oauth_prefix: str, log: logging.Logger, oauth: Renderer, problem: Renderer
) -> Middleware:
    """The error middleware of one service: its OAuth route prefix, logger and renderers."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        render = oauth if speaks_oauth(request, oauth_prefix) else problem
        try:
            return await handler(request)
        except PidmError as exc:
            if exc.http_status >= 500:
                log.warning("%s on %s %s: %s", exc.code, request.method, request.path, exc)
            return render(exc)
        except web.HTTPException as exc:
            if exc.status < 400:
                raise
            if exc.status == 405 and await oauth_path(request, oauth_prefix):
                render = oauth
            response = render(http_error(exc), status=exc.status)
            if "Allow" in exc.headers:  # RFC 9110 §15.5.6: a 405 lists the allowed methods
                response.headers["Allow"] = exc.headers["Allow"]
            return response
        except (RequestPayloadError, HttpProcessingError):
            return render(ParsingError(UNREADABLE))
        except ConnectionResetError:  # the client left mid-body: nobody to answer, no bug
            log.info("client closed the connection during %s %s", request.method, request.path)
            return render(ParsingError("the connection closed before the request was read"))
        except Exception:
            log.exception("unhandled error on %s %s", request.method, request.path)
            return web.json_response(
                {"type": "about:blank", "title": "Internal Server Error", "status": 500},
                status=500,
                content_type="application/problem+json",
            )

    return middleware


def http_error(exc: web.HTTPException) -> PidmError:
    """The coded error for one of aiohttp's HTTP exceptions."""
    if exc.status == 413:
        return PayloadTooLarge("request body exceeds the size limit")
    if exc.status == 404:
        return NotFound("no such resource")
    if exc.status == 405:
        allowed = exc.headers.get("Allow", "")
        return MethodNotAllowed(f"this endpoint does not take this method; allowed: {allowed}")
    return MalformedValueError(f"{exc.reason}")
