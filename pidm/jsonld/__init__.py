"""JSON-LD for pidm: offline document loaders with pinned contexts, and safe-mode processing."""

from __future__ import annotations

from pidm.jsonld.loader import (
    DocumentLoader,
    PinnedContext,
    RemoteDocument,
    StaticLoader,
    bundled_contexts,
    default_loader,
)

__all__ = [
    "DocumentLoader",
    "PinnedContext",
    "RemoteDocument",
    "StaticLoader",
    "bundled_contexts",
    "default_loader",
]
