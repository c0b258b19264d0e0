"""Readable summaries of the documents that cross the wire in the demo (issuer metadata, DID
documents, status lists), so a newcomer sees their point rather than their bulk."""

from __future__ import annotations

from typing import Any

from pidm.errors import PidmError
from pidm.jose import decode_jwt
from pidm_demo.wire import Exchange


def _metadata(exchange: Exchange) -> Any:
    meta = exchange.response_json()
    return {
        "credential_issuer": meta.get("credential_issuer"),
        "credential_configurations_supported": sorted(
            meta.get("credential_configurations_supported", {})),
        "batch_credential_issuance": meta.get("batch_credential_issuance"),
    }


def _did_document(exchange: Exchange) -> Any:
    doc = exchange.response_json()
    methods = [m.get("id") for m in doc.get("verificationMethod", []) if isinstance(m, dict)]
    return {"id": doc.get("id"), "verificationMethod": methods}


def _status_list(exchange: Exchange) -> Any:
    text = exchange.response_body.decode("utf-8", "replace")
    try:
        payload = decode_jwt(text).payload
    except PidmError:  # a Bitstring Status List credential is JSON, shown as is
        return exchange.response_json()
    return {"statuslist+jwt": text,
            "payload": {k: payload.get(k) for k in ("iss", "sub", "ttl", "exp")}}


def digest(exchange: Exchange) -> Any:
    """A summary of the answer for the documents above; None for any other exchange."""
    path = exchange.path
    if exchange.status != 200:
        return None
    if path.startswith("/.well-known/openid-credential-issuer"):
        return _metadata(exchange)
    if path.endswith("did.json"):
        return _did_document(exchange)
    if path.startswith("/status/"):
        return _status_list(exchange)
    return None
