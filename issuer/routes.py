"""The issuer's route table. Route names starting ``oid4vci.`` answer errors the OAuth way.

Every route here is documented in :mod:`issuer.openapi` (a test checks both directions).
"""

from __future__ import annotations

from aiohttp import web

from issuer import handlers
from issuer.config import IssuerConfig, did_document_path
from issuer.metadata import CREDENTIAL_PATH, NONCE_PATH, OFFER_PATH, TOKEN_PATH


def add_routes(app: web.Application, config: IssuerConfig) -> None:
    """Register every endpoint on ``app``."""
    r = app.router
    r.add_get("/.well-known/openid-credential-issuer", handlers.issuer_metadata,
              name="oid4vci.metadata", allow_head=False)
    r.add_get("/.well-known/oauth-authorization-server",
              handlers.authorization_server_metadata, name="oid4vci.as_metadata",
              allow_head=False)
    r.add_get(OFFER_PATH, handlers.get_offer, name="oid4vci.offer", allow_head=False)
    r.add_post(TOKEN_PATH, handlers.token, name="oid4vci.token")
    r.add_post(NONCE_PATH, handlers.nonce, name="oid4vci.nonce")
    r.add_post(CREDENTIAL_PATH, handlers.credential, name="oid4vci.credential")
    r.add_post("/admin/offers", handlers.create_offer, name="admin.offers")
    r.add_get("/admin/credentials", handlers.list_credentials, name="admin.credentials",
              allow_head=False)
    for action in ("revoke", "suspend", "reinstate"):
        r.add_post(f"/admin/credentials/{{credential_id}}/{action}",
                   handlers.status_action(action), name=f"admin.{action}")
    r.add_post("/credentials/issue", handlers.issue_vc, name="vcapi.issue")
    r.add_get("/status/bitstring/{list_id}", handlers.status_list("bitstring"),
              name="status.bitstring", allow_head=False)
    r.add_get("/status/token/{list_id}", handlers.status_list("token"), name="status.token",
              allow_head=False)
    did_path = did_document_path(config)
    if did_path is not None:
        r.add_get(did_path, handlers.did_document, name="did_document", allow_head=False)
    r.add_get("/openapi.json", handlers.openapi, name="openapi", allow_head=False)
    r.add_get("/health", handlers.health, name="health", allow_head=False)
