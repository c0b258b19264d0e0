"""Issuer service fixtures: a real server on 127.0.0.1 for each backend. The PostgreSQL run
uses the real server (``postgres_dsn``) in a fresh schema that is dropped afterwards; a missing
server makes those tests fail, never skip."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.services.conftest import schema_dsn
from tests.services.issuer.helpers import RunningIssuer, start_issuer


@pytest.fixture(params=["sqlite", "postgres"])
async def store_target(
    request: pytest.FixtureRequest, postgres_dsn: str
) -> AsyncIterator[str]:
    """The ``issuer.store`` value: a SQLite file next to the config, or a DSN in a fresh schema."""
    if request.param == "sqlite":
        yield "issuer.db"
        return
    async with schema_dsn(postgres_dsn, "issuer") as dsn:
        yield dsn


@pytest.fixture
async def issuer(store_target: str, tmp_path: Path) -> AsyncIterator[RunningIssuer]:
    running = await start_issuer(tmp_path / "issuer", store=store_target)
    try:
        yield running
    finally:
        await running.session.close()
        await running.stop()


@pytest.fixture
async def sqlite_issuer(tmp_path: Path) -> AsyncIterator[RunningIssuer]:
    """One SQLite-backed issuer (hostile-input tests need no second backend)."""
    running = await start_issuer(tmp_path / "issuer", store="issuer.db")
    try:
        yield running
    finally:
        await running.session.close()
        await running.stop()
