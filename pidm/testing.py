"""Test fakes that open no socket: a dict-backed :data:`~pidm.net.Fetcher` and the static
DID resolver. Usable from any test suite and from vector checks."""

from __future__ import annotations

from collections.abc import Mapping

from pidm.did.resolver import StaticResolver
from pidm.errors import FetchRefused, PayloadTooLarge, shorten
from pidm.net import Fetched

__all__ = ["DictFetcher", "StaticResolver"]


class DictFetcher:
    """Serve fixed bodies by exact URL; an unknown URL raises FETCH_REFUSED (status 404).

    ``max_bytes`` mirrors SafeFetcher's limit. ``requests`` records every URL asked for.
    """

    def __init__(
        self, mapping: Mapping[str, bytes | Fetched], *, max_bytes: int = 1_048_576
    ) -> None:
        self.mapping = dict(mapping)
        self.max_bytes = max_bytes
        self.requests: list[str] = []

    async def get(self, url: str) -> Fetched:
        self.requests.append(url)
        entry = self.mapping.get(url)
        if entry is None:
            raise FetchRefused(f"no such URL {shorten(url)}", detail={"reason": "status",
                                                                       "status": 404})
        fetched = entry if isinstance(entry, Fetched) else Fetched(url, entry, "", None)
        if len(fetched.body) > self.max_bytes:
            raise PayloadTooLarge(f"response from {shorten(url)} exceeds {self.max_bytes} bytes")
        return fetched

    async def __call__(self, url: str) -> bytes:
        return (await self.get(url)).body
