"""The verifier's HTTP API as an OpenAPI 3.1 document — the single source of truth.

Served at ``/openapi.json``; ``python -m verifier.openapi`` regenerates
``specs/openapi/verifier.yaml`` (JSON is YAML 1.2, so no YAML library is needed) and a test
checks the file is current and that every route is documented.
"""

from __future__ import annotations

import json
import sys
from functools import cache
from pathlib import Path
from typing import Any

from service_kit import openapi as kit

SPEC_FILE = Path(__file__).parents[1] / "specs" / "openapi" / "verifier.yaml"
_HEADER = "# Generated from verifier/openapi.py by `python -m verifier.openapi`; do not edit.\n"
_TIME: dict[str, Any] = {"type": "string", "format": "date-time"}


def _oauth_errors(*codes: int) -> dict[str, Any]:
    return kit.oauth_errors("OAuth 2.0 error object (OpenID4VP §8.5)", *codes)


#: RFC 6749 §4.1.2.1 ``error`` / ``error_description`` characters (no '"' nor '\\').
_OAUTH_TEXT: dict[str, Any] = {
    "type": "string", "pattern": "^[\\x20-\\x21\\x23-\\x5b\\x5d-\\x7e]*$", "maxLength": 1024,
}

_REWARD = {
    "type": "object",
    "description": "pidm offer / reward: amounts are decimal strings, never numbers",
    "required": ["kind", "amount", "unit"],
    "properties": {
        "kind": {"enum": ["points", "money"]},
        "amount": {"type": "string", "pattern": "^(0|[1-9][0-9]*)(\\.[0-9]+)?$"},
        "unit": {"type": "string", "description": "'points' or an ISO 4217 currency code"},
        "description": kit.STR,
    },
}

_SCHEMAS: dict[str, Any] = {
    "OAuthError": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {"type": "string", "examples": ["invalid_request", "not_found"]},
            "error_description": {
                "type": "string",
                "description": "for a refused presentation: 'presentation refused: CODE "
                               "(check), ...: message' — the failing check codes first",
            },
        },
    },
    "Problem": kit.PROBLEM_SCHEMA,
    "Check": {
        "type": "object",
        "required": ["check", "status"],
        "properties": {
            "check": {"enum": ["schema", "signature", "holder_binding", "nonce", "audience",
                               "validity_period", "status", "issuer_trust", "disclosures",
                               "consent"]},
            "status": {"enum": ["passed", "failed", "skipped"]},
            "code": {"type": "string", "description": "stable code of a failed check"},
            "message": {"type": "string", "description": "prefixed with the credential query id"},
        },
    },
    "VerificationResult": {
        "type": "object",
        "description": "pidm.verification.VerificationResult: every check, and the verified "
                       "claims (only when valid). For OpenID4VP results, `claims` maps each "
                       "credential query id to the claims of its presentation (a list when the "
                       "query allows `multiple`).",
        "required": ["valid", "checks", "claims"],
        "properties": {
            "valid": {"type": "boolean"},
            "checks": {"type": "array", "items": kit.ref("Check")},
            "claims": kit.OBJ,
            "receipt": kit.ref("Receipt"),
            "wallet_error": {"type": "object", "description": "the wallet's OAuth error "
                                                              "response (e.g. access_denied)"},
        },
    },
    "Reward": _REWARD,
    "Receipt": {
        "type": "object",
        "description": "DataSharingReceipt: a VCDM 2.0 credential issued by the verifier DID "
                       "with a Data Integrity proof (eddsa-jcs-2022 or eddsa-rdfc-2022)",
        "required": ["@context", "type", "issuer", "validFrom", "credentialSubject", "proof"],
        "properties": {
            "@context": {"type": "array", "items": kit.STR},
            "id": kit.STR,
            "type": {"const": ["VerifiableCredential", "DataSharingReceipt"]},
            "issuer": kit.OBJ,
            "validFrom": _TIME,
            "credentialSubject": {
                "type": "object",
                "required": ["transactionId", "purpose", "claimsReceived", "sharedAt"],
                "properties": {
                    "transactionId": kit.STR,
                    "holderKeyThumbprint": {"type": "string",
                                            "description": "RFC 7638 JWK thumbprint"},
                    "purpose": kit.STR,
                    "claimsReceived": {"type": "array", "items": {
                        "type": "object",
                        "properties": {
                            "credentialQuery": kit.STR, "credentialType": kit.STR,
                            "credentialIssuer": kit.STR, "holderKeyThumbprint": kit.STR,
                            "claims": {"type": "array", "items": kit.STR,
                                       "description": "claim paths (dotted text form)"},
                        },
                    }},
                    "retention": {"type": "string", "description": "ISO 8601 duration"},
                    "reward": kit.ref("Reward"),
                    "sharedAt": _TIME,
                },
            },
            "proof": kit.OBJ,
        },
    },
    "TransactionRequest": {
        "type": "object",
        "required": ["request"],
        "properties": {"request": {"type": "string", "description": "a configured request"}},
    },
    "Transaction": {
        "type": "object",
        "required": ["id", "request", "status", "authorization_request", "qr"],
        "properties": {
            "id": kit.STR,
            "request": kit.STR,
            "status": {"enum": ["pending", "done", "expired"]},
            "created_at": _TIME,
            "expires_at": _TIME,
            "completed_at": _TIME,
            "authorization_request": {
                "type": "string",
                "description": "openid4vp://?client_id=decentralized_identifier:…&request_uri=…",
            },
            "request_uri": {"type": "string", "format": "uri"},
            "qr": {"type": "object", "properties": {
                "png": {"type": "string", "format": "uri"},
                "svg": {"type": "string", "format": "uri"}}},
            "result": kit.ref("VerificationResult"),
        },
    },
    "AuthorizationResponse": {
        "type": "object",
        "description": "OpenID4VP 1.0 §8.1/§8.2 direct_post body (or an error response); "
                       "`state` is the one in the request object",
        "required": ["state"],
        "properties": {
            "vp_token": {"type": "string", "description": "JSON: {query id: [presentation]}"},
            "state": {"type": "string", "pattern": "^[A-Za-z0-9._~-]+$", "maxLength": 512},
            "error": {"type": "string", "minLength": 1, **_OAUTH_TEXT},
            "error_description": _OAUTH_TEXT,
        },
        "anyOf": [{"required": ["vp_token"]}, {"required": ["error"]}],
    },
    "ResponseAnswer": {
        "type": "object",
        "properties": {
            "receipt": kit.ref("Receipt"),
            "redirect_uri": {"type": "string", "format": "uri"},
        },
    },
    "VerifyCredentialRequest": {
        "type": "object",
        "required": ["verifiableCredential"],
        "properties": {
            "verifiableCredential": {"oneOf": [kit.OBJ, kit.STR],
                                     "description": "W3C credential or SD-JWT VC"},
            "options": kit.OBJ,
        },
    },
    "VerifyPresentationRequest": {
        "type": "object",
        "required": ["verifiablePresentation"],
        "properties": {
            "verifiablePresentation": {"oneOf": [kit.OBJ, kit.STR],
                                       "description": "Data Integrity VP or SD-JWT+KB"},
            "options": {"type": "object", "properties": {"challenge": kit.STR, "domain": kit.STR}},
        },
    },
}


def _admin_paths() -> dict[str, Any]:
    tags = ["admin"]
    tx = [kit.path_param("tx_id", "transaction id")]
    paths: dict[str, Any] = {
        "/admin/transactions": {"post": kit.op(
            "Start a presentation transaction for a named request",
            {"201": kit.json_body(kit.ref("Transaction"),
                                  "the transaction and its openid4vp:// URI"),
             **kit.problems(400, 401, 404, 413)},
            tags=tags, admin=True,
            body={"application/json": {"schema": kit.ref("TransactionRequest")}})},
        "/admin/transactions/{tx_id}": {"get": kit.op(
            "Status and (once answered) the verification result",
            {"200": kit.json_body(kit.ref("Transaction"), "the transaction"),
             **kit.problems(401, 404)},
            tags=tags, admin=True, params=tx)},
    }
    for kind, media in (("png", "image/png"), ("svg", "image/svg+xml")):
        paths[f"/admin/transactions/{{tx_id}}/qr.{kind}"] = {"get": kit.op(
            f"QR code ({kind.upper()}) of the openid4vp:// URI",
            {"200": {"description": "QR code", "content": {media: {"schema": kit.STR}}},
             **kit.problems(401, 404)},
            tags=tags, admin=True, params=tx)}
    return paths


def _oid4vp_paths() -> dict[str, Any]:
    tags = ["OpenID4VP"]
    return {
        "/request/{state}": {"get": kit.op(
            "Signed request object (oauth-authz-req+jwt) of a pending transaction",
            {"200": {"description": "request object",
                     "content": {"application/oauth-authz-req+jwt": {"schema": kit.STR}}},
             **_oauth_errors(404)},
            tags=tags, params=[kit.path_param("state", "the request's state value")])},
        "/response": {"post": kit.op(
            "Response endpoint (response_mode=direct_post): verify, store, answer with a "
            "signed receipt; a refused presentation is 400 invalid_request",
            {"200": kit.json_body(kit.ref("ResponseAnswer"), "accepted (an error response: {})"),
             **_oauth_errors(400, 404, 413)},
            tags=tags,
            body={"application/x-www-form-urlencoded": {
                "schema": kit.ref("AuthorizationResponse")}})},
    }


def _not_valid() -> dict[str, Any]:
    """400: the verification result of a credential or presentation that is not valid, or a
    problem for a body that is not a JSON request at all."""
    answer = kit.json_body(kit.ref("VerificationResult"),
                           "not valid (see the failed checks); a problem for a malformed body")
    answer["content"].update(kit.problems(400)["400"]["content"])
    return answer


def _vcapi_paths() -> dict[str, Any]:
    tags = ["VC API"]
    answer = {"200": kit.json_body(kit.ref("VerificationResult"), "verified"),
              "400": _not_valid(),
              **kit.problems(401, 413)}
    return {
        "/credentials/verify": {"post": kit.op(
            "Verify a credential (W3C Data Integrity or SD-JWT VC), status and trust",
            answer, tags=tags, admin=True,
            body={"application/json": {"schema": kit.ref("VerifyCredentialRequest")}})},
        "/presentations/verify": {"post": kit.op(
            "Verify a presentation bound to options.challenge and options.domain",
            answer, tags=tags, admin=True,
            body={"application/json": {"schema": kit.ref("VerifyPresentationRequest")}})},
    }


def _published_paths() -> dict[str, Any]:
    return {
        "/.well-known/did.json": {"get": kit.op(
            "The verifier's did:web document (only when its DID is a did:web)",
            {"200": {"description": "DID document",
                     "content": {"application/did+json": {"schema": kit.OBJ}}},
             **kit.problems(404)},
            tags=["meta"])},
        "/openapi.json": {"get": kit.op(
            "This document", {"200": kit.json_body(kit.OBJ, "OpenAPI 3.1")}, tags=["meta"])},
        "/health": {"get": kit.op(
            "Readiness: the store answers",
            {"200": kit.json_body(kit.OBJ, "ok"), **kit.problems(503)},
            tags=["meta"])},
    }


def _webhooks() -> dict[str, Any]:
    """The marketer's endpoint (``[verifier] webhook_url``): POSTed each finished result."""
    body = {"type": "object", "required": ["transaction", "result"], "properties": {
        "transaction": {"type": "string", "description": "the transaction id"},
        "result": kit.ref("VerificationResult"),
    }}
    signature = {
        "name": "Pidm-Signature", "in": "header", "required": True,
        "description": "t=<unix time>,v1=<hex HMAC-SHA256 keyed with the webhook secret "
                       "(`pidm verifier webhook-secret`) over "
                       "'<unix time>.' followed by the raw body>; refuse a mismatch or an old t",
        "schema": {"type": "string", "pattern": "^t=[0-9]+,v1=[0-9a-f]{64}$"},
    }
    return {"result": {"post": kit.op(
        "A transaction's result (retried with backoff until a 2xx answer)",
        {"2XX": {"description": "received; anything else is retried later"}},
        tags=["webhooks"], body={"application/json": {"schema": body}}, params=[signature],
    )}}


@cache
def _document() -> str:
    return kit.render(kit.document(
        title="pidm verifier",
        description=(
            "OpenID4VP 1.0 verifier (DCQL, direct_post, decentralized_identifier client "
            "id) for marketers: named requests with purpose, retention and reward, signed "
            "data-sharing receipts, results per transaction, and VC API style verify "
            "endpoints. OpenID4VP endpoints answer errors as OAuth error objects; all "
            "others as RFC 9457 problem details carrying a stable pidm `code`."
        ),
        paths={**_admin_paths(), **_oid4vp_paths(), **_vcapi_paths(), **_published_paths()},
        webhooks=_webhooks(),
        schemas=_SCHEMAS,
    ))


def openapi_document() -> dict[str, Any]:
    """A fresh copy of the OpenAPI document."""
    result: dict[str, Any] = json.loads(_document())
    return result


def render_spec_file() -> str:
    """The text of ``specs/openapi/verifier.yaml``."""
    return _HEADER + _document() + "\n"


if __name__ == "__main__":  # pragma: no cover
    SPEC_FILE.write_text(render_spec_file())
    sys.stdout.write(f"wrote {SPEC_FILE}\n")
