"""The wallet's HTTP client for credential issuers and verifiers (aiohttp).

Everything the wallet contacts is named by someone else: an offer names the issuer, a QR code
names the verifier. So the client applies :class:`pidm.net.SafeFetcher`'s limits to every call,
GET and POST alike: https only and public addresses only (checked on the addresses DNS returns,
in the connector's resolver) unless ``allow_http`` / ``allow_private`` are set for loopback
demos and tests; no redirects; a response size limit (PAYLOAD_TOO_LARGE); a total timeout
(FETCH_REFUSED naming the timeout). An issuer's OAuth error answer (``{"error": ...}``) becomes
the matching coded error (``invalid_grant`` -> INVALID_GRANT, ...).
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

from pidm.did.resolver import CachingResolver, DIDResolver, MethodRouter
from pidm.errors import (
    FetchRefused,
    InvalidGrant,
    InvalidIssuerResponse,
    InvalidNonce,
    InvalidProof,
    InvalidToken,
    InvalidTokenRequest,
    PayloadTooLarge,
    PidmError,
    UnknownCredentialConfiguration,
    UnsupportedGrantType,
    shorten,
)
from pidm.jose import json_loads
from pidm.net import SafeFetcher, ip_is_public

__all__ = ["HttpLimits", "Response", "WalletClient", "oauth_error"]

_CHUNK = 16384
_MAX_URL = 8192
_OAUTH_ERRORS: dict[str, type[PidmError]] = {
    "invalid_grant": InvalidGrant,
    "invalid_proof": InvalidProof,
    "invalid_nonce": InvalidNonce,
    "invalid_token": InvalidToken,
    "unsupported_grant_type": UnsupportedGrantType,
    "unknown_credential_configuration": UnknownCredentialConfiguration,
    "invalid_request": InvalidTokenRequest,
}


@dataclass(frozen=True, slots=True)
class HttpLimits:
    """What the wallet may contact and how much it reads (SafeFetcher's knobs)."""

    allow_private: bool = False
    allow_http: bool = False
    max_bytes: int = 1_048_576
    timeout: float = 10.0


@dataclass(frozen=True, slots=True)
class Response:
    """A complete HTTP response (body already read within the size limit)."""

    url: str
    status: int
    body: bytes
    content_type: str

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def json(self, what: str) -> Any:
        """The body as strict JSON; INVALID_ISSUER_RESPONSE naming ``what`` if it is not."""
        try:
            return json_loads(self.body, what=what)
        except PidmError as exc:
            raise InvalidIssuerResponse(f"{what} from {shorten(self.url)} is not JSON") from exc

    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def oauth_error(response: Response, what: str) -> PidmError:
    """The coded error for a non-2xx answer: the OAuth ``error`` mapped, else a generic one."""
    try:
        data = json_loads(response.body, what=what)
    except PidmError:
        data = None
    if isinstance(data, dict) and isinstance(data.get("error"), str):
        error, description = data["error"], str(data.get("error_description", ""))[:300]
        cls = _OAUTH_ERRORS.get(error, InvalidIssuerResponse)
        return cls(f"{what} refused ({response.status} {error}): {description}")
    return InvalidIssuerResponse(f"{what} answered HTTP {response.status}")


class _GuardedResolver(AbstractResolver):
    """DNS through ``inner``; a name resolving to any non-public address is refused."""

    def __init__(self, inner: AbstractResolver) -> None:
        self._inner = inner

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        for result in results:
            if not ip_is_public(result["host"]):
                raise FetchRefused(
                    f"refusing {shorten(host)}: it resolves to non-public {result['host']}",
                    detail={"reason": "private_address"},
                )
        return results

    async def close(self) -> None:
        await self._inner.close()


class WalletClient:
    """GET / POST with the wallet's limits. Use ``async with`` to share one connection pool.

    Raises FETCH_REFUSED (refused target, redirect, connection failure, timeout) and
    PAYLOAD_TOO_LARGE; HTTP error statuses are returned, not raised, so callers can read the
    OAuth error body.
    """

    def __init__(
        self, limits: HttpLimits | None = None, *, resolver: AbstractResolver | None = None
    ) -> None:
        self.limits = limits or HttpLimits()
        self._resolver = resolver
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> WalletClient:
        self._session = self._new_session()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def fetcher(self) -> SafeFetcher:
        """A :class:`SafeFetcher` with the same limits (did:web documents, status lists)."""
        lim = self.limits
        return SafeFetcher(allow_private=lim.allow_private, allow_http=lim.allow_http,
                           max_bytes=lim.max_bytes, timeout=lim.timeout)

    def did_resolver(self) -> DIDResolver:
        """did:key, did:jwk and did:web (over http only when ``allow_http``), cached."""
        scheme = "http" if self.limits.allow_http else "https"
        return CachingResolver(MethodRouter(self.fetcher(), web_scheme=scheme))

    async def get(self, url: str, *, accept: str = "application/json") -> Response:
        return await self.request("GET", url, headers={"Accept": accept})

    async def post_form(
        self, url: str, form: Mapping[str, str], *, headers: Mapping[str, str] | None = None
    ) -> Response:
        return await self.request("POST", url, data=dict(form), headers=headers)

    async def post_json(
        self, url: str, body: Any, *, headers: Mapping[str, str] | None = None
    ) -> Response:
        return await self.request("POST", url, json=body, headers=headers)

    async def request(
        self, method: str, url: str, *, headers: Mapping[str, str] | None = None, **kwargs: Any
    ) -> Response:
        """Send one request and read the whole answer within the limits."""
        self._check_url(url)
        hdrs = {"Accept": "application/json", "Accept-Encoding": "identity", **(headers or {})}
        try:
            async with asyncio.timeout(self.limits.timeout):
                if self._session is not None:
                    return await self._send(self._session, method, url, hdrs, kwargs)
                async with self._new_session() as session:
                    return await self._send(session, method, url, hdrs, kwargs)
        except TimeoutError as exc:
            raise FetchRefused(
                f"timeout: no answer from {shorten(url)} within {self.limits.timeout}s",
                detail={"reason": "timeout"},
            ) from exc
        except aiohttp.ClientError as exc:
            cause = exc.__cause__ or exc.__context__
            if isinstance(cause, FetchRefused):
                raise cause from None
            raise FetchRefused(f"could not reach {shorten(url)}: {_why(exc)}",
                               detail={"reason": "connection"}) from exc
        except OSError as exc:
            raise FetchRefused(f"could not reach {shorten(url)}: {exc.strerror}",
                               detail={"reason": "connection"}) from exc

    def _new_session(self) -> aiohttp.ClientSession:
        inner = self._resolver or aiohttp.ThreadedResolver()
        resolver = inner if self.limits.allow_private else _GuardedResolver(inner)
        return aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(resolver=resolver, use_dns_cache=False),
            auto_decompress=False,
            trust_env=False,
            timeout=aiohttp.ClientTimeout(total=self.limits.timeout),
        )

    def _check_url(self, url: str) -> None:
        if not isinstance(url, str) or len(url) > _MAX_URL:
            raise FetchRefused(f"not a usable URL: {shorten(url)}", detail={"reason": "url"})
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - raises ValueError on a bad port
        except ValueError as exc:
            raise FetchRefused(f"not a URL: {shorten(url)}", detail={"reason": "url"}) from exc
        schemes = ("https", "http") if self.limits.allow_http else ("https",)
        if parts.scheme not in schemes:
            raise FetchRefused(f"refusing {shorten(url)}: only https is allowed",
                               detail={"reason": "scheme", "scheme": parts.scheme})
        if not parts.hostname or parts.username is not None or parts.password is not None:
            raise FetchRefused(f"URL needs a host and no credentials: {shorten(url)}",
                               detail={"reason": "url"})
        if self.limits.allow_private:
            return
        try:
            ipaddress.ip_address(parts.hostname)
        except ValueError:
            return
        if not ip_is_public(parts.hostname):
            raise FetchRefused(f"refusing non-public address {shorten(parts.hostname)}",
                               detail={"reason": "private_address"})

    async def _send(
        self, session: aiohttp.ClientSession, method: str, url: str,
        headers: Mapping[str, str], kwargs: dict[str, Any],
    ) -> Response:
        async with session.request(
            method, url, headers=headers, allow_redirects=False, **kwargs
        ) as response:
            if 300 <= response.status < 400:
                raise FetchRefused(f"redirect {response.status} from {shorten(url)} not followed",
                                   detail={"reason": "status", "status": response.status})
            encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
            if encoding not in ("", "identity"):
                raise FetchRefused(f"refusing {shorten(encoding)}-encoded body from {shorten(url)}",
                                   detail={"reason": "encoding"})
            limit = self.limits.max_bytes
            if (response.content_length or 0) > limit:
                raise PayloadTooLarge(f"answer from {shorten(url)} exceeds {limit} bytes")
            body = bytearray()
            async for chunk in response.content.iter_chunked(_CHUNK):
                body += chunk
                if len(body) > limit:
                    raise PayloadTooLarge(f"answer from {shorten(url)} exceeds {limit} bytes")
            return Response(url, response.status, bytes(body), response.content_type)


def _why(exc: aiohttp.ClientError) -> str:
    """What went wrong, in words ('Connection refused'), not aiohttp's class name."""
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        return "its TLS certificate was not accepted"
    if isinstance(exc, aiohttp.ClientConnectorError):
        errno = exc.os_error.errno
        return os.strerror(errno) if errno else str(exc.os_error) or type(exc).__name__
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return "the server closed the connection without an answer"
    return type(exc).__name__
