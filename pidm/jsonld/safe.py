"""JSON-LD expansion and RDF conversion in "safe mode", over pyld.

VC Data Integrity 1.0 §2.6 ("Securing Data Losslessly") requires that any JSON-LD processing
that silently drops data raise ``DATA_LOSS_DETECTION_ERROR``, and that the base URL be null when
deserializing to RDF. pyld 3.3.0 does neither: it drops undefined terms, free-floating values and
relative IRIs without a word and resolves relative IRIs against an invented base
(``http://example.org/base/``). :class:`SafeProcessor` subclasses pyld's processor and closes
those gaps (the event list follows jsonld.js's safe mode):

* a term that expands to nothing (undefined, ``null``-mapped, keyword-like) → data loss;
* a value pyld drops during expansion (``null``, free-floating scalars, ``@value: null``,
  objects with only ``@language``, top-level nodes with only ``@id``) → data loss;
* with a null base, a relative ``@id``/``@type``/property/datatype IRI, a blank-node predicate,
  an ill-formed language tag or a ``@direction`` (lost without ``rdfDirection``) → data loss.

Documents are bounded before pyld sees them (depth and node count), and every pyld failure is
turned into a coded PidmError. Contexts come only from the injected loader, cached per loader
(:mod:`pidm.jsonld.cache`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from frozendict import frozendict
from pyld.jsonld import JsonLdError, JsonLdProcessor

from pidm.errors import (
    CanonicalizationLimit,
    DataLossDetected,
    MalformedValueError,
    PayloadTooLarge,
    PidmError,
    shorten,
)
from pidm.jsonld.cache import ContextCache, cache_for
from pidm.jsonld.loader import DocumentLoader, default_loader

__all__ = ["MAX_DEPTH", "MAX_NODES", "MAX_NODE_MAP_WORK", "SafeProcessor", "expand", "to_rdf"]

#: Nesting and size bounds for documents handed to the JSON-LD processor.
MAX_DEPTH = 64
MAX_NODES = 200_000
#: Bound on pyld's node-map work before RDF conversion: pyld de-duplicates each value against
#: every value already on the same subject and property, so n values there cost n² comparisons
#: (25,000 names on one subject run for minutes). The sum of n² over (subject, property) pairs
#: must stay under this (a few hundred milliseconds).
MAX_NODE_MAP_WORK = 1_000_000

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
#: Characters an N-Quads IRIREF cannot hold, and Unicode white space (which pyld takes as "not an
#: absolute IRI"): pyld silently drops a node or quad whose IRI has one.
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]|\s')
_BCP47 = re.compile(r"^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$")
_NODE_KEYWORDS = frozenset({"@id", "@type", "@index", "@graph", "@included", "@reverse"})

Dataset = dict[str, list[dict[str, Any]]]


class _Loss(Exception):
    """Raised inside pyld callbacks; carried out through pyld's exception wrapping."""

    def __init__(self, error: PidmError) -> None:
        super().__init__(str(error))
        self.error = error


def _loss(message: str) -> _Loss:
    return _Loss(DataLossDetected(message))


class SafeProcessor(JsonLdProcessor):  # type: ignore[misc]
    """pyld's processor with data-loss detection and per-loader context caching."""

    def __init__(self, cache: ContextCache) -> None:
        super().__init__(on_property_dropped=self._dropped)
        self._context_cache = cache
        self._for_rdf = False

    @staticmethod
    def _dropped(expanded: str | None) -> None:
        what = "a term with no definition" if expanded is None else shorten(expanded)
        raise _loss(f"a property expands to {what} and would be dropped (undefined term)")

    def _expand(self, active_ctx: Any, active_property: Any, element: Any, options: Any,
                *args: Any, **kwargs: Any) -> Any:
        result = super()._expand(active_ctx, active_property, element, options, *args, **kwargs)
        if result is None and (element is not None or active_property is not None):
            raise _loss(f"value {shorten(element)} of {shorten(active_property)} would be "
                        f"dropped by JSON-LD expansion")
        return result

    def _process_context(self, active_ctx: Any, local_ctx: Any, options: Any,
                         override_protected: bool = False, propagate: bool = True,
                         validate_scoped: bool = True, cycles: Any = None) -> Any:
        def compute() -> Any:
            return super(SafeProcessor, self)._process_context(
                active_ctx, local_ctx, options, override_protected, propagate,
                validate_scoped, cycles)

        if cycles:
            return compute()
        flags = (override_protected, propagate, validate_scoped)
        return self._context_cache.process(active_ctx, local_ctx, flags, compute)

    def _expand_iri(self, active_ctx: Any, value: Any, base: Any = None, vocab: Any = False,
                    local_ctx: Any = None, defined: Any = None) -> Any:
        # Outside context processing this is a pure function of a frozen active context: memoize
        # it per loader (pyld calls it for every key and most values).
        if (local_ctx is None and defined is None and type(value) is str
                and isinstance(active_ctx, frozendict) and (base is None or type(base) is str)):
            return self._context_cache.expand_iri(
                active_ctx, value, base, bool(vocab),
                lambda: super(SafeProcessor, self)._expand_iri(active_ctx, value, base, vocab))
        return super()._expand_iri(active_ctx, value, base, vocab, local_ctx, defined)

    def _graph_to_rdf(self, graph: Any, issuer: Any, options: Any) -> Any:
        # pyld skips a quad whose subject or predicate is not an absolute IRI; refuse instead.
        for id_, node in graph.items():
            if not id_.startswith("_:"):
                _check_iri(id_, "subject", blank_ok=False)
            for prop in node:
                if not prop.startswith("@"):
                    _check_iri(prop, "property", blank_ok=False)
        return super()._graph_to_rdf(graph, issuer, options)

    def _object_to_rdf(self, item: Any, issuer: Any, triples: Any, options: Any) -> Any:
        result = super()._object_to_rdf(item, issuer, triples, options)
        if result is None:
            raise _loss(f"object {shorten(item)} is not an absolute IRI and would be dropped")
        return result

    def to_rdf(self, input_: Any, options: Any) -> Any:
        self._for_rdf = True
        return super().to_rdf(input_, options)

    def expand(self, input_: Any, options: Any) -> Any:
        expanded = super().expand(input_, options)
        for node in expanded:
            _check_node(node)
        if self._for_rdf:
            _check_node_map_work(expanded)
        return expanded


# --- checks on the expanded form ---------------------------------------------------------------
def _check_iri(value: Any, what: str, *, blank_ok: bool) -> None:
    if not isinstance(value, str):
        raise _loss(f"{what} {shorten(value)} is not an IRI")
    if value.startswith("_:"):
        if blank_ok:
            return
        raise _loss(f"{what} {shorten(value)} is a blank node and would be dropped")
    if not _SCHEME.match(value):
        raise _loss(f"{what} {shorten(value)} is a relative IRI (the base is null)")
    if _IRI_FORBIDDEN.search(value):
        raise _loss(f"{what} {shorten(value)} contains a character no IRI may hold (white space, "
                    f"control, <>\"{{}}|^`\\) and would be dropped")


def _check_node(node: Any) -> None:
    if not isinstance(node, dict):
        raise _loss(f"free-floating value {shorten(node)} would be dropped")
    if "@value" in node:
        _check_value(node)
        return
    if "@list" in node:
        for item in node["@list"]:
            _check_node(item)
        return
    if "@set" in node:
        for item in node["@set"]:
            _check_node(item)
        return
    if "@id" in node:
        _check_iri(node["@id"], "'@id'", blank_ok=True)
    for type_ in node.get("@type", ()):
        _check_iri(type_, "'@type'", blank_ok=True)
    for key in ("@graph", "@included"):
        for item in node.get(key, ()):
            _check_node(item)
    for prop, values in node.get("@reverse", {}).items():
        _check_iri(prop, "reverse property", blank_ok=False)
        for item in values:
            _check_node(item)
    for prop, values in node.items():
        if prop in _NODE_KEYWORDS:
            continue
        _check_iri(prop, "property", blank_ok=False)
        for item in values:
            _check_node(item)


def _check_value(node: dict[str, Any]) -> None:
    if "@direction" in node:
        raise _loss(f"'@direction' of {shorten(node['@value'])} would be dropped")
    if "@language" in node and not _BCP47.fullmatch(str(node["@language"])):
        raise _loss(f"'@language' {shorten(node['@language'])} is not a BCP 47 tag")
    datatype = node.get("@type")
    if datatype is not None and datatype != "@json":
        _check_iri(datatype, "datatype", blank_ok=False)


def _check_node_map_work(expanded: list[Any]) -> None:
    """Refuse expanded input whose node map pyld would build in quadratic time."""
    counts: dict[tuple[Any, str], int] = {}
    stack: list[Any] = list(expanded)
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
            continue
        if not isinstance(item, dict) or "@value" in item:
            continue
        if "@list" in item or "@set" in item:
            stack.extend(item.get("@list", ()))
            stack.extend(item.get("@set", ()))
            continue
        subject = item.get("@id", id(item))
        for prop, values in item.items():
            if prop == "@reverse":  # each value gets ``subject`` on the reverse property
                for reverse_prop, targets in values.items():
                    for target in targets:
                        if not isinstance(target, dict):
                            continue
                        key = (target.get("@id", id(target)), reverse_prop)
                        counts[key] = counts.get(key, 0) + 1
                    stack.extend(targets)
                continue
            if prop in ("@graph", "@included"):
                stack.extend(values)
                continue
            if prop.startswith("@") and prop != "@type":
                continue
            key = (subject, prop)
            counts[key] = counts.get(key, 0) + len(values)
            if prop != "@type":
                stack.extend(values)
    work = sum(n * n for n in counts.values())
    if work > MAX_NODE_MAP_WORK:
        worst = max(counts.values())
        raise CanonicalizationLimit(
            f"document puts up to {worst} values on one property of one node; converting it "
            f"to RDF needs more than {MAX_NODE_MAP_WORK} comparisons")


# --- bounds and error translation --------------------------------------------------------------
def _check_bounds(document: Any) -> None:
    """Refuse documents nested deeper than MAX_DEPTH or with more than MAX_NODES values."""
    count = 0
    stack: list[tuple[Any, int]] = [(document, 0)]
    while stack:
        value, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise PayloadTooLarge(f"document has more than {MAX_NODES} JSON values")
        if depth > MAX_DEPTH:
            raise MalformedValueError(f"document is nested deeper than {MAX_DEPTH} levels")
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)


def _coded(exc: BaseException) -> PidmError:
    """Find the PidmError behind a pyld exception chain, or describe the pyld failure."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, _Loss):
            return seen.error
        if isinstance(seen, PidmError):
            return seen
        seen = seen.__cause__ or seen.__context__
    detail = getattr(exc, "code", None) or type(exc).__name__
    root: BaseException = exc
    while root.__cause__ is not None:
        root = root.__cause__
    return MalformedValueError(f"not valid JSON-LD ({detail}): {shorten(str(root), 160)}")


def _run(method: str, document: Any, loader: DocumentLoader | None, extra: Mapping[str, Any],
         ) -> Any:
    if not isinstance(document, dict):
        raise MalformedValueError("a JSON-LD document must be a JSON object")
    _check_bounds(document)
    loader = loader if loader is not None else default_loader()
    cache = cache_for(loader)
    options = {
        "base": None,
        "documentLoader": loader,
        "contextResolver": cache.resolver(loader),
        "processingMode": "json-ld-1.1",
        "extractAllScripts": False,
        **extra,
    }
    processor = SafeProcessor(cache)
    try:
        return getattr(processor, method)(document, options)
    except (JsonLdError, _Loss, PidmError, TypeError, ValueError, KeyError, AttributeError,
            IndexError, RecursionError) as exc:
        raise _coded(exc) from None


def expand(document: Mapping[str, Any], *, loader: DocumentLoader | None = None,
           ) -> list[dict[str, Any]]:
    """Expand ``document`` with a null base, contexts only from ``loader``.

    Raises DATA_LOSS_DETECTION_ERROR, UNKNOWN_CONTEXT, MALFORMED_VALUE_ERROR (not JSON-LD, too
    deep) or PAYLOAD_TOO_LARGE.
    """
    result: list[dict[str, Any]] = _run("expand", document, loader, {})
    return result


def to_rdf(document: Mapping[str, Any], *, loader: DocumentLoader | None = None) -> Dataset:
    """Convert ``document`` to an RDF dataset (pyld's dataset shape) in safe mode.

    Raises as :func:`expand`.
    """
    options = {"produceGeneralizedRdf": False, "rdfDirection": None}
    result: Dataset = _run("to_rdf", document, loader, options)
    return result
