"""Building blocks of the services' OpenAPI 3.1 documents (``issuer.openapi``,
``verifier.openapi``): references, JSON bodies, the error responses both services give (RFC 9457
problem details, OAuth error objects) and operations."""

from __future__ import annotations

import json
from typing import Any

REF = "#/components/schemas/"
OBJ: dict[str, Any] = {"type": "object"}
STR: dict[str, Any] = {"type": "string"}

#: The ``Problem`` schema: what :meth:`pidm.errors.PidmError.to_problem` produces.
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "code", "title", "status"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "code": {"type": "string", "description": "stable pidm error code (specs/errors.md)"},
        "title": STR,
        "status": {"type": "integer"},
        "detail": STR,
    },
}


def ref(name: str) -> dict[str, str]:
    """A reference to ``#/components/schemas/<name>``."""
    return {"$ref": REF + name}


def json_body(schema: dict[str, Any], description: str) -> dict[str, Any]:
    """A response (or body) of ``application/json`` with ``schema``."""
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def oauth_errors(description: str, *codes: int) -> dict[str, Any]:
    """The responses ``codes`` as OAuth error objects (schema ``OAuthError``)."""
    return {str(c): json_body(ref("OAuthError"), description) for c in codes}


def problems(*codes: int) -> dict[str, Any]:
    """The responses ``codes`` as RFC 9457 problem details (schema ``Problem``)."""
    return {
        str(c): {
            "description": "RFC 9457 problem details with a stable pidm `code`",
            "content": {"application/problem+json": {"schema": ref("Problem")}},
        }
        for c in codes
    }


def op(
    summary: str,
    responses: dict[str, Any],
    *,
    tags: list[str],
    body: dict[str, Any] | None = None,
    params: list[dict[str, Any]] | None = None,
    admin: bool = False,
) -> dict[str, Any]:
    """An operation; ``admin`` ones require the ``adminToken`` bearer scheme."""
    out: dict[str, Any] = {"summary": summary, "tags": tags, "responses": responses}
    if body is not None:
        out["requestBody"] = {"required": True, "content": body}
    if params:
        out["parameters"] = params
    if admin:
        out["security"] = [{"adminToken": []}]
    return out


def path_param(name: str, description: str) -> dict[str, Any]:
    """A required string path parameter."""
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": {"type": "string"}}


def render(doc: dict[str, Any]) -> str:
    """The document as the JSON text served and written to ``specs/openapi/`` (YAML 1.2)."""
    return json.dumps(doc, indent=2)


def document(
    *,
    title: str,
    description: str,
    paths: dict[str, Any],
    schemas: dict[str, Any],
    webhooks: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An OpenAPI 3.1 document whose admin operations use the ``adminToken`` bearer scheme."""
    doc: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": title, "version": "0.1.0", "description": description},
        "paths": paths,
    }
    if webhooks is not None:
        doc["webhooks"] = webhooks
    doc["components"] = {
        "schemas": schemas,
        "securitySchemes": {"adminToken": {"type": "http", "scheme": "bearer"}},
    }
    return doc
