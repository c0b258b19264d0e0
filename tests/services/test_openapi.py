"""Each service's OpenAPI document is the one source of truth: every route is in it, everything
in it is a route, its references resolve, and the generated file under specs/openapi is current.
(That each service serves it at /openapi.json is tested with the service's own fixtures.)"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from aiohttp import web

import issuer.app
import issuer.config
import issuer.init
import issuer.openapi
import verifier.app
import verifier.config
import verifier.init
import verifier.openapi


@dataclass(frozen=True)
class Service:
    name: str
    init: Callable[..., Any]
    load_config: Callable[[Path], Any]
    create_app: Callable[[Any], web.Application]
    openapi: ModuleType
    routes: int
    head_allowed: bool  # aiohttp's implicit HEAD of a GET route, left undocumented


SERVICES = [
    Service("issuer", issuer.init.init_issuer, issuer.config.load_config, issuer.app.create_app,
            issuer.openapi, routes=17, head_allowed=True),
    Service("verifier", verifier.init.init_verifier, verifier.config.load_config,
            verifier.app.create_app, verifier.openapi, routes=11, head_allowed=False),
]


def _routes(app: web.Application, head_allowed: bool) -> set[tuple[str, str]]:
    out = set()
    for route in app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        path = info.get("path") or info.get("formatter")
        if not (head_allowed and route.method == "HEAD"):
            out.add((path, route.method.lower()))
    return out


def _documented(service: Service) -> set[tuple[str, str]]:
    doc = service.openapi.openapi_document()
    return {(path, method) for path, ops in doc["paths"].items() for method in ops}


@pytest.fixture(params=SERVICES, ids=lambda s: s.name)
def service(request: pytest.FixtureRequest) -> Service:
    return request.param  # type: ignore[no-any-return]


def test_every_route_is_documented_and_every_documented_path_is_routed(
    service: Service, tmp_path: Path
) -> None:
    result = service.init(tmp_path, public_url=f"https://{service.name}.example.com")
    routes = _routes(service.create_app(service.load_config(result.config_path)),
                     service.head_allowed)
    assert routes == _documented(service)
    assert len(routes) == service.routes


def test_spec_file_is_current_and_parses_as_json(service: Service) -> None:
    text = service.openapi.SPEC_FILE.read_text()
    assert text == service.openapi.render_spec_file(), f"run: python -m {service.name}.openapi"
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    assert json.loads(body)["openapi"] == "3.1.0"


def test_refs_resolve_and_every_schema_is_used(service: Service) -> None:
    doc = service.openapi.openapi_document()
    text = json.dumps(doc)
    for name in doc["components"]["schemas"]:
        assert f'"#/components/schemas/{name}"' in text, name
    for ref in set(part.split('"')[0] for part in text.split('"$ref": "')[1:]):
        assert ref.removeprefix("#/components/schemas/") in doc["components"]["schemas"]
