"""Offline JSON-LD document loaders (JSON-LD 1.1 API §9.4 LoadDocumentCallback).

:class:`StaticLoader` serves the contexts pidm bundles as package data — each pinned by the sha256
listed in ``contexts/contexts.json`` and checked when it is first read — plus contexts the caller
adds from local files or values. Any other URL is refused with ``UNKNOWN_CONTEXT``; nothing is ever
fetched (VC Data Integrity 1.0 §2.4.1 "Validating Contexts", §5.10 "Network Requests").

A loader is an immutable value: :meth:`StaticLoader.with_context` and
:meth:`StaticLoader.with_file` return a new loader, so processed contexts cached for one loader
stay valid for as long as it lives.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Protocol, TypedDict

from pidm.errors import MalformedValueError, UnknownContext, shorten

__all__ = [
    "DocumentLoader",
    "PinnedContext",
    "RemoteDocument",
    "StaticLoader",
    "bundled_contexts",
    "default_loader",
]

_MANIFEST = "contexts.json"
_MAX_CONTEXT_BYTES = 1_048_576


class RemoteDocument(TypedDict):
    """What a document loader returns (pyld's shape; ``tag`` = ``static`` lets it be cached)."""

    contextUrl: str | None
    documentUrl: str
    document: Any
    contentType: str
    tag: str


class DocumentLoader(Protocol):
    """pyld's synchronous loader interface; pidm loaders are offline by construction."""

    def __call__(self, url: str, options: Mapping[str, Any] | None = None) -> RemoteDocument: ...


@dataclass(frozen=True, slots=True)
class PinnedContext:
    """A bundled context: the URL it is served at, its file and its pinned sha256 (hex)."""

    url: str
    file: str
    sha256: str


def _contexts_dir() -> Any:
    return resources.files("pidm.jsonld").joinpath("contexts")


@cache
def bundled_contexts() -> tuple[PinnedContext, ...]:
    """Return the pinned contexts listed in the bundled manifest, in manifest order."""
    manifest = json.loads(_contexts_dir().joinpath(_MANIFEST).read_text(encoding="utf-8"))
    return tuple(
        PinnedContext(entry["url"], entry["file"], entry["sha256"])
        for entry in manifest
        if entry.get("url")
    )


@cache
def _load_bundled(url: str) -> Any:
    """Read, hash-check and parse one bundled context (once per process)."""
    pinned = next(p for p in bundled_contexts() if p.url == url)
    data = _contexts_dir().joinpath(pinned.file).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != pinned.sha256:
        raise UnknownContext(
            f"bundled context {url} does not match its pinned sha256 "
            f"(expected {pinned.sha256[:16]}…, got {digest[:16]}…)"
        )
    return json.loads(data)


def _parse_context(data: bytes, origin: str) -> Any:
    if len(data) > _MAX_CONTEXT_BYTES:
        raise MalformedValueError(f"context {shorten(origin)} is larger than 1 MiB")
    try:
        document = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise MalformedValueError(f"context {shorten(origin)} is not JSON: {exc}") from exc
    if not isinstance(document, dict) or "@context" not in document:
        raise MalformedValueError(f"context {shorten(origin)} has no top-level '@context'")
    return document


@dataclass(frozen=True, slots=True, eq=False, weakref_slot=True)
class StaticLoader:
    """Serve bundled and caller-supplied contexts by exact URL; refuse everything else.

    ``StaticLoader()`` serves the bundled contexts; ``StaticLoader(bundled=False)`` starts empty.
    Calling the loader with an unknown URL raises ``UNKNOWN_CONTEXT`` — never a fetch.
    """

    bundled: bool = True
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "extra", MappingProxyType(dict(self.extra)))

    def __call__(self, url: str, options: Mapping[str, Any] | None = None) -> RemoteDocument:
        document = self.document(url)
        return {
            "contextUrl": None,
            "documentUrl": url,
            "document": copy.deepcopy(document),
            "contentType": "application/ld+json",
            "tag": "static",
        }

    def document(self, url: str) -> Any:
        """Return the parsed context served at ``url`` (shared: do not mutate)."""
        if not isinstance(url, str):
            raise UnknownContext(f"context URL must be a string, got {shorten(url)}")
        if url in self.extra:
            return self.extra[url]
        if self.bundled and any(p.url == url for p in bundled_contexts()):
            return _load_bundled(url)
        raise UnknownContext(f"unknown JSON-LD context {shorten(url)} (remote contexts are "
                             f"never fetched; register a local copy)")

    @property
    def urls(self) -> frozenset[str]:
        """Every URL this loader serves."""
        bundled = {p.url for p in bundled_contexts()} if self.bundled else set()
        return frozenset(bundled | set(self.extra))

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self.urls))

    def with_context(self, url: str, document: Mapping[str, Any]) -> StaticLoader:
        """Return a loader that also serves ``document`` (a JSON object with ``@context``) at
        ``url``. A URL already served is refused, so a pinned context cannot be replaced."""
        if url in self.urls:
            raise MalformedValueError(f"context {shorten(url)} is already registered")
        data = json.dumps(document).encode()
        parsed = _parse_context(data, url)
        return StaticLoader(self.bundled, {**self.extra, url: parsed})

    def with_file(self, url: str, path: str | Path, *, sha256: str | None = None) -> StaticLoader:
        """Return a loader that also serves the JSON file at ``path`` at ``url``.

        With ``sha256`` (hex) the file must match it. Raises MALFORMED_VALUE_ERROR for an
        unreadable, non-JSON or mismatching file, or a URL already served.
        """
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise MalformedValueError(f"cannot read context file {str(path)!r}: "
                                      f"{exc.strerror}") from exc
        if sha256 is not None and hashlib.sha256(data).hexdigest() != sha256.lower():
            raise MalformedValueError(f"context file {str(path)!r} does not match its sha256")
        if url in self.urls:
            raise MalformedValueError(f"context {shorten(url)} is already registered")
        return StaticLoader(self.bundled, {**self.extra, url: _parse_context(data, str(path))})


@cache
def default_loader() -> StaticLoader:
    """The process-wide loader of the bundled contexts (one instance, so its cache is shared)."""
    return StaticLoader()
