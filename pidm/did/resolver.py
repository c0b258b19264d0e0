"""DID resolution (DID Core §7.1) and DID URL dereferencing to a verification method (§7.2).

One front, :class:`MethodRouter`, resolves did:key and did:jwk (pure) and did:web (through an
injected fetcher). :class:`CachingResolver` wraps any resolver with a bounded LRU cache; entries of
pure methods never expire, did:web entries live ``ttl`` seconds. :class:`StaticResolver` serves
fixed documents (tests, pinned trust lists).
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

from pidm.clock import monotonic
from pidm.did.jwk import did_jwk_document
from pidm.did.key import did_key_document
from pidm.did.model import DID, DIDURL, RELATIONSHIPS, DIDDocument, VerificationMethod
from pidm.did.web import resolve_did_web
from pidm.errors import (
    DIDNotFound,
    InvalidDID,
    MethodNotSupported,
    VerificationMethodNotFound,
    shorten,
)

__all__ = [
    "PURE_METHODS",
    "CachingResolver",
    "DIDResolver",
    "MethodRouter",
    "StaticResolver",
    "default_resolver",
    "resolve_method",
]

Fetcher = Callable[[str], Awaitable[bytes]]
#: Methods whose documents follow from the DID alone and never change.
PURE_METHODS = frozenset({"key", "jwk"})


class DIDResolver(Protocol):
    async def resolve(self, did: str) -> DIDDocument:
        """Return the DID document of ``did``; raise a ResolutionError subclass."""
        ...


def _parse(did: str | DID) -> DID:
    return did if isinstance(did, DID) else DID.parse(did)


async def resolve_method(
    resolver: DIDResolver, did_url: str, relationship: str | None = None
) -> VerificationMethod:
    """Dereference a DID URL with a fragment to its verification method.

    When ``relationship`` is given (``assertionMethod``, ``authentication`` …) the method must be
    listed under it. A bare did:key / did:jwk (no fragment) names its only key: the W3C Bitstring
    Status List REC examples sign with such ``verificationMethod`` values.

    Raises INVALID_DID (no fragment, a path or query, or the resolved document's id differs),
    VERIFICATION_METHOD_NOT_FOUND (absent, not under ``relationship``, or controlled by another
    DID), and whatever resolution raises.
    """
    url = DIDURL.parse(did_url)
    single_key = url.did.method in PURE_METHODS
    if url.path or url.query or not (url.fragment or single_key):
        raise InvalidDID(f"verification method must be a DID URL with only a fragment: "
                         f"{shorten(did_url)}")
    if relationship is not None and relationship not in RELATIONSHIPS:
        raise TypeError(f"unknown verification relationship {relationship!r}")
    did = str(url.did)
    doc = await resolver.resolve(did)
    if doc.id != did:
        raise InvalidDID(f"resolved document id {shorten(doc.id)} is not {shorten(did)}")
    if url.fragment:
        vm_id = f"{did}#{url.fragment}"
    elif len(doc.verification_methods) == 1:
        vm_id = doc.verification_methods[0].id
    else:
        raise VerificationMethodNotFound(f"{shorten(did)} has no single verification method")
    vm = doc.method(vm_id) if relationship is None else doc.authorized(vm_id, relationship)
    if vm.controller != did:
        raise VerificationMethodNotFound(
            f"{shorten(vm_id)} is controlled by {shorten(vm.controller)}, not by {shorten(did)}"
        )
    return vm


class MethodRouter:
    """Resolve did:key and did:jwk locally and did:web through ``fetcher``.

    Without a fetcher did:web raises METHOD_NOT_SUPPORTED; so does any other method.
    ``web_scheme="http"`` is for loopback demos only.
    """

    def __init__(self, fetcher: Fetcher | None = None, *, web_scheme: str = "https") -> None:
        self.fetcher = fetcher
        self.web_scheme = web_scheme

    async def resolve(self, did: str | DID) -> DIDDocument:
        parsed = _parse(did)
        if parsed.method == "key":
            return did_key_document(parsed)
        if parsed.method == "jwk":
            return did_jwk_document(parsed)
        if parsed.method == "web":
            if self.fetcher is None:
                raise MethodNotSupported("did:web resolution needs a fetcher")
            return await resolve_did_web(parsed, self.fetcher, scheme=self.web_scheme)
        raise MethodNotSupported(f"DID method {shorten(parsed.method)} is not supported")


class StaticResolver:
    """Resolve from a fixed mapping of DID -> document (dict or DIDDocument).

    DIDs not in the mapping go to ``fallback`` if given, else raise DID_NOT_FOUND.
    """

    def __init__(
        self,
        docs: Mapping[str, DIDDocument | Mapping[str, Any]],
        fallback: DIDResolver | None = None,
    ) -> None:
        self._docs = dict(docs)
        self._fallback = fallback

    async def resolve(self, did: str | DID) -> DIDDocument:
        key = str(did)
        doc = self._docs.get(key)
        if doc is None:
            if self._fallback is not None:
                return await self._fallback.resolve(key)
            raise DIDNotFound(f"{shorten(key)} is not known")
        if not isinstance(doc, DIDDocument):
            doc = DIDDocument.parse(doc)
            self._docs[key] = doc
        return doc


class CachingResolver:
    """A bounded LRU cache in front of ``inner``; concurrent lookups of one DID share one call.

    Documents of :data:`PURE_METHODS` are kept until evicted; others for ``ttl`` seconds (measured
    by ``timer``, monotonic by default). Failures are not cached.
    """

    def __init__(
        self,
        inner: DIDResolver,
        maxsize: int = 1024,
        *,
        ttl: float = 300.0,
        timer: Callable[[], float] = monotonic,
    ) -> None:
        if maxsize < 1:
            raise TypeError("maxsize must be at least 1")
        self.inner = inner
        self.maxsize = maxsize
        self.ttl = ttl
        self._timer = timer
        self._cache: OrderedDict[str, tuple[float | None, DIDDocument]] = OrderedDict()
        self._inflight: dict[str, asyncio.Future[DIDDocument]] = {}

    def __len__(self) -> int:
        return len(self._cache)

    def clear(self) -> None:
        self._cache.clear()

    async def resolve(self, did: str | DID) -> DIDDocument:
        parsed = _parse(did)
        key = str(parsed)
        hit = self._cache.get(key)
        if hit is not None:
            expires, doc = hit
            if expires is None or self._timer() < expires:
                self._cache.move_to_end(key)
                return doc
            del self._cache[key]
        pending = self._inflight.get(key)
        if pending is None:
            pending = asyncio.ensure_future(self._fill(parsed, key))
            self._inflight[key] = pending
        return await asyncio.shield(pending)

    async def _fill(self, did: DID, key: str) -> DIDDocument:
        try:
            doc = await self.inner.resolve(key)
        finally:
            self._inflight.pop(key, None)
        expires = None if did.method in PURE_METHODS else self._timer() + self.ttl
        self._cache[key] = (expires, doc)
        self._cache.move_to_end(key)
        while len(self._cache) > self.maxsize:
            self._cache.popitem(last=False)
        return doc


def default_resolver(fetcher: Fetcher | None = None, *, maxsize: int = 1024,
                     ttl: float = 300.0) -> CachingResolver:
    """The resolver pidm uses unless told otherwise: a cached :class:`MethodRouter`.

    Pass a :class:`pidm.net.SafeFetcher` to enable did:web; without one only did:key and did:jwk
    resolve.
    """
    return CachingResolver(MethodRouter(fetcher), maxsize, ttl=ttl)
