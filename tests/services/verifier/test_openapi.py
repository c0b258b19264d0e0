"""The verifier serves its OpenAPI document (the rest is in tests/services/test_openapi.py)."""

from __future__ import annotations

from collections.abc import Mapping

from tests.services.verifier.helpers import RunningVerifier
from verifier.openapi import openapi_document


async def test_served_at_openapi_json(verifier: RunningVerifier) -> None:
    status, body, _ = await verifier.call("GET", "/openapi.json")
    assert status == 200 and body == openapi_document()


def _media(headers: Mapping[str, str]) -> str:
    return headers["Content-Type"].split(";")[0]


async def test_verify_endpoints_document_both_400_answers(verifier: RunningVerifier) -> None:
    """A body that is not JSON is a problem; a credential that is not valid, a result."""
    doc = openapi_document()
    for path, member in (("/credentials/verify", "verifiableCredential"),
                         ("/presentations/verify", "verifiablePresentation")):
        media = doc["paths"][path]["post"]["responses"]["400"]["content"]
        status, body, headers = await verifier.call("POST", path, admin=True, data=b"x")
        assert (status, body["code"]) == (400, "PARSING_ERROR")
        assert _media(headers) == "application/problem+json" and _media(headers) in media
        status, body, headers = await verifier.call("POST", path, {member: "x"}, admin=True)
        assert (status, body["valid"]) == (400, False)
        assert _media(headers) == "application/json" and _media(headers) in media
