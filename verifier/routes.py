"""The verifier's route table. Route names starting ``oid4vp.`` answer errors the OAuth way.

Every route here is documented in :mod:`verifier.openapi` (a test checks both directions).
"""

from __future__ import annotations

from aiohttp import web

from verifier import handlers
from verifier.config import VerifierConfig, did_document_path


def add_routes(app: web.Application, config: VerifierConfig) -> None:
    """Register every endpoint on ``app``."""
    r = app.router
    r.add_post("/admin/transactions", handlers.create_transaction, name="admin.create")
    r.add_get("/admin/transactions/{tx_id}", handlers.get_transaction, name="admin.get",
              allow_head=False)
    for kind in ("png", "svg"):
        r.add_get(f"/admin/transactions/{{tx_id}}/qr.{kind}", handlers.qr(kind),
                  name=f"admin.qr_{kind}", allow_head=False)
    r.add_get("/request/{state}", handlers.request_object, name="oid4vp.request",
              allow_head=False)
    r.add_post("/response", handlers.response, name="oid4vp.response")
    r.add_post("/credentials/verify", handlers.verify_credential, name="vcapi.credentials")
    r.add_post("/presentations/verify", handlers.verify_presentation, name="vcapi.presentations")
    did_path = did_document_path(config)
    if did_path is not None:
        r.add_get(did_path, handlers.did_document, name="did_document", allow_head=False)
    r.add_get("/openapi.json", handlers.openapi, name="openapi", allow_head=False)
    r.add_get("/health", handlers.health, name="health", allow_head=False)
