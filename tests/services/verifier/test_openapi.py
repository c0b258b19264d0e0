"""The verifier serves its OpenAPI document (the rest is in tests/services/test_openapi.py)."""

from __future__ import annotations

from tests.services.verifier.helpers import RunningVerifier
from verifier.openapi import openapi_document


async def test_served_at_openapi_json(verifier: RunningVerifier) -> None:
    status, body, _ = await verifier.call("GET", "/openapi.json")
    assert status == 200 and body == openapi_document()
