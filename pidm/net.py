"""The only network code in pidm: :class:`SafeFetcher`, an HTTP GET client with an SSRF guard.

Everything pidm fetches (did:web documents, status lists) comes from URLs an attacker may
choose. SafeFetcher therefore refuses non-https URLs and any target whose address — the literal
host, or every address DNS returns for it, checked in the connector's own resolver so the checked
address is the one connected to — is loopback, private, link-local, multicast, reserved,
unspecified or otherwise not globally routable, unless the caller opts in (``allow_http`` /
``allow_private``, for tests and loopback demos). It never follows redirects, reads at most
``max_bytes`` (PAYLOAD_TOO_LARGE), gives up after ``timeout`` seconds (FETCH_REFUSED) and asks
for an uncompressed body (a compressed one is refused: no decompression bombs).
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from types import TracebackType
from urllib.parse import urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

from pidm.errors import FetchRefused, PayloadTooLarge, shorten

__all__ = ["Fetched", "Fetcher", "SafeFetcher", "ip_is_public", "parse_max_age"]

Fetcher = Callable[[str], Awaitable[bytes]]

_MAX_URL = 4096
_CHUNK = 16384
_MAX_AGE = re.compile(r"(?:^|,)\s*max-age\s*=\s*\"?(\d{1,10})\"?\s*(?:,|$)", re.IGNORECASE)
_NO_CACHE = re.compile(r"(?:^|,)\s*(?:no-store|no-cache)\s*(?:,|=|$)", re.IGNORECASE)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


@dataclass(frozen=True, slots=True)
class Fetched:
    """A fetched response body with what a cache needs to know about it."""

    url: str
    body: bytes
    content_type: str
    max_age: int | None


def ip_is_public(address: str) -> bool:
    """Return True if ``address`` is a globally routable unicast IP (v4, v6, v4-mapped, NAT64)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return ip_is_public(str(embedded))
        if ip.teredo is not None:
            return False
    return ip.is_global and not (
        ip.is_multicast or ip.is_private or ip.is_reserved or ip.is_loopback
        or ip.is_link_local or ip.is_unspecified
    )


def parse_max_age(cache_control: str | None) -> int | None:
    """``max-age`` seconds from a Cache-Control header; 0 for no-store/no-cache; else None."""
    if not cache_control:
        return None
    if _NO_CACHE.search(cache_control):
        return 0
    match = _MAX_AGE.search(cache_control)
    return int(match[1]) if match else None


class _GuardedResolver(AbstractResolver):
    """Resolve through ``inner`` and refuse the host if any address it returns is not public."""

    def __init__(self, inner: AbstractResolver) -> None:
        self._inner = inner

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        for result in results:
            if not ip_is_public(result["host"]):
                raise FetchRefused(
                    f"refusing to connect to {shorten(host)}: it resolves to a non-public "
                    f"address {result['host']}",
                    detail={"reason": "private_address"},
                )
        return results

    async def close(self) -> None:
        await self._inner.close()


class SafeFetcher:
    """GET a URL safely; usable as a :data:`Fetcher` (``await fetcher(url) -> bytes``).

    ``allow_private`` lets loopback/private targets through, ``allow_http`` plain http: both for
    tests and local demos only. ``resolver`` replaces the system DNS (tests). Use ``async with``
    to share one connection pool across calls; otherwise each call opens and closes its own.
    """

    def __init__(
        self,
        *,
        allow_private: bool = False,
        allow_http: bool = False,
        max_bytes: int = 1_048_576,
        timeout: float = 10.0,
        resolver: AbstractResolver | None = None,
    ) -> None:
        self.allow_private = allow_private
        self.allow_http = allow_http
        self.max_bytes = max_bytes
        self.timeout = timeout
        self._resolver = resolver
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> SafeFetcher:
        self._session = self._new_session()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __call__(self, url: str) -> bytes:
        return (await self.get(url)).body

    async def get(self, url: str, *, accept: str = "application/json, */*;q=0.5") -> Fetched:
        """Fetch ``url``.

        Raises FETCH_REFUSED (refused target, redirect, HTTP error status — ``detail["status"]``
        —, compressed body, connection failure or timeout) or PAYLOAD_TOO_LARGE.
        """
        self._check_url(url)
        try:
            async with asyncio.timeout(self.timeout):
                if self._session is not None:
                    return await self._get(self._session, url, accept)
                async with self._new_session() as session:
                    return await self._get(session, url, accept)
        except TimeoutError as exc:
            raise FetchRefused(
                f"timeout: no complete response from {shorten(url)} within {self.timeout}s",
                detail={"reason": "timeout"},
            ) from exc
        except aiohttp.ClientError as exc:
            cause = exc.__cause__ or exc.__context__
            if isinstance(cause, FetchRefused):
                raise cause from None
            raise FetchRefused(
                f"could not fetch {shorten(url)}: {type(exc).__name__}",
                detail={"reason": "connection"},
            ) from exc
        except OSError as exc:
            raise FetchRefused(
                f"could not fetch {shorten(url)}: {exc.strerror or type(exc).__name__}",
                detail={"reason": "connection"},
            ) from exc

    def _new_session(self) -> aiohttp.ClientSession:
        inner = self._resolver or aiohttp.ThreadedResolver()
        resolver = inner if self.allow_private else _GuardedResolver(inner)
        connector = aiohttp.TCPConnector(resolver=resolver, use_dns_cache=False)
        return aiohttp.ClientSession(
            connector=connector,
            auto_decompress=False,
            trust_env=False,
            timeout=aiohttp.ClientTimeout(total=self.timeout),
        )

    def _check_url(self, url: str) -> None:
        if not isinstance(url, str) or len(url) > _MAX_URL:
            raise FetchRefused(f"not a fetchable URL: {shorten(url)}", detail={"reason": "url"})
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - raises ValueError on a bad port
        except ValueError as exc:
            raise FetchRefused(f"not a URL: {shorten(url)}", detail={"reason": "url"}) from exc
        allowed = ("https", "http") if self.allow_http else ("https",)
        if parts.scheme not in allowed:
            raise FetchRefused(
                f"refusing {shorten(parts.scheme)} URL {shorten(url)}: only https is allowed",
                detail={"reason": "scheme"},
            )
        if not parts.hostname or parts.username is not None or parts.password is not None:
            raise FetchRefused(f"URL needs a host and no credentials: {shorten(url)}",
                               detail={"reason": "url"})
        if self.allow_private:
            return
        try:
            ipaddress.ip_address(parts.hostname)
        except ValueError:
            return  # a name: its addresses are checked by the guarded resolver
        if not ip_is_public(parts.hostname):
            raise FetchRefused(
                f"refusing non-public address {shorten(parts.hostname)}",
                detail={"reason": "private_address"},
            )

    async def _get(self, session: aiohttp.ClientSession, url: str, accept: str) -> Fetched:
        headers = {"Accept": accept, "Accept-Encoding": "identity"}
        async with session.get(url, headers=headers, allow_redirects=False) as response:
            if response.status >= 300 or response.status < 200:
                kind = "redirect" if 300 <= response.status < 400 else "HTTP status"
                raise FetchRefused(
                    f"{kind} {response.status} from {shorten(url)} (redirects are not followed)",
                    detail={"reason": "status", "status": response.status},
                )
            encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
            if encoding not in ("", "identity"):
                raise FetchRefused(f"refusing {shorten(encoding)}-encoded body from {shorten(url)}",
                                   detail={"reason": "encoding"})
            if (response.content_length or 0) > self.max_bytes:
                raise self._too_large(url)
            body = bytearray()
            async for chunk in response.content.iter_chunked(_CHUNK):
                body += chunk
                if len(body) > self.max_bytes:
                    raise self._too_large(url)
            return Fetched(
                url=url,
                body=bytes(body),
                content_type=response.headers.get("Content-Type", ""),
                max_age=parse_max_age(response.headers.get("Cache-Control")),
            )

    def _too_large(self, url: str) -> PayloadTooLarge:
        return PayloadTooLarge(f"response from {shorten(url)} exceeds {self.max_bytes} bytes")
