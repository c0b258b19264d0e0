"""The wallet's side of OpenID4VP 1.0 transport: fetch and verify the signed request object
(§5.10, RFC 9101; client identifier prefix ``decentralized_identifier``, §5.9.3) and post the
response with ``direct_post`` (§8.2).

A request arrives as an ``openid4vp://`` URI (``client_id`` + ``request_uri``, or ``request``
by value) or as the bare request URI. The request object must be signed by a key of the DID in
``client_id`` and name the same ``client_id`` as the URI: a forged, tampered or re-signed
request is refused with its code (CLIENT_KEY_MISMATCH, PROOF_VERIFICATION_ERROR,
INVALID_REQUEST_OBJECT ...) before the consumer sees anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from pidm.did.resolver import DIDResolver
from pidm.errors import (
    InvalidAuthorizationRequest,
    InvalidAuthorizationResponse,
    PidmError,
    shorten,
)
from pidm.jose import json_loads
from pidm.oid4vc.request_object import verify_request_object_with_resolver
from pidm.oid4vc.vp import AuthorizationRequest, RequestUri
from pidm.oid4vc.vp_response import DirectPostAnswer
from wallet.client import WalletClient

REQUEST_MEDIA_TYPE = "application/oauth-authz-req+jwt"


def _excerpt(text: str, limit: int = 200) -> str:
    """A server's answer as one short line for an error message (an HTML page is no help).
    Characters that are not printable (escape sequences, bidi overrides) are shown escaped: the
    message goes to the user's terminal."""
    line = " ".join(text.split())
    line = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in line)
    return line if len(line) <= limit else line[: limit - 1] + "…"


async def _request_object(client: WalletClient, uri: str, method: str | None) -> str:
    if method == "post":
        response = await client.post_form(uri, {}, headers={"Accept": REQUEST_MEDIA_TYPE})
    else:
        response = await client.get(uri, accept=REQUEST_MEDIA_TYPE)
    if not response.ok:
        raise InvalidAuthorizationRequest(
            f"the request_uri answered HTTP {response.status}: {_excerpt(response.text())}"
        )
    token = response.text().strip()
    if token.count(".") != 2 or any(ch.isspace() for ch in token):
        # a web page or JSON document, not a pidm (or any OpenID4VP) verifier's request object
        raise InvalidAuthorizationRequest(
            f"the request_uri answered {response.content_type or 'without a content type'}, "
            f"not a signed request object ({REQUEST_MEDIA_TYPE}): {_excerpt(token, 80)}"
        )
    return token


async def fetch_request(
    client: WalletClient, text: str, *, resolver: DIDResolver, now: datetime
) -> AuthorizationRequest:
    """Fetch and verify the request ``text`` names. Raises the coded refusal."""
    text = text.strip()
    allow_http = client.limits.allow_http
    parts = urlsplit(text)
    expected: str | None = None
    if parts.scheme in ("http", "https") and "client_id=" not in parts.query:
        token = await _request_object(client, text, None)
    elif not parts.scheme or not parts.query:
        raise InvalidAuthorizationRequest(f"{shorten(text)} is not a presentation request: "
                                          "expected an openid4vp:// URI or a request URI")
    else:
        ref = RequestUri.parse(text, allow_http=allow_http)
        expected = str(ref.client_id)
        if ref.request is not None:
            token = ref.request
        else:
            assert ref.request_uri is not None
            token = await _request_object(client, ref.request_uri, ref.request_uri_method)
    return await verify_request_object_with_resolver(
        token, resolver=resolver, now=now, expected_client_id=expected, allow_http=allow_http
    )


@dataclass(frozen=True, slots=True)
class PostResult:
    """The response endpoint's answer: accepted (with its JSON) or refused (OAuth error)."""

    status: int
    answer: DirectPostAnswer | None = None
    error: str | None = None
    error_description: str | None = None

    @property
    def accepted(self) -> bool:
        return self.answer is not None


async def post_response(
    client: WalletClient, request: AuthorizationRequest, form: Mapping[str, str]
) -> PostResult:
    """POST ``form`` to the request's ``response_uri`` (``direct_post``).

    Raises FETCH_REFUSED when no answer came (the verifier may have the data), and
    INVALID_AUTHORIZATION_RESPONSE for an accepted answer that is not the expected JSON.
    """
    response = await client.post_form(request.response_uri, form)
    if response.ok:
        body = response.body or b"{}"
        answer = DirectPostAnswer.parse(body, allow_http=client.limits.allow_http)
        return PostResult(response.status, answer)
    try:
        data = json_loads(response.body, what="error answer")
    except PidmError:
        data = None
    if isinstance(data, dict) and isinstance(data.get("error"), str):
        return PostResult(response.status, None, data["error"],
                          str(data.get("error_description", ""))[:500])
    if response.status >= 500:
        raise InvalidAuthorizationResponse(f"the response endpoint failed: HTTP {response.status}")
    return PostResult(response.status, None, f"http_{response.status}",
                      _excerpt(response.text()))
