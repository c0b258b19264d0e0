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

from service_kit import openapi as kit

SPEC_FILE = Path(__file__).parents[1] / "specs" / "openapi" / "issuer.yaml"
_HEADER = "# Generated from issuer/openapi.py by `python -m issuer.openapi`; do not edit.\n"


def _oauth_errors(*codes: int) -> dict[str, Any]:
    return kit.oauth_errors("OAuth 2.0 / OpenID4VCI error object", *codes)


#: A credential configuration id; which ones exist is the issuer's configuration (its metadata's
#: ``credential_configurations_supported``), so an unknown one is a 400 the schema cannot rule out.
_CONFIG_ID: dict[str, Any] = {"type": "string", "minLength": 1}




_SCHEMAS: dict[str, Any] = {
    "OAuthError": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {"type": "string", "examples": ["invalid_grant", "invalid_proof"]},
            "error_description": kit.STR,
        },
    },
    "Problem": kit.PROBLEM_SCHEMA,
    "CredentialOffer": {
        "type": "object",
        "description": "OpenID4VCI 1.0 §4.1.1 Credential Offer",
        "required": ["credential_issuer", "credential_configuration_ids", "grants"],
        "properties": {
            "credential_issuer": {"type": "string", "format": "uri"},
            "credential_configuration_ids": {"type": "array", "items": kit.STR, "minItems": 1},
            "grants": kit.OBJ,
        },
    },
    "OfferRequest": {
        "type": "object",
        "properties": {
            "credential_configuration_id": _CONFIG_ID,
            "credential_configuration_ids": {"type": "array", "items": _CONFIG_ID, "minItems": 1,
                                             "maxItems": 16, "uniqueItems": True},
            "claims": {"type": "object", "description": "the subject's claims to issue"},
            "tx_code": {"type": "boolean", "default": False},
            "by_reference": {"type": "boolean", "default": False},
        },
        "required": ["claims"],
        "anyOf": [{"required": ["credential_configuration_ids"]},
                  {"required": ["credential_configuration_id"]}],
    },
    "OfferCreated": {
        "type": "object",
        "required": ["offer_id", "offer", "offer_uri", "expires_at"],
        "properties": {
            "offer_id": kit.STR,
            "offer": kit.ref("CredentialOffer"),
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
            "pre-authorized_code": {"type": "string", "minLength": 1, "maxLength": 4096},
            "tx_code": {"type": "string", "minLength": 1, "maxLength": 64},
            "client_id": {"type": "string", "minLength": 1, "maxLength": 512},
        },
    },
    "TokenResponse": {
        "type": "object",
        "required": ["access_token", "token_type", "expires_in"],
        "properties": {
            "access_token": kit.STR,
            "token_type": {"const": "Bearer"},
            "expires_in": {"type": "integer"},
        },
    },
    "NonceResponse": {
        "type": "object", "required": ["c_nonce"], "properties": {"c_nonce": kit.STR},
    },
    "CredentialRequest": {
        "type": "object",
        "description": "OpenID4VCI 1.0 §8.2; one proof per credential copy (batch)",
        "required": ["credential_configuration_id", "proofs"],
        "properties": {
            "credential_configuration_id": {**_CONFIG_ID, "maxLength": 256},
            "proofs": {
                "type": "object",
                "required": ["jwt"],
                "properties": {"jwt": {
                    "type": "array", "minItems": 1,
                    "description": "at most the issuer's batch_size (its metadata's "
                                   "batch_credential_issuance.batch_size)",
                    "items": {"type": "string", "minLength": 1, "maxLength": 16384}}},
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
                    "properties": {"credential": {"oneOf": [kit.STR, kit.OBJ]}},
                },
            },
        },
    },
    "CredentialRecord": {
        "type": "object",
        "properties": {
            "credential_id": kit.STR,
            "configuration_id": kit.STR,
            "format": kit.STR,
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
            "credentials": {"type": "array", "items": kit.ref("CredentialRecord")},
            "limit": {"type": "integer"},
            "offset": {"type": "integer"},
            "next_offset": {"type": ["integer", "null"]},
        },
    },
    "IssueRequest": {
        "type": "object",
        "required": ["credential"],
        "properties": {
            "credential": {
                "type": "object",
                "description": "an unsecured VCDM 2.0 credential; the issuer sets `issuer` (any "
                               "given must be its own DID), `id` and `validFrom` when absent, "
                               "and refuses `proof` and `credentialStatus`",
                "required": ["@context", "type", "credentialSubject"],
                "properties": {
                    "@context": {"type": "array", "minItems": 1,
                                 "prefixItems": [{"const": "https://www.w3.org/ns/credentials/v2"}]},
                    "type": {"oneOf": [
                        {"const": "VerifiableCredential"},
                        {"type": "array", "items": {"type": "string", "minLength": 1},
                         "contains": {"const": "VerifiableCredential"}}]},
                    "credentialSubject": {"oneOf": [
                        {"type": "object", "minProperties": 1},
                        {"type": "array", "minItems": 1,
                         "items": {"type": "object", "minProperties": 1}}]},
                    "validFrom": {"type": "string", "format": "date-time"},
                    "validUntil": {"type": "string", "format": "date-time"},
                },
                "not": {"anyOf": [{"required": ["proof"]}, {"required": ["credentialStatus"]}]},
            },
            "options": {
                "type": "object",
                "additionalProperties": False,
                "properties": {"cryptosuite": {"const": "eddsa-rdfc-2022"},
                               "proofPurpose": {"const": "assertionMethod"}},
            },
        },
    },
}


def _oid4vci_paths() -> dict[str, Any]:
    tags = ["OpenID4VCI"]
    return {
        "/.well-known/openid-credential-issuer": {"get": kit.op(
            "Credential Issuer Metadata (OpenID4VCI §12.2)",
            {"200": kit.json_body(kit.OBJ, "metadata")}, tags=tags)},
        "/.well-known/oauth-authorization-server": {"get": kit.op(
            "Authorization Server Metadata (RFC 8414)",
            {"200": kit.json_body(kit.OBJ, "metadata")}, tags=tags)},
        "/offers/{offer_id}": {"get": kit.op(
            "Credential Offer by reference (credential_offer_uri)",
            {"200": kit.json_body(kit.ref("CredentialOffer"), "the offer"), **_oauth_errors(404)},
            tags=tags, params=[kit.path_param("offer_id", "offer id")])},
        "/token": {"post": kit.op(
            "Token endpoint, pre-authorized code grant (OpenID4VCI §6)",
            {"200": kit.json_body(kit.ref("TokenResponse"), "access token"), **_oauth_errors(400)},
            tags=tags,
            body={"application/x-www-form-urlencoded": {"schema": kit.ref("TokenRequest")}})},
        "/nonce": {"post": kit.op(
            "Nonce endpoint: a fresh single-use c_nonce (OpenID4VCI §7)",
            {"200": kit.json_body(kit.ref("NonceResponse"), "c_nonce")}, tags=tags)},
        "/credential": {"post": kit.op(
            "Credential endpoint (OpenID4VCI §8); Bearer access token; batch via proofs.jwt",
            {"200": kit.json_body(kit.ref("CredentialResponse"), "issued credentials"),
             **_oauth_errors(400, 401, 413)},
            tags=tags,
            body={"application/json": {"schema": kit.ref("CredentialRequest")}})},
    }


def _admin_paths() -> dict[str, Any]:
    tags = ["admin"]
    paths: dict[str, Any] = {
        "/admin/offers": {"post": kit.op(
            "Create a credential offer (pre-authorized code, optional tx_code)",
            {"201": kit.json_body(kit.ref("OfferCreated"), "the offer"),
             **kit.problems(400, 401, 413)},
            tags=tags, admin=True,
            body={"application/json": {"schema": kit.ref("OfferRequest")}})},
        "/admin/credentials": {"get": kit.op(
            "List issued credential records (bookkeeping only, no claims), newest first",
            {"200": kit.json_body(kit.ref("CredentialList"), "records"), **kit.problems(400, 401)},
            tags=tags, admin=True, params=[
                {"name": n, "in": "query", "required": False, "schema": s}
                for n, s in (("limit", {"type": "integer", "minimum": 1, "maximum": 500}),
                             ("offset", {"type": "integer", "minimum": 0, "maximum": 1 << 31}),
                             ("status", {"enum": ["valid", "suspended", "revoked"]}),
                             ("holder", {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,128}$",
                                         "description": "JWK SHA-256 thumbprint (RFC 7638)"}))
            ])},
    }
    for action in ("revoke", "suspend", "reinstate"):
        paths[f"/admin/credentials/{{credential_id}}/{action}"] = {"post": kit.op(
            f"{action.capitalize()} a credential and republish its status list",
            {"200": kit.json_body(kit.ref("CredentialRecord"), "updated record"),
             **kit.problems(401, 404, 409)},
            tags=tags, admin=True, params=[kit.path_param("credential_id", "credential id")])}
    paths["/credentials/issue"] = {"post": kit.op(
        "VC API: sign a VCDM 2.0 credential (eddsa-rdfc-2022) with status entries",
        {"201": kit.json_body({"type": "object", "properties": {"verifiableCredential": kit.OBJ}},
                      "signed credential"), **kit.problems(400, 401, 413)},
        tags=["VC API"], admin=True,
        body={"application/json": {"schema": kit.ref("IssueRequest")}})}
    return paths


def _published_paths() -> dict[str, Any]:
    list_param = [kit.path_param("list_id", "status list id")]
    return {
        "/status/bitstring/{list_id}": {"get": kit.op(
            "BitstringStatusListCredential (signed, eddsa-rdfc-2022); Cache-Control max-age=TTL",
            {"200": {"description": "status list credential",
                     "content": {"application/vc": {"schema": kit.OBJ}}},
             **kit.problems(404)},
            tags=["status"], params=list_param)},
        "/status/token/{list_id}": {"get": kit.op(
            "Token Status List (statuslist+jwt); Cache-Control max-age=TTL",
            {"200": {"description": "status list token",
                     "content": {"application/statuslist+jwt": {"schema": kit.STR}}},
             **kit.problems(404)},
            tags=["status"], params=list_param)},
        "/.well-known/did.json": {"get": kit.op(
            "The issuer's did:web document (only when the issuer DID is a did:web)",
            {"200": {"description": "DID document",
                     "content": {"application/did+json": {"schema": kit.OBJ}}},
             **kit.problems(404)},
            tags=["status"])},
        "/openapi.json": {"get": kit.op(
            "This document", {"200": kit.json_body(kit.OBJ, "OpenAPI 3.1")}, tags=["meta"])},
        "/health": {"get": kit.op(
            "Readiness: the store answers",
            {"200": kit.json_body(kit.OBJ, "ok"), **kit.problems(503)},
            tags=["meta"])},
    }


@cache
def _document() -> str:
    return kit.render(kit.document(
        title="pidm issuer",
        description=(
            "OpenID4VCI 1.0 pre-authorized code flow (dc+sd-jwt and ldp_vc), status list "
            "publishing, revocation admin and a VC API style issue endpoint. OpenID4VCI "
            "endpoints answer errors as OAuth error objects; all others as RFC 9457 problem "
            "details carrying a stable pidm `code`."
        ),
        paths={**_oid4vci_paths(), **_admin_paths(), **_published_paths()},
        schemas=_SCHEMAS,
    ))


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
