"""A presentation transaction as a small state machine (OpenID4VP 1.0 §5, §8.2, §13.3).

``new_transaction`` creates it *pending*: a fresh ``tx_id`` (the marketer's handle), ``nonce``
(bound into every presentation) and ``state`` (the wallet's handle: it names the request
object at ``/request/{state}`` and comes back with the response), and the signed request object.
The first response moves it to *done* with its result, whatever the result; a transaction not
answered within ``request_ttl`` is *expired*. Nothing here does I/O: the store persists the
values, so any replica can serve any step.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

from pidm.encoding import b64url_encode
from pidm.errors import InvalidAuthorizationResponse, NotFound
from pidm.integrity.proof import SUITES
from pidm.keys import Signer
from pidm.oid4vc.request_object import sign_request_object
from pidm.oid4vc.vp import AuthorizationRequest, ClientId, ClientMetadata, RequestUri
from verifier.config import NamedRequest, VerifierConfig
from verifier.store.base import Transaction, TxStatus

Rng = Callable[[int], bytes]
#: What this verifier accepts, announced in ``client_metadata`` (OpenID4VP 1.0 §11.1, App. B).
VP_FORMATS: dict[str, dict[str, list[str]]] = {
    "dc+sd-jwt": {"sd-jwt_alg_values": ["EdDSA", "ES256"], "kb-jwt_alg_values": ["EdDSA", "ES256"]},
    "ldp_vc": {
        "proof_type_values": ["DataIntegrityProof"],
        "cryptosuite_values": list(SUITES),  # every suite verify_document checks
    },
}


def _random(rng: Rng) -> str:
    return b64url_encode(rng(16))  # 128 bits, URL-safe (§5.2 nonce and state syntax)


def authorization_request(
    config: VerifierConfig, request: NamedRequest, *, nonce: str, state: str
) -> AuthorizationRequest:
    """The OpenID4VP request for ``request`` with pidm's purpose / retention / offer."""
    used = {cq.format for cq in request.dcql_query.credentials}
    metadata = ClientMetadata(
        {fmt: params for fmt, params in VP_FORMATS.items() if fmt in used},
        {"client_name": config.name},
    )
    return AuthorizationRequest(
        client_id=ClientId.for_did(config.did),
        response_uri=config.response_uri,
        nonce=nonce,
        dcql_query=request.dcql_query,
        state=state,
        client_metadata=metadata,
        terms=request.terms,
    )


def new_transaction(
    config: VerifierConfig, request: NamedRequest, signer: Signer, *, now: datetime, rng: Rng
) -> Transaction:
    """A pending transaction with its signed request object (valid as long as the transaction).

    ``metadata`` keeps the DCQL query and the consent terms, so any replica (whatever its
    configuration file says by then) verifies the response against what was asked, and a
    ``response_code`` when the configuration has a ``redirect_uri``.
    """
    nonce, state = _random(rng), _random(rng)
    signed = sign_request_object(
        authorization_request(config, request, nonce=nonce, state=state),
        signer,
        now=now,
        lifetime=config.request_lifetime,
    )
    metadata: dict[str, Any] = {
        "dcql_query": request.dcql_query.to_json(), "terms": request.terms.to_params()
    }
    if config.redirect_uri is not None:
        metadata["response_code"] = _random(rng)
    return Transaction(
        tx_id=_random(rng),
        request_name=request.name,
        nonce=nonce,
        state=state,
        created_at=now,
        expires_at=now + config.request_lifetime,
        request_jwt=signed,
        metadata=metadata,
    )


def invocation_uri(config: VerifierConfig, tx: Transaction) -> str:
    """``openid4vp://?client_id=…&request_uri=…`` (JAR by reference, RFC 9101 §5.2)."""
    ref = RequestUri(ClientId.for_did(config.did), request_uri=config.request_uri(tx.state))
    return ref.to_uri(config.wallet_scheme)


def redirect_uri(config: VerifierConfig, tx: Transaction) -> str | None:
    """Where the wallet sends the user afterwards, with the fresh ``response_code`` (§8.2)."""
    code = tx.metadata.get("response_code")
    if config.redirect_uri is None or not isinstance(code, str):
        return None
    sep = "&" if urlsplit(config.redirect_uri).query else "?"
    return config.redirect_uri + sep + urlencode({"response_code": code})


def current_status(tx: Transaction, now: datetime) -> TxStatus:
    """The status as of ``now``: a pending transaction past its expiry is expired."""
    if tx.status is TxStatus.PENDING and now >= tx.expires_at:
        return TxStatus.EXPIRED
    return tx.status


def at(tx: Transaction, now: datetime) -> Transaction:
    """``tx`` with its status brought up to ``now``."""
    status = current_status(tx, now)
    return tx if status is tx.status else replace(tx, status=status)


def require_answerable(tx: Transaction | None, now: datetime, what: str) -> Transaction:
    """The transaction unless unknown (NOT_FOUND) or expired; a done one passes, so that its
    nonce check reports the replay."""
    if tx is None:
        raise NotFound(f"no transaction for this {what}")
    status = current_status(tx, now)
    if status is TxStatus.EXPIRED:
        raise InvalidAuthorizationResponse("the presentation request has expired")
    return tx


def view(config: VerifierConfig, tx: Transaction, now: datetime) -> dict[str, Any]:
    """The admin API's JSON for a transaction: status, links and (once done) the result."""
    base = config.url(f"/admin/transactions/{tx.tx_id}")
    out: dict[str, Any] = {
        "id": tx.tx_id,
        "request": tx.request_name,
        "status": current_status(tx, now).value,
        "created_at": _iso(tx.created_at),
        "expires_at": _iso(tx.expires_at),
        "authorization_request": invocation_uri(config, tx),
        "request_uri": config.request_uri(tx.state),
        "qr": {"png": base + "/qr.png", "svg": base + "/qr.svg"},
    }
    if tx.completed_at is not None:
        out["completed_at"] = _iso(tx.completed_at)
    if tx.result is not None:
        out["result"] = dict(tx.result)
    return out


def _iso(when: datetime) -> str:
    return when.isoformat().replace("+00:00", "Z")


def result_json(result: Mapping[str, Any], receipt: Mapping[str, Any] | None) -> dict[str, Any]:
    """What is stored and sent to the webhook: the verification result (+ the receipt)."""
    out = dict(result)
    if receipt is not None:
        out["receipt"] = dict(receipt)
    return out
