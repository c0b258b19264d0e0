"""What an embedding program injects through ``Deps`` is what the verifier uses."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import NoReturn

from pidm.clock import FixedClock
from pidm.errors import StatusRetrievalError
from pidm.status.client import CachedStatusListClient
from tests.services.issuer.helpers import T0, RunningIssuer
from tests.services.verifier.conftest import Held
from tests.services.verifier.helpers import Wallet, start_verifier
from tests.services.verifier.test_presentations import default_token, failed_codes, run
from verifier.app import Deps
from verifier.context import SERVICE_KEY


class EmptyStatusClient:
    """A status client with nothing cached yet (``len() == 0``, like a fresh
    CachedStatusListClient) that records what it is asked and cannot reach any list."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def __len__(self) -> int:
        return 0

    async def bitstring_list(self, url: str, *, now: datetime) -> NoReturn:
        self.asked.append(url)
        raise StatusRetrievalError("test client: unreachable")

    async def token_list(self, uri: str, *, now: datetime) -> NoReturn:
        self.asked.append(uri)
        raise StatusRetrievalError("test client: unreachable")


async def test_an_injected_status_client_with_an_empty_cache_is_used(
    tmp_path: Path, issuer: RunningIssuer, wallet: Wallet, age: Held, contact: Held
) -> None:
    client = EmptyStatusClient()
    verifier = await start_verifier(tmp_path / "verifier", trust=[issuer.config.did],
                                    deps=Deps(clock=FixedClock(T0), status_client=client))
    try:
        status, _, tx, _ = await run(verifier, wallet, default_token(age, contact, T0))
    finally:
        await verifier.stop()
    assert status == 400
    assert "STATUS_RETRIEVAL_ERROR" in failed_codes(tx)
    assert len(client.asked) == 2
    assert all(uri.startswith(issuer.url) for uri in client.asked)


async def test_the_configured_status_cache_bounds_and_download_limit_are_used(
    tmp_path: Path, issuer: RunningIssuer
) -> None:
    verifier = await start_verifier(tmp_path / "verifier", trust=[issuer.config.did], replace={
        "status_min_ttl = 30 ": "status_min_ttl = 5 ",
        "status_max_ttl = 86400 ": "status_max_ttl = 600 ",
        "max_download_bytes = 1048576": "max_download_bytes = 65536",
    })
    try:
        client = verifier.runner.app[SERVICE_KEY].status_client
        assert isinstance(client, CachedStatusListClient)
        assert (client.min_ttl, client.max_ttl) == (5, 600)
        assert client._fetcher.max_bytes == 65536  # type: ignore[attr-defined]
    finally:
        await verifier.stop()
