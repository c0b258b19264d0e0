"""The OpenAPI document is the one source of truth: every route is in it, everything in it is a
route, the served copy is the generated file's, and the file is current."""

from __future__ import annotations

import json
from pathlib import Path

from aiohttp import web

from tests.services.verifier.helpers import RunningVerifier
from verifier.app import create_app
from verifier.config import load_config
from verifier.init import init_verifier
from verifier.openapi import SPEC_FILE, openapi_document, render_spec_file


def _routes(app: web.Application) -> set[tuple[str, str]]:
    out = set()
    for route in app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        path = info.get("path") or info.get("formatter")
        out.add((path, route.method.lower()))
    return out


def _documented() -> set[tuple[str, str]]:
    doc = openapi_document()
    return {(path, method) for path, ops in doc["paths"].items() for method in ops}


def test_every_route_is_documented_and_every_documented_path_is_routed(tmp_path: Path) -> None:
    result = init_verifier(tmp_path, public_url="https://shop.example.com")
    routes = _routes(create_app(load_config(result.config_path)))
    assert routes == _documented()
    assert len(routes) == 11


def test_spec_file_is_current_and_parses_as_json() -> None:
    text = SPEC_FILE.read_text()
    assert text == render_spec_file(), "run: python -m verifier.openapi"
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    assert json.loads(body)["openapi"] == "3.1.0"


def test_refs_resolve() -> None:
    doc = openapi_document()
    text = json.dumps(doc)
    for ref in set(part.split('"')[0] for part in text.split('"$ref": "')[1:]):
        assert ref.removeprefix("#/components/schemas/") in doc["components"]["schemas"]


async def test_served_at_openapi_json(verifier: RunningVerifier) -> None:
    status, body, _ = await verifier.call("GET", "/openapi.json")
    assert status == 200 and body == openapi_document()
