"""Processed-context caches, one set per document loader.

pyld keeps processed contexts in module-global caches keyed by URL — shared by every loader in the
process — and, as shipped, still redoes most of the work on each call: it re-canonicalizes every
embedded context object to make its cache key, and it re-processes type-scoped contexts (such as the
one ``VerifiableCredential`` carries in the VCDM 2.0 context) on every node, because each
non-propagating clone gets a fresh ``_uuid``.

:class:`ContextCache` fixes both for one loader: a private resolved-context cache (so contexts from
one loader never serve another), canonical keys memoized by object identity, and a memo of
``_process_context`` results keyed by the (immutable, frozen) active context, and a memo of IRI
expansion (``_expand_iri`` outside context processing is a pure function of the frozen active
context, the string and two flags; pyld calls it for every key and most values). Entries hold
strong references to the objects whose ``id()`` they use, so an id cannot be reused while its
entry lives.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

import rfc8785
from frozendict import frozendict
from pyld.context_resolver import ContextResolver
from pyld.resolved_context import ResolvedContext

__all__ = ["MAX_MEMO_IRI", "ContextCache", "cache_for"]

#: Longest string (and expansion) the IRI memo keeps; terms and usual IRIs are far shorter.
MAX_MEMO_IRI = 1024

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LRU(Generic[K, V]):
    """A small thread-safe LRU map (``get`` / ``[]=``), enough for pyld's shared-cache protocol."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._data: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K, default: V | None = None) -> V | None:
        with self._lock:
            value = self._data.get(key)
            if value is None:
                return default
            self._data.move_to_end(key)
            return value

    def __setitem__(self, key: K, value: V) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)

    def __len__(self) -> int:
        return len(self._data)


def context_key(value: Any) -> Hashable:
    """A hashable key for a local context: strings and lists by value, objects by identity."""
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, list):
        return tuple(context_key(v) for v in value)
    return ("id", id(value))


class ContextCache:
    """Everything cached for one loader: resolved contexts, their keys, processed contexts."""

    def __init__(self, maxsize: int = 512) -> None:
        self.resolved: LRU[str, dict[str, ResolvedContext]] = LRU(maxsize)
        self.keys: LRU[int, tuple[Any, str]] = LRU(maxsize)
        self.processed: LRU[Hashable, tuple[Any, Any, Any]] = LRU(maxsize)
        self.iris: dict[tuple[int, str, Any, bool], tuple[Any, str | None]] = {}
        self.max_iris = 8 * maxsize
        self.iri_contexts: dict[int, Any] = {}  # the active contexts ``iris`` pins
        self.max_iri_contexts = maxsize

    def key_of(self, ctx: Any) -> str:
        """The canonical (JCS) key of an embedded context object, computed once per object."""
        hit = self.keys.get(id(ctx))
        if hit is not None and hit[0] is ctx:
            return hit[1]
        key = rfc8785.dumps(ctx).decode("utf-8")
        self.keys[id(ctx)] = (ctx, key)
        return key

    def process(
        self,
        active_ctx: Any,
        local_ctx: Any,
        flags: tuple[bool, bool, bool],
        compute: Callable[[], Any],
    ) -> Any:
        """Return the processed context for (active, local, flags), computing it once.

        Only frozen active contexts are memoized: pyld never changes them once frozen.
        """
        if not isinstance(active_ctx, frozendict):
            return compute()
        key = (id(active_ctx), context_key(local_ctx), flags)
        hit = self.processed.get(key)
        if hit is not None and hit[0] is active_ctx:
            return hit[2]
        result = compute()
        self.processed[key] = (active_ctx, local_ctx, result)
        return result

    def expand_iri(self, active_ctx: Any, value: str, base: Any, vocab: bool,
                   compute: Callable[[], str | None]) -> str | None:
        """Return pyld's expansion of ``value`` in ``active_ctx`` (frozen), computing it once.

        A plain dict (atomic operations under the GIL, no lock on this hot path) emptied when it
        reaches ``max_iris`` entries or pins ``max_iri_contexts`` active contexts, so hostile
        documents with many distinct terms or embedded contexts stay bounded. Entries outlive the
        operation, so strings longer than :data:`MAX_MEMO_IRI` (body-sized ``@id`` values, never
        seen twice) are not kept.
        """
        if len(value) > MAX_MEMO_IRI:
            return compute()
        key = (id(active_ctx), value, base, vocab)
        hit = self.iris.get(key)
        if hit is not None and hit[0] is active_ctx:
            return hit[1]
        result = compute()
        if result is not None and len(result) > MAX_MEMO_IRI:
            return result
        if len(self.iris) >= self.max_iris or (
            id(active_ctx) not in self.iri_contexts
            and len(self.iri_contexts) >= self.max_iri_contexts
        ):
            self.iris.clear()
            self.iri_contexts.clear()
        self.iri_contexts[id(active_ctx)] = active_ctx
        self.iris[key] = (active_ctx, result)
        return result

    def resolver(self, loader: Any) -> ContextResolver:
        """A pyld context resolver for one operation that uses this cache."""
        return _CachingResolver(self, loader)


class _CachingResolver(ContextResolver):  # type: ignore[misc]
    """pyld's resolver, with embedded-context keys memoized by object identity."""

    def __init__(self, cache: ContextCache, loader: Any) -> None:
        super().__init__(cache.resolved, loader)
        self._cache = cache

    def resolve(self, active_ctx: Any, context: Any, base: Any, cycles: Any = None) -> Any:
        if isinstance(context, dict) and "@context" in context:
            context = context["@context"]
        out: list[Any] = []
        for ctx in context if isinstance(context, list) else [context]:
            if not isinstance(ctx, dict):
                out.extend(super().resolve(active_ctx, [ctx], base, cycles))
                continue
            key = self._cache.key_of(ctx)
            resolved = self._get(key)
            if not resolved:
                resolved = ResolvedContext(ctx)
                self._cache_resolved_context(key, resolved, "static")
            out.append(resolved)
        return out


_CACHES: weakref.WeakKeyDictionary[Any, ContextCache] = weakref.WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()


def cache_for(loader: Any) -> ContextCache:
    """The cache belonging to ``loader`` (created on first use, dropped with the loader)."""
    with _CACHES_LOCK:
        try:
            cache = _CACHES.get(loader)
        except TypeError:  # not weak-referenceable: no sharing across calls
            return ContextCache()
        if cache is None:
            cache = ContextCache()
            _CACHES[loader] = cache
        return cache
