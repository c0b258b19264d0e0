"""HTTP handlers: parse the request, call the service, render the answer. No logic lives here.

Errors propagate to :mod:`verifier.middleware`, which renders them for the route's protocol.
"""

from __future__ import annotations

import hmac
from typing import Any

from aiohttp import web

from pidm.errors import InvalidAuthorizationResponse, ParsingError, Unauthorized
from pidm.jose import json_loads
from pidm.verification import VerificationResult
from service_kit.responses import NO_STORE
from verifier.context import CONFIG_KEY, SERVICE_KEY
from verifier.openapi import openapi_document
from verifier.qr import MEDIA_TYPES
from verifier.service import VerifierService

REQUEST_OBJECT_MEDIA_TYPE = "application/oauth-authz-req+jwt"
FORM = "application/x-www-form-urlencoded"


def _service(request: web.Request) -> VerifierService:
    return request.app[SERVICE_KEY]


async def read_json(request: web.Request) -> Any:
    """The JSON request body; PARSING_ERROR for a wrong media type or malformed JSON.

    The size limit is aiohttp's ``client_max_size`` (413 PAYLOAD_TOO_LARGE).
    """
    if request.content_type != "application/json":
        raise ParsingError(f"media type must be application/json, got {request.content_type!r}")
    return json_loads(await request.read(), what="request body")


def require_admin(request: web.Request) -> None:
    """Check the bearer token in constant time; raise UNAUTHORIZED."""
    expected = request.app[CONFIG_KEY].admin_token.encode()
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    token = given.strip()
    # Tokens are ASCII (RFC 6750 b64token); a header that is not UTF-8 reaches us with surrogate
    # escapes, which str.encode() refuses.
    if (scheme.lower() != "bearer" or not token.isascii()
            or not hmac.compare_digest(token.encode(), expected)):
        raise Unauthorized("a valid bearer token is required")


def no_store(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, headers=NO_STORE)


def verification(result: VerificationResult) -> web.Response:
    """The VC API answer: the result object, 200 when valid and 400 when not."""
    return no_store(result.to_json(), status=200 if result.valid else 400)


# --- admin ---------------------------------------------------------------------------------------
async def create_transaction(request: web.Request) -> web.Response:
    require_admin(request)
    body = await read_json(request)
    return no_store(await _service(request).create_transaction(body), status=201)


async def get_transaction(request: web.Request) -> web.Response:
    require_admin(request)
    return no_store(await _service(request).transaction(request.match_info["tx_id"]))


def qr(kind: str) -> Any:
    """A handler serving the transaction's invocation URI as a QR code (``png`` or ``svg``)."""

    async def handler(request: web.Request) -> web.Response:
        require_admin(request)
        image = await _service(request).qr(request.match_info["tx_id"], kind)
        return web.Response(body=image, content_type=MEDIA_TYPES[kind], headers=NO_STORE)

    return handler


# --- OpenID4VP ------------------------------------------------------------------------------------
async def request_object(request: web.Request) -> web.Response:
    token = await _service(request).request_object(request.match_info["state"])
    return web.Response(body=token.encode(), content_type=REQUEST_OBJECT_MEDIA_TYPE,
                        headers=NO_STORE)


async def response(request: web.Request) -> web.Response:
    if request.content_type != FORM:
        raise InvalidAuthorizationResponse(f"the response must be {FORM}")
    return no_store(await _service(request).response(await request.read()))


# --- VC API ---------------------------------------------------------------------------------------
async def verify_credential(request: web.Request) -> web.Response:
    require_admin(request)
    return verification(await _service(request).verify_credential(await read_json(request)))


async def verify_presentation(request: web.Request) -> web.Response:
    require_admin(request)
    return verification(await _service(request).verify_presentation(await read_json(request)))


# --- published documents --------------------------------------------------------------------------
async def did_document(request: web.Request) -> web.Response:
    return web.json_response(_service(request).did_document(), content_type="application/did+json")


async def openapi(request: web.Request) -> web.Response:
    return web.json_response(openapi_document())


async def health(request: web.Request) -> web.Response:
    await _service(request).ready()
    return no_store({"status": "ok"})
