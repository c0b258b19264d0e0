"""The status list client a verifier uses for both list kinds: fetch, verify, decode, cache.

:class:`CachedStatusListClient` keeps each list **decoded and verified** (a
:class:`~pidm.status.check.VerifiedBitstringList` / ``VerifiedTokenList``), so a cached status
check is one dict lookup, one monotonic-clock comparison and one bit read. Each list stays
cached for its own hint — W3C ``ttl`` (milliseconds), token ``ttl`` (seconds), else the HTTP
``max-age``, else ``default_ttl`` — cut short at the list's ``validUntil`` / ``exp`` and clamped
to ``[min_ttl, max_ttl]`` (the floor keeps a hostile or expired list from turning verifiers into
a request flood, draft-ietf-oauth-status-list §12.5). Concurrent misses for one URL share one
fetch. Network limits (private-address refusal, no redirects, download size) are the injected
fetcher's (:class:`pidm.net.SafeFetcher`); this client adds a timeout and the decompressed-size
limit.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from pidm.clock import monotonic
from pidm.errors import PidmError, StatusRetrievalError, StatusVerificationError, shorten
from pidm.jose import json_loads, verify_jwt_with_resolver
from pidm.status.bitstring import decode_bitstring
from pidm.status.bitstring_vc import BitstringStatusListCredential
from pidm.status.check import VerifiedBitstringList, VerifiedTokenList
from pidm.status.inflate import DEFAULT_MAX_INFLATED
from pidm.status.token import STATUS_LIST_TYP, StatusListToken

if TYPE_CHECKING:
    from pidm.did.resolver import DIDResolver
    from pidm.jsonld.loader import DocumentLoader
    from pidm.net import Fetched

__all__ = ["CachedStatusListClient", "ListFetcher", "ProofVerifier"]

T = TypeVar("T")

#: Verifies every proof of a document at ``now``; raises a PidmError when one fails.
ProofVerifier = Callable[[dict[str, Any], datetime], Awaitable[None]]


class ListFetcher(Protocol):
    """What the client needs from :class:`pidm.net.SafeFetcher` (or ``testing.DictFetcher``)."""

    async def get(self, url: str) -> Fetched: ...


def _did_of(verification_method: str) -> str:
    return verification_method.split("#", 1)[0]


def _proof_signers(doc: dict[str, Any]) -> frozenset[str]:
    proofs = doc.get("proof")
    items = proofs if isinstance(proofs, list) else [proofs]
    vms = [p.get("verificationMethod") if isinstance(p, dict) else None for p in items]
    names = [vm for vm in vms if isinstance(vm, str)]
    if not names or len(names) != len(vms):
        raise StatusVerificationError("status list credential has no usable proof")
    return frozenset(_did_of(vm) for vm in names)


class CachedStatusListClient:
    """Fetches, verifies, decodes and caches Bitstring and Token status lists.

    ``fetcher`` is a :class:`pidm.net.SafeFetcher` in production; ``resolver`` resolves the
    lists' signing keys; ``verify_proofs`` defaults to
    :func:`pidm.integrity.proof.verify_document` with ``resolver`` and ``loader``. With
    ``require_issuer_key`` (default) every proof of a Bitstring list must come from a key of the
    list's own ``issuer``. ``clock`` is a monotonic seconds clock (injected for tests).
    """

    def __init__(
        self,
        fetcher: ListFetcher,
        resolver: DIDResolver,
        *,
        loader: DocumentLoader | None = None,
        verify_proofs: ProofVerifier | None = None,
        clock: Callable[[], float] = monotonic,
        default_ttl: float = 300.0,
        min_ttl: float = 30.0,
        max_ttl: float = 86_400.0,
        timeout: float = 10.0,
        max_list_bytes: int = DEFAULT_MAX_INFLATED,
        maxsize: int = 1024,
        require_issuer_key: bool = True,
    ) -> None:
        if not 0 <= min_ttl <= max_ttl:
            raise ValueError("need 0 <= min_ttl <= max_ttl")
        self._fetcher = fetcher
        self._resolver = resolver
        self._loader = loader
        self._verify_proofs = verify_proofs or self._verify_document
        self._clock = clock
        self.default_ttl, self.min_ttl, self.max_ttl = default_ttl, min_ttl, max_ttl
        self.timeout = timeout
        self.max_list_bytes = max_list_bytes
        self.maxsize = maxsize
        self.require_issuer_key = require_issuer_key
        self._cache: dict[tuple[str, str], tuple[float, Any]] = {}
        self._inflight: dict[tuple[str, str], asyncio.Task[tuple[float, Any]]] = {}
        self.fetches = 0  # lists actually fetched (cache misses that reached the network)

    def __len__(self) -> int:
        return len(self._cache)

    def invalidate(self, url: str | None = None) -> None:
        """Forget one cached list (both kinds) or, with no ``url``, all of them."""
        if url is None:
            self._cache.clear()
        else:
            self._cache.pop(("bitstring", url), None)
            self._cache.pop(("token", url), None)

    async def bitstring_list(self, url: str, *, now: datetime) -> VerifiedBitstringList:
        """The verified, decoded BitstringStatusListCredential at ``url``."""
        hit = self._cache.get(("bitstring", url))
        if hit is not None and hit[0] > self._clock():
            value: VerifiedBitstringList = hit[1]
            return value
        return await self._shared(("bitstring", url), lambda: self._load_bitstring(url, now))

    async def token_list(self, uri: str, *, now: datetime) -> VerifiedTokenList:
        """The verified, decoded Status List Token at ``uri``."""
        hit = self._cache.get(("token", uri))
        if hit is not None and hit[0] > self._clock():
            value: VerifiedTokenList = hit[1]
            return value
        return await self._shared(("token", uri), lambda: self._load_token(uri, now))

    async def _shared(
        self, key: tuple[str, str], load: Callable[[], Awaitable[tuple[float, T]]]
    ) -> T:
        task = self._inflight.get(key)
        if task is None:
            task = asyncio.ensure_future(self._fill(key, load))
            self._inflight[key] = task
            task.add_done_callback(lambda done: self._settle(key, done))
        _, value = await asyncio.shield(task)
        result: T = value
        return result

    def _settle(self, key: tuple[str, str], task: asyncio.Task[tuple[float, Any]]) -> None:
        if self._inflight.get(key) is task:
            del self._inflight[key]
        if not task.cancelled():
            task.exception()  # retrieved here so an abandoned failure is not logged

    async def _fill(
        self, key: tuple[str, str], load: Callable[[], Awaitable[tuple[float, Any]]]
    ) -> tuple[float, Any]:
        try:
            async with asyncio.timeout(self.timeout):
                lifetime, value = await load()
        except TimeoutError as exc:
            raise StatusRetrievalError(
                f"status list {shorten(key[1])} timed out after {self.timeout}s"
            ) from exc
        self._store(key, self._clock() + lifetime, value)
        return lifetime, value

    def _store(self, key: tuple[str, str], expires: float, value: Any) -> None:
        if len(self._cache) >= self.maxsize and key not in self._cache:
            now = self._clock()
            for old in [k for k, (exp, _) in self._cache.items() if exp <= now]:
                del self._cache[old]
            while len(self._cache) >= self.maxsize:
                del self._cache[next(iter(self._cache))]
        self._cache[key] = (expires, value)

    def _lifetime(self, hint: float | None, max_age: int | None, remaining: float | None) -> float:
        seconds = hint if hint is not None else max_age if max_age is not None else None
        if seconds is None:
            seconds = self.default_ttl if remaining is None else remaining
        if remaining is not None:
            seconds = min(seconds, remaining)
        return min(max(seconds, self.min_ttl), self.max_ttl)

    async def _fetch(self, url: str) -> Fetched:
        try:
            fetched = await self._fetcher.get(url)
        except PidmError as exc:
            raise StatusRetrievalError(
                f"status list {shorten(url)} could not be retrieved: {exc.code}: {exc}",
                detail={"cause": exc.code},
            ) from exc
        self.fetches += 1
        return fetched

    async def _verify_document(self, doc: dict[str, Any], now: datetime) -> None:
        from pidm.integrity.proof import (  # type: ignore[import-not-found, unused-ignore]
            verify_document,
        )

        await verify_document(doc, resolver=self._resolver, now=now, loader=self._loader)

    async def _load_bitstring(self, url: str, now: datetime) -> tuple[float, VerifiedBitstringList]:
        fetched = await self._fetch(url)
        try:
            doc = json_loads(fetched.body, what="status list credential")
        except PidmError as exc:
            raise StatusRetrievalError(f"{shorten(url)} is not a JSON credential: {exc}") from exc
        cred = BitstringStatusListCredential.parse(doc)
        if cred.id is not None and cred.id != url:
            raise StatusVerificationError(f"list credential id {shorten(cred.id)} is not {url}")
        signers = _proof_signers(doc)
        try:
            await self._verify_proofs(doc, now)
        except PidmError as exc:
            raise StatusVerificationError(
                f"status list {shorten(url)} proof failed: {exc.code}: {exc}",
                detail={"cause": exc.code},
            ) from exc
        if self.require_issuer_key and signers != {cred.issuer}:
            raise StatusVerificationError(
                f"status list {shorten(url)} is signed by {sorted(signers)}, not by its issuer "
                f"{shorten(cred.issuer)}"
            )
        data = decode_bitstring(cred.encoded_list, max_bytes=self.max_list_bytes)
        value = VerifiedBitstringList(
            url,
            cred.issuer,
            cred.purposes,
            cred.valid_from,
            cred.valid_until,
            cred.status_size,
            data,
        )
        remaining = None if cred.valid_until is None else (cred.valid_until - now).total_seconds()
        hint = None if cred.ttl_ms is None else cred.ttl_ms / 1000
        return self._lifetime(hint, fetched.max_age, remaining), value

    async def _load_token(self, uri: str, now: datetime) -> tuple[float, VerifiedTokenList]:
        fetched = await self._fetch(uri)
        try:
            text = fetched.body.decode("ascii").strip()
        except UnicodeDecodeError as exc:
            raise StatusRetrievalError(f"{shorten(uri)} is not a compact JWT") from exc
        try:
            jwt, method = await verify_jwt_with_resolver(text, self._resolver, typ=STATUS_LIST_TYP)
        except PidmError as exc:
            raise StatusVerificationError(
                f"status list token {shorten(uri)} failed verification: {exc.code}: {exc}",
                detail={"cause": exc.code},
            ) from exc
        token = StatusListToken.parse(jwt.payload)
        if token.sub != uri:
            raise StatusVerificationError(f"status list token sub {shorten(token.sub)} != {uri}")
        status_list = token.decode(max_bytes=self.max_list_bytes)
        value = VerifiedTokenList(
            uri, _did_of(method.id), token.iss, token.iat, token.exp, token.bits, status_list.data
        )
        remaining = None if token.exp is None else token.exp - now.timestamp()
        return self._lifetime(token.ttl, fetched.max_age, remaining), value
