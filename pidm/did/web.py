"""The did:web method (W3C CCG did:web, §3.2 Create / §3.3 Read): DID <-> HTTPS URL mapping and
resolution through an injected :data:`~pidm.net.Fetcher`.

``did:web:example.com`` -> ``https://example.com/.well-known/did.json``;
``did:web:example.com%3A8443:user:alice`` -> ``https://example.com:8443/user/alice/did.json``.
Only the host's port colon is percent-decoded; path segments are kept as the DID spells them.
The fetched document's ``id`` must equal the DID.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from pidm.did.model import DID, DIDDocument, VerificationMethod
from pidm.errors import (
    DIDNotFound,
    FetchRefused,
    InvalidDID,
    MalformedValueError,
    shorten,
)
from pidm.jose import json_loads
from pidm.keys import PublicKey

__all__ = ["did_web_document", "did_web_to_url", "resolve_did_web", "url_to_did_web"]

Fetcher = Callable[[str], Awaitable[bytes]]

_LABEL = r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)"
_HOST = re.compile(rf"^{_LABEL}(?:\.{_LABEL})*$")
_SEGMENT = re.compile(r"^(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})+$")  # DID Core idchar
_MAX_HOST = 253


def did_web_to_url(did: str | DID, *, scheme: str = "https") -> str:
    """Return the HTTPS URL of a did:web's DID document. Raises INVALID_DID.

    ``scheme="http"`` exists only for loopback demos and tests; the spec requires https.
    """
    parsed = did if isinstance(did, DID) else DID.parse(did)
    if parsed.method != "web":
        raise InvalidDID(f"not a did:web: {shorten(str(parsed))}")
    host_part, *segments = parsed.method_id.split(":")
    host, port = _split_port(host_part)
    for segment in segments:
        _check_segment(segment)
    authority = host + (f":{port}" if port is not None else "")
    path = "/" + "/".join(segments) if segments else "/.well-known"
    if scheme not in ("https", "http"):
        raise TypeError("scheme must be 'https' or 'http'")
    return f"{scheme}://{authority}{path}/did.json"


def url_to_did_web(url: str) -> str:
    """Return the did:web for an HTTPS URL (origin, path, or the did.json location itself).

    An ``http`` URL maps to the same DID (for loopback demos). Raises INVALID_DID when the URL is
    not http(s), carries user info, a query or a fragment, or a
    path segment that cannot be a DID segment.
    """
    if not isinstance(url, str) or len(url) > 2048:
        raise InvalidDID(f"not a did:web URL: {shorten(url)}")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise InvalidDID(f"not a URL: {shorten(url)}") from exc
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise InvalidDID(f"did:web needs an https URL: {shorten(url)}")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise InvalidDID(f"did:web URL must not carry user info, query or fragment: {shorten(url)}")
    host = parts.hostname
    if not _HOST.fullmatch(host) or len(host) > _MAX_HOST:
        raise InvalidDID(f"did:web host must be a domain name: {shorten(host)}")
    path = parts.path
    if path.endswith("/did.json"):
        path = path[: -len("/did.json")]
    if path == "/.well-known":
        path = ""
    segments = [s for s in path.split("/") if s]
    encoded = [quote(unquote(s), safe="").replace("~", "%7E") for s in segments]
    for segment in encoded:
        _check_segment(segment)
    authority = host + (f"%3A{port}" if port is not None else "")
    did = ":".join(["did:web", authority, *encoded])
    DID.parse(did)
    return did


def did_web_document(did: str, public: PublicKey, *, fragment: str = "key-1") -> dict[str, Any]:
    """Build the DID document to publish for ``did``: one Multikey method ``did#fragment``
    under authentication, assertionMethod, capabilityInvocation and capabilityDelegation."""
    did_web_to_url(did)
    vm = VerificationMethod(f"{did}#{fragment}", "Multikey", did, public)
    doc: dict[str, Any] = {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [vm.to_json()],
    }
    for rel in ("authentication", "assertionMethod", "capabilityInvocation",
                "capabilityDelegation"):
        doc[rel] = [vm.id]
    return doc


async def resolve_did_web(
    did: str | DID, fetcher: Fetcher, *, scheme: str = "https"
) -> DIDDocument:
    """Fetch and parse a did:web document.

    Raises INVALID_DID (bad DID, or the document's ``id`` differs from it), DID_NOT_FOUND (HTTP
    404/410), FETCH_REFUSED / PAYLOAD_TOO_LARGE (from the fetcher), PARSING_ERROR (not JSON) or
    MALFORMED_VALUE_ERROR (not a DID document).
    """
    parsed = did if isinstance(did, DID) else DID.parse(did)
    url = did_web_to_url(parsed, scheme=scheme)
    try:
        body = await fetcher(url)
    except FetchRefused as exc:
        if isinstance(exc.detail, dict) and exc.detail.get("status") in (404, 410):
            raise DIDNotFound(f"{shorten(str(parsed))} not found at {url}") from exc
        raise
    data = json_loads(body, what=f"did:web document at {url}")  # strict: no NaN, 1e999, dups
    if not isinstance(data, dict):
        raise MalformedValueError(f"did:web document at {url} is not a JSON object")
    if data.get("id") != str(parsed):
        raise InvalidDID(
            f"did:web document 'id' {shorten(data.get('id'))} does not match {shorten(str(parsed))}"
        )
    return DIDDocument.parse(data)


def _split_port(host_part: str) -> tuple[str, int | None]:
    host, sep, port_text = host_part.partition("%3A")
    if not sep:
        host, sep, port_text = host_part.partition("%3a")
    port: int | None = None
    if sep:
        if not port_text.isdigit() or not port_text.isascii() or not 0 < int(port_text) < 65536:
            raise InvalidDID(f"did:web port is not a number 1-65535: {shorten(port_text)}")
        port = int(port_text)
    if not _HOST.fullmatch(host) or len(host) > _MAX_HOST:
        raise InvalidDID(f"did:web host must be a domain name: {shorten(host)}")
    return host, port


def _check_segment(segment: str) -> None:
    if not _SEGMENT.fullmatch(segment):
        raise InvalidDID(f"did:web path segment is empty or invalid: {shorten(segment)}")
    decoded = unquote(segment)
    if decoded in (".", "..") or "/" in decoded or "\\" in decoded or "?" in decoded:
        raise InvalidDID(f"did:web path segment is not allowed: {shorten(segment)}")
