"""The issuer serves its OpenAPI document (the rest is in tests/services/test_openapi.py)."""

from __future__ import annotations

from pathlib import Path

from issuer.openapi import openapi_document
from tests.services.issuer.helpers import RunningIssuer, start_issuer


async def test_served_at_openapi_json(sqlite_issuer: RunningIssuer) -> None:
    status, body, _ = await sqlite_issuer.json("GET", "/openapi.json")
    assert status == 200 and body == openapi_document()


def _documented_media(path: str, status: int) -> set[str]:
    response = openapi_document()["paths"][path]["get"]["responses"][str(status)]
    return set(response["content"])


async def test_status_list_is_served_with_its_documented_media_type(
    sqlite_issuer: RunningIssuer,
) -> None:
    unsigned = {"@context": ["https://www.w3.org/ns/credentials/v2"],
                "type": ["VerifiableCredential"], "credentialSubject": {"name": "x"}}
    status, body, _ = await sqlite_issuer.json(
        "POST", "/credentials/issue", {"credential": unsigned}, admin=True)
    assert status == 201, body
    url = body["verifiableCredential"]["credentialStatus"][0]["statusListCredential"]
    status, _, headers = await sqlite_issuer.json("GET", url.removeprefix(sqlite_issuer.url))
    assert status == 200
    assert _documented_media("/status/bitstring/{list_id}", 200) == {headers["Content-Type"]}


async def test_did_json_of_a_did_key_issuer_is_a_documented_404(tmp_path: Path) -> None:
    running = await start_issuer(tmp_path / "issuer", store="issuer.db", did_method="key")
    try:
        status, body, headers = await running.json("GET", "/.well-known/did.json")
    finally:
        await running.session.close()
        await running.stop()
    assert (status, body["code"]) == (404, "NOT_FOUND")
    assert _documented_media("/.well-known/did.json", 404) == {headers["Content-Type"]}
