"""The issuer serves its OpenAPI document (the rest is in tests/services/test_openapi.py)."""

from __future__ import annotations

from issuer.openapi import openapi_document
from tests.services.issuer.helpers import RunningIssuer


async def test_served_at_openapi_json(sqlite_issuer: RunningIssuer) -> None:
    status, body, _ = await sqlite_issuer.json("GET", "/openapi.json")
    assert status == 200 and body == openapi_document()
