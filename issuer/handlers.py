"""HTTP handlers: parse the request, call the service, render the answer. No logic lives here.

Errors propagate to :mod:`issuer.middleware`, which renders them for the route's protocol.
"""

from __future__ import annotations

import hmac
import json
import re
from typing import Any

from aiohttp import web

from issuer.context import CONFIG_KEY, SERVICE_KEY
from issuer.errors import missing_token
from issuer.openapi import openapi_document
from issuer.service import IssuerService
from issuer.status_lists import Family
from pidm.errors import (
    InvalidCredentialRequest,
    InvalidToken,
    InvalidTokenRequest,
    ParsingError,
    PidmError,
    Unauthorized,
)
from pidm.jose import json_loads
from service_kit.responses import NO_STORE


def _service(request: web.Request) -> IssuerService:
    return request.app[SERVICE_KEY]


async def read_json(request: web.Request, error: type[PidmError]) -> Any:
    """The JSON request body; ``error`` for a wrong media type or malformed JSON.

    The size limit is aiohttp's ``client_max_size`` (413 PAYLOAD_TOO_LARGE).
    """
    if request.content_type != "application/json":
        raise error(f"media type must be application/json, got {request.content_type!r}")
    data = await request.read()
    try:
        value = json_loads(data, what="request body")
    except PidmError as exc:
        raise error(exc.message) from exc
    if _SURROGATE_ESCAPE.search(data) and not _encodable(value):
        raise error("request body holds a lone surrogate (\\ud800-\\udfff), which is not text")
    return value


#: A ``\uD800``-``\uDFFF`` escape: the only way a JSON text can smuggle in a lone surrogate.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def _encodable(value: Any) -> bool:
    """False when ``value`` holds a lone surrogate (a pair escaped as two is fine)."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def require_admin(request: web.Request) -> None:
    """Check the admin bearer token in constant time; raise UNAUTHORIZED."""
    expected = request.app[CONFIG_KEY].admin_token.encode()
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    token = given.strip()
    # Tokens are ASCII (RFC 6750 b64token); a header that is not UTF-8 reaches us with surrogate
    # escapes, which str.encode() refuses.
    if (scheme.lower() != "bearer" or not token.isascii()
            or not hmac.compare_digest(token.encode(), expected)):
        raise Unauthorized("a valid admin bearer token is required")


def bearer_token(request: web.Request) -> str:
    """The access token of ``Authorization: Bearer``; ``invalid_token`` when absent or odd."""
    header = request.headers.get("Authorization")
    if not header:
        raise missing_token("the credential endpoint needs an access token")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidToken("Authorization must use the Bearer scheme")
    if not token.isascii():  # RFC 6750 b64token; not UTF-8 at all arrives surrogate-escaped
        raise InvalidToken("the access token is not ASCII")
    return token.strip()


def no_store(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, headers=NO_STORE)


# --- OpenID4VCI ----------------------------------------------------------------------------------
async def issuer_metadata(request: web.Request) -> web.Response:
    return web.json_response(_service(request).issuer_metadata())


async def authorization_server_metadata(request: web.Request) -> web.Response:
    return web.json_response(_service(request).authorization_server_metadata())


async def get_offer(request: web.Request) -> web.Response:
    return no_store(await _service(request).get_offer(request.match_info["offer_id"]))


async def token(request: web.Request) -> web.Response:
    if request.content_type != "application/x-www-form-urlencoded":
        raise InvalidTokenRequest("the token request must be application/x-www-form-urlencoded")
    return no_store(await _service(request).token(await request.read()))


async def nonce(request: web.Request) -> web.Response:
    return no_store(await _service(request).nonce())


async def credential(request: web.Request) -> web.Response:
    access_token = bearer_token(request)
    body = await read_json(request, InvalidCredentialRequest)
    return no_store(await _service(request).credential(access_token, body))


# --- admin and VC API ---------------------------------------------------------------------------
async def create_offer(request: web.Request) -> web.Response:
    require_admin(request)
    body = await read_json(request, ParsingError)
    return no_store(await _service(request).create_offer(body), status=201)


async def list_credentials(request: web.Request) -> web.Response:
    require_admin(request)
    return no_store(await _service(request).list_credentials(request.query))


def status_action(action: str) -> Any:
    """A handler that revokes, suspends or reinstates the credential in the path."""

    async def handler(request: web.Request) -> web.Response:
        require_admin(request)
        credential_id = request.match_info["credential_id"]
        return no_store(await _service(request).change_status(credential_id, action))

    return handler


async def issue_vc(request: web.Request) -> web.Response:
    require_admin(request)
    body = await read_json(request, ParsingError)
    return no_store(await _service(request).issue_vc(body), status=201)


# --- published documents ------------------------------------------------------------------------
def status_list(kind: Family) -> Any:
    """A handler serving the signed status list ``kind`` (``bitstring`` or ``token``)."""

    async def handler(request: web.Request) -> web.Response:
        published = await _service(request).status_list(kind, request.match_info["list_id"])
        return web.Response(
            body=published.body,
            content_type=published.content_type,
            headers={"Cache-Control": f"max-age={published.max_age}"},
        )

    return handler


async def did_document(request: web.Request) -> web.Response:
    return web.json_response(_service(request).did_document(), content_type="application/did+json")


async def openapi(request: web.Request) -> web.Response:
    return web.json_response(openapi_document())


async def health(request: web.Request) -> web.Response:
    await _service(request).ready()
    return no_store({"status": "ok"})
