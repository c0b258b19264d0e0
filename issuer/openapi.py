"""The issuer's HTTP API as an OpenAPI 3.1 document — the single source of truth.

Served at ``/openapi.json``; ``python -m issuer.openapi`` regenerates
``specs/openapi/issuer.yaml`` (JSON is YAML 1.2, so no YAML library is needed) and a test checks
the file is current and that every route is documented.
"""

from __future__ import annotations

import json
import sys
from functools import cache
from pathlib import Path
from typing import Any

SPEC_FILE = Path(__file__).parents[1] / "specs" / "openapi" / "issuer.yaml"
_HEADER = "# Generated from issuer/openapi.py by `python -m issuer.openapi`; do not edit.\n"

_REF = "#/components/schemas/"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": _REF + name}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _oauth_errors(*codes: int) -> dict[str, Any]:
    return {
        str(c): _json(_ref("OAuthError"), "OAuth 2.0 / OpenID4VCI error object") for c in codes
    }


def _problems(*codes: int) -> dict[str, Any]:
    return {
        str(c): {
            "description": "RFC 9457 problem details with a stable pidm `code`",
            "content": {"application/problem+json": {"schema": _ref("Problem")}},
        }
        for c in codes
    }


def _op(
    summary: str,
    responses: dict[str, Any],
    *,
    tags: list[str],
    body: dict[str, Any] | None = None,
    params: list[dict[str, Any]] | None = None,
    admin: bool = False,
) -> dict[str, Any]:
    op: dict[str, Any] = {"summary": summary, "tags": tags, "responses": responses}
    if body is not None:
        op["requestBody"] = {"required": True, "content": body}
    if params:
        op["parameters"] = params
    if admin:
        op["security"] = [{"adminToken": []}]
    return op


def _path_param(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": {"type": "string"}}


_OBJ: dict[str, Any] = {"type": "object"}
_STR: dict[str, Any] = {"type": "string"}

_SCHEMAS: dict[str, Any] = {
    "OAuthError": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {"type": "string", "examples": ["invalid_grant", "invalid_proof"]},
            "error_description": _STR,
        },
    },
    "Problem": {
        "type": "object",
        "required": ["type", "code", "title", "status"],
        "properties": {
            "type": {"type": "string", "format": "uri"},
            "code": {"type": "string", "description": "stable pidm error code (specs/errors.md)"},
            "title": _STR,
            "status": {"type": "integer"},
            "detail": _STR,
        },
    },
    "CredentialOffer": {
        "type": "object",
        "description": "OpenID4VCI 1.0 §4.1.1 Credential Offer",
        "required": ["credential_issuer", "credential_configuration_ids", "grants"],
        "properties": {
            "credential_issuer": {"type": "string", "format": "uri"},
            "credential_configuration_ids": {"type": "array", "items": _STR, "minItems": 1},
            "grants": _OBJ,
        },
    },
    "OfferRequest": {
        "type": "object",
        "properties": {
            "credential_configuration_id": _STR,
            "credential_configuration_ids": {"type": "array", "items": _STR, "minItems": 1},
            "claims": {"type": "object", "description": "the subject's claims to issue"},
            "tx_code": {"type": "boolean", "default": False},
            "by_reference": {"type": "boolean", "default": False},
        },
        "required": ["claims"],
    },
    "OfferCreated": {
        "type": "object",
        "required": ["offer_id", "offer", "offer_uri", "expires_at"],
        "properties": {
            "offer_id": _STR,
            "offer": _ref("CredentialOffer"),
            "offer_uri": {"type": "string", "description": "openid-credential-offer:// URI"},
            "credential_offer_uri": {"type": "string", "format": "uri"},
            "tx_code": {"type": "string", "description": "send to the holder out of band"},
            "expires_at": {"type": "string", "format": "date-time"},
        },
    },
    "TokenRequest": {
        "type": "object",
        "required": ["grant_type", "pre-authorized_code"],
        "properties": {
            "grant_type": {"const": "urn:ietf:params:oauth:grant-type:pre-authorized_code"},
            "pre-authorized_code": _STR,
            "tx_code": _STR,
        },
    },
    "TokenResponse": {
        "type": "object",
        "required": ["access_token", "token_type", "expires_in"],
        "properties": {
            "access_token": _STR,
            "token_type": {"const": "Bearer"},
            "expires_in": {"type": "integer"},
        },
    },
    "NonceResponse": {
        "type": "object", "required": ["c_nonce"], "properties": {"c_nonce": _STR},
    },
    "CredentialRequest": {
        "type": "object",
        "description": "OpenID4VCI 1.0 §8.2; one proof per credential copy (batch)",
        "required": ["credential_configuration_id", "proofs"],
        "properties": {
            "credential_configuration_id": _STR,
            "proofs": {
                "type": "object",
                "required": ["jwt"],
                "properties": {"jwt": {"type": "array", "minItems": 1, "items": _STR}},
            },
        },
    },
    "CredentialResponse": {
        "type": "object",
        "required": ["credentials"],
        "properties": {
            "credentials": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["credential"],
                    "properties": {"credential": {"oneOf": [_STR, _OBJ]}},
                },
            },
        },
    },
    "CredentialRecord": {
        "type": "object",
        "properties": {
            "credential_id": _STR,
            "configuration_id": _STR,
            "format": _STR,
            "issued_at": {"type": "string", "format": "date-time"},
            "expires_at": {"type": ["string", "null"], "format": "date-time"},
            "holder_thumbprint": {"type": ["string", "null"]},
            "status": {"enum": ["valid", "suspended", "revoked"]},
            "status_list": {"type": ["object", "null"]},
        },
    },
    "CredentialList": {
        "type": "object",
        "properties": {
            "credentials": {"type": "array", "items": _ref("CredentialRecord")},
            "limit": {"type": "integer"},
            "offset": {"type": "integer"},
            "next_offset": {"type": ["integer", "null"]},
        },
    },
    "IssueRequest": {
        "type": "object",
        "required": ["credential"],
        "properties": {"credential": _OBJ, "options": _OBJ},
    },
}


def _oid4vci_paths() -> dict[str, Any]:
    tags = ["OpenID4VCI"]
    return {
        "/.well-known/openid-credential-issuer": {"get": _op(
            "Credential Issuer Metadata (OpenID4VCI §12.2)",
            {"200": _json(_OBJ, "metadata")}, tags=tags)},
        "/.well-known/oauth-authorization-server": {"get": _op(
            "Authorization Server Metadata (RFC 8414)",
            {"200": _json(_OBJ, "metadata")}, tags=tags)},
        "/offers/{offer_id}": {"get": _op(
            "Credential Offer by reference (credential_offer_uri)",
            {"200": _json(_ref("CredentialOffer"), "the offer"), **_oauth_errors(404)},
            tags=tags, params=[_path_param("offer_id", "offer id")])},
        "/token": {"post": _op(
            "Token endpoint, pre-authorized code grant (OpenID4VCI §6)",
            {"200": _json(_ref("TokenResponse"), "access token"), **_oauth_errors(400)},
            tags=tags,
            body={"application/x-www-form-urlencoded": {"schema": _ref("TokenRequest")}})},
        "/nonce": {"post": _op(
            "Nonce endpoint: a fresh single-use c_nonce (OpenID4VCI §7)",
            {"200": _json(_ref("NonceResponse"), "c_nonce")}, tags=tags)},
        "/credential": {"post": _op(
            "Credential endpoint (OpenID4VCI §8); Bearer access token; batch via proofs.jwt",
            {"200": _json(_ref("CredentialResponse"), "issued credentials"),
             **_oauth_errors(400, 401, 413)},
            tags=tags,
            body={"application/json": {"schema": _ref("CredentialRequest")}})},
    }


def _admin_paths() -> dict[str, Any]:
    tags = ["admin"]
    paths: dict[str, Any] = {
        "/admin/offers": {"post": _op(
            "Create a credential offer (pre-authorized code, optional tx_code)",
            {"201": _json(_ref("OfferCreated"), "the offer"), **_problems(400, 401, 413)},
            tags=tags, admin=True,
            body={"application/json": {"schema": _ref("OfferRequest")}})},
        "/admin/credentials": {"get": _op(
            "List issued credential records (bookkeeping only, no claims), newest first",
            {"200": _json(_ref("CredentialList"), "records"), **_problems(400, 401)},
            tags=tags, admin=True, params=[
                {"name": n, "in": "query", "required": False, "schema": s}
                for n, s in (("limit", {"type": "integer", "minimum": 1, "maximum": 500}),
                             ("offset", {"type": "integer", "minimum": 0}),
                             ("status", {"enum": ["valid", "suspended", "revoked"]}),
                             ("holder", {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,128}$",
                                         "description": "JWK SHA-256 thumbprint (RFC 7638)"}))
            ])},
    }
    for action in ("revoke", "suspend", "reinstate"):
        paths[f"/admin/credentials/{{credential_id}}/{action}"] = {"post": _op(
            f"{action.capitalize()} a credential and republish its status list",
            {"200": _json(_ref("CredentialRecord"), "updated record"),
             **_problems(401, 404, 409)},
            tags=tags, admin=True, params=[_path_param("credential_id", "credential id")])}
    paths["/credentials/issue"] = {"post": _op(
        "VC API: sign a VCDM 2.0 credential (eddsa-rdfc-2022) with status entries",
        {"201": _json({"type": "object", "properties": {"verifiableCredential": _OBJ}},
                      "signed credential"), **_problems(400, 401, 413)},
        tags=["VC API"], admin=True,
        body={"application/json": {"schema": _ref("IssueRequest")}})}
    return paths


def _published_paths() -> dict[str, Any]:
    list_param = [_path_param("list_id", "status list id")]
    return {
        "/status/bitstring/{list_id}": {"get": _op(
            "BitstringStatusListCredential (signed, eddsa-rdfc-2022); Cache-Control max-age=TTL",
            {"200": _json(_OBJ, "status list credential"), **_problems(404)},
            tags=["status"], params=list_param)},
        "/status/token/{list_id}": {"get": _op(
            "Token Status List (statuslist+jwt); Cache-Control max-age=TTL",
            {"200": {"description": "status list token",
                     "content": {"application/statuslist+jwt": {"schema": _STR}}},
             **_problems(404)},
            tags=["status"], params=list_param)},
        "/.well-known/did.json": {"get": _op(
            "The issuer's did:web document (only when the issuer DID is a did:web)",
            {"200": {"description": "DID document",
                     "content": {"application/did+json": {"schema": _OBJ}}}},
            tags=["status"])},
        "/openapi.json": {"get": _op(
            "This document", {"200": _json(_OBJ, "OpenAPI 3.1")}, tags=["meta"])},
        "/health": {"get": _op(
            "Readiness: the store answers", {"200": _json(_OBJ, "ok"), **_problems(503)},
            tags=["meta"])},
    }


@cache
def _document() -> str:
    doc = {
        "openapi": "3.1.0",
        "info": {
            "title": "pidm issuer",
            "version": "0.1.0",
            "description": (
                "OpenID4VCI 1.0 pre-authorized code flow (dc+sd-jwt and ldp_vc), status list "
                "publishing, revocation admin and a VC API style issue endpoint. OpenID4VCI "
                "endpoints answer errors as OAuth error objects; all others as RFC 9457 problem "
                "details carrying a stable pidm `code`."
            ),
        },
        "paths": {**_oid4vci_paths(), **_admin_paths(), **_published_paths()},
        "components": {
            "schemas": _SCHEMAS,
            "securitySchemes": {"adminToken": {"type": "http", "scheme": "bearer"}},
        },
    }
    return json.dumps(doc, indent=2, sort_keys=False)


def openapi_document() -> dict[str, Any]:
    """A fresh copy of the OpenAPI document."""
    result: dict[str, Any] = json.loads(_document())
    return result


def render_spec_file() -> str:
    """The text of ``specs/openapi/issuer.yaml``."""
    return _HEADER + _document() + "\n"


if __name__ == "__main__":  # pragma: no cover
    SPEC_FILE.write_text(render_spec_file())
    sys.stdout.write(f"wrote {SPEC_FILE}\n")
