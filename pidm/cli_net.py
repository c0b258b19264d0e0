"""The DID resolver of the ``pidm`` verify commands: cached for the command, with one time
budget for all its did:web fetches.

Each fetch is bounded by :class:`pidm.net.SafeFetcher`'s timeout, but a presentation can name
any number of did:web keys (one per credential, one per proof): N slow hosts cost N timeouts.
:class:`BudgetFetcher` gives the whole command ``budget`` seconds of fetching; past it every
fetch is FETCH_REFUSED at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from time import monotonic

from pidm.did.resolver import CachingResolver, MethodRouter
from pidm.errors import FetchRefused, shorten
from pidm.net import Fetcher, SafeFetcher

__all__ = ["FETCH_BUDGET", "BudgetFetcher", "cli_resolver"]

#: Seconds one command may spend fetching did:web documents, all fetches together.
FETCH_BUDGET = 10.0  # as long as one SafeFetcher timeout: N slow hosts cost no more than one


class BudgetFetcher:
    """A :data:`~pidm.net.Fetcher` that stops ``inner`` once ``budget`` seconds (measured by
    ``timer`` from construction) are spent."""

    def __init__(self, inner: Fetcher, budget: float = FETCH_BUDGET, *,
                 timer: Callable[[], float] = monotonic) -> None:
        self._inner = inner
        self._budget = budget
        self._timer = timer
        self._deadline = timer() + budget

    async def __call__(self, url: str) -> bytes:
        remaining = self._deadline - self._timer()
        if remaining <= 0:
            raise self._spent(url)
        try:
            async with asyncio.timeout(remaining):
                return await self._inner(url)
        except TimeoutError as exc:
            raise self._spent(url) from exc

    def _spent(self, url: str) -> FetchRefused:
        return FetchRefused(f"not fetching {shorten(url)}: this command's did:web fetches used "
                            f"up their {self._budget:g}s", detail={"reason": "timeout"})


def cli_resolver(*, allow_private: bool, allow_http: bool,
                 budget: float = FETCH_BUDGET) -> CachingResolver:
    """did:key, did:jwk and did:web (https unless ``allow_http``), each DID resolved once."""
    fetcher = BudgetFetcher(SafeFetcher(allow_private=allow_private, allow_http=allow_http),
                            budget)
    return CachingResolver(MethodRouter(fetcher, web_scheme="http" if allow_http else "https"))
