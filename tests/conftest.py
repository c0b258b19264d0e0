from __future__ import annotations

import os

import pytest


@pytest.fixture
def postgres_dsn() -> str:
    """DSN of the real PostgreSQL server; tests that need it fail (never skip) when it is absent."""
    return os.environ.get("PIDM_TEST_POSTGRES_DSN", "postgresql://root@127.0.0.1:5432/test")
