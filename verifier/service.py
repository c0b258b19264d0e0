"""The verifier's use cases — everything the handlers call. Logic over the injected store,
clock, rng, signing key, DID resolver and status-list client; no HTTP here.

Admin: start a transaction for a named request, read it (status + result), its QR code.
OpenID4VP: serve the signed request object; take the wallet's ``direct_post`` response,
verify it (:mod:`verifier.pipeline`), store the result either way, answer with a signed
receipt. VC API: verify a credential or a presentation for the marketer's own back end.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from pidm.clock import Clock
from pidm.did.resolver import DIDResolver
from pidm.did.web import did_web_document
from pidm.errors import (
    InvalidAuthorizationResponse,
    MalformedValueError,
    NonceReplayed,
    NotFound,
    PidmError,
    shorten,
)
from pidm.keys import KeyPair
from pidm.oid4vc.consent import ConsentTerms
from pidm.oid4vc.dcql import DcqlQuery
from pidm.oid4vc.vp_response import (
    AuthorizationErrorResponse,
    AuthorizationResponse,
    parse_authorization_response,
)
from pidm.status import StatusListClient
from pidm.verification import Check, CheckStatus, VerificationResult
from verifier import transactions as txs
from verifier.checks import Expectations, single_result
from verifier.config import NamedRequest, VerifierConfig
from verifier.pipeline import Decision, verify_presented, verify_vp_token
from verifier.policy import GENERIC_TYPES, TrustPolicy
from verifier.presentations import parse_credential, parse_presentation
from verifier.qr import qr_code
from verifier.receipts import Received, build_receipt, sign_receipt
from verifier.store.base import Transaction, VerifierStore

Rng = Callable[[int], bytes]


class PresentationRefused(InvalidAuthorizationResponse):
    """A well-formed response whose presentations failed verification (the result is stored);
    its message starts with the failing check codes."""


@dataclass(slots=True)
class VerifierService:
    """The verifier's operations, composed once per application by
    :func:`verifier.app.create_app`. ``notify`` is called after a result is queued for the
    webhook (it wakes the deliverer)."""

    config: VerifierConfig
    store: VerifierStore
    signer: KeyPair
    clock: Clock
    rng: Rng
    resolver: DIDResolver
    status_client: StatusListClient
    policy: TrustPolicy
    loader: Any = None
    notify: Callable[[], None] | None = None

    # --- published documents -----------------------------------------------------------------
    def did_document(self) -> dict[str, Any]:
        return did_web_document(self.config.did, self.signer.public)

    async def ready(self) -> None:
        await self.store.ping()

    # --- admin ---------------------------------------------------------------------------------
    def _named(self, body: Any) -> NamedRequest:
        name = body.get("request") if isinstance(body, Mapping) else None
        if not isinstance(name, str):
            raise MalformedValueError("the body must be a JSON object with a string 'request'")
        request = self.config.requests.get(name)
        if request is None:
            raise NotFound(f"no named request {shorten(name)}; configured: "
                           f"{', '.join(self.config.requests)}")
        return request

    async def create_transaction(self, body: Any) -> dict[str, Any]:
        """Start a transaction for ``{"request": NAME}``; return its admin view."""
        request = self._named(body)
        now = self.clock.now()
        tx = txs.new_transaction(self.config, request, self.signer, now=now, rng=self.rng)
        await self.store.create(tx)
        return txs.view(self.config, tx, now)

    async def _tx(self, tx_id: str) -> Transaction:
        tx = await self.store.get(tx_id)
        if tx is None:
            raise NotFound(f"no transaction {shorten(tx_id)}")
        return tx

    async def transaction(self, tx_id: str) -> dict[str, Any]:
        return txs.view(self.config, await self._tx(tx_id), self.clock.now())

    async def qr(self, tx_id: str, kind: str) -> bytes:
        return qr_code(txs.invocation_uri(self.config, await self._tx(tx_id)), kind)

    # --- OpenID4VP ------------------------------------------------------------------------------
    async def request_object(self, state: str) -> str:
        """The signed request object of a pending transaction (NOT_FOUND once answered)."""
        tx = await self.store.get_by_state(state)
        now = self.clock.now()
        if tx is None or tx.request_jwt is None or txs.current_status(tx, now).value != "pending":
            raise NotFound("no pending presentation request here")
        return tx.request_jwt

    async def response(self, body: bytes) -> dict[str, Any]:
        """Take a ``direct_post`` response; return the wallet's JSON answer for a valid one.

        Raises NOT_FOUND (unknown state), INVALID_AUTHORIZATION_RESPONSE (malformed, expired,
        or a presentation that failed: the description starts with the failing codes) and
        NONCE_REPLAYED (the transaction was already answered).
        """
        parsed = parse_authorization_response(body, max_bytes=self.config.max_body_bytes)
        if parsed.state is None:
            raise InvalidAuthorizationResponse("'state' is required")
        now = self.clock.now()
        tx = txs.require_answerable(await self.store.get_by_state(parsed.state), now, "state")
        if not await self.store.consume_nonce(tx.nonce, expires=tx.expires_at):
            raise NonceReplayed("this presentation request was already answered")
        if isinstance(parsed, AuthorizationErrorResponse):
            await self._finish(tx, _refusal(parsed), None)
            return {}
        decision = await self._decide(tx, parsed)
        receipt = self._receipt(tx, decision) if decision.result.valid else None
        await self._finish(tx, decision.result.to_json(), receipt)
        if not decision.result.valid:
            raise PresentationRefused(refusal_description(decision.result))
        answer: dict[str, Any] = {"receipt": receipt}
        redirect = txs.redirect_uri(self.config, tx)
        if redirect is not None:
            answer["redirect_uri"] = redirect
        return answer

    def _expect(self, client_id: str | None, nonce: str | None, *, bound: bool) -> Expectations:
        return Expectations(
            client_id=client_id, nonce=nonce, now=self.clock.now(), policy=self.policy,
            skew=timedelta(seconds=self.config.clock_skew),
            kb_max_age=timedelta(seconds=self.config.kb_max_age), key_binding=bound,
        )

    async def _decide(self, tx: Transaction, response: AuthorizationResponse) -> Decision:
        """Verify the response; the first check records that its nonce was used only once."""
        query = DcqlQuery.parse(dict(tx.metadata["dcql_query"]))
        decision = await verify_vp_token(
            response.vp_token, query, expect=self._expect(self.config.client_id, tx.nonce,
                                                          bound=True),
            resolver=self.resolver, status_client=self.status_client,
        )
        once = Check("nonce", CheckStatus.PASSED, None, "first answer to this request")
        result = decision.result
        return replace(decision, result=VerificationResult((once, *result.checks),
                                                           result.claims))

    def _receipt(self, tx: Transaction, decision: Decision) -> dict[str, Any]:
        now = self.clock.now()
        received = [
            Received(i.item.query_id, next((t for t in i.types if t not in GENERIC_TYPES), None),
                     i.issuer, i.holder_thumbprint, i.received)
            for i in decision.items
        ]
        unsigned = build_receipt(
            issuer=self.config.did, issuer_name=self.config.name, transaction_id=tx.tx_id,
            terms=ConsentTerms.parse(dict(tx.metadata.get("terms", {}))), received=received,
            now=now, rng=self.rng,
        )
        return sign_receipt(unsigned, signer=self.signer,
                            cryptosuite=self.config.receipt_cryptosuite, now=now,
                            loader=self.loader)

    async def _finish(
        self, tx: Transaction, result: Mapping[str, Any], receipt: Mapping[str, Any] | None
    ) -> None:
        await self.store.save_result(tx.tx_id, txs.result_json(result, receipt))
        if self.config.webhook_url is None:
            return
        try:
            await self.store.enqueue_webhook(tx.tx_id, self.config.webhook_url)
        except PidmError:
            return  # already queued: at most one delivery per transaction
        if self.notify is not None:
            self.notify()

    # --- VC API ---------------------------------------------------------------------------------
    async def verify_credential(self, body: Any) -> VerificationResult:
        """``POST /credentials/verify``: ``{"verifiableCredential": VC or SD-JWT VC}``."""
        obj = _object(body, "verifiableCredential")
        item = parse_credential("credential", obj["verifiableCredential"])
        return await self._verify_one(item, self._expect(None, None, bound=False))

    async def verify_presentation(self, body: Any) -> VerificationResult:
        """``POST /presentations/verify``: ``{"verifiablePresentation": VP or SD-JWT+KB,
        "options": {"challenge", "domain"}}``; both options bind the presentation."""
        obj = _object(body, "verifiablePresentation")
        options = obj.get("options", {})
        if not isinstance(options, Mapping):
            raise MalformedValueError("'options' must be an object")
        challenge, domain = options.get("challenge"), options.get("domain")
        for name, value in (("challenge", challenge), ("domain", domain)):
            if value is not None and not isinstance(value, str):
                raise MalformedValueError(f"'options.{name}' must be a string")
        raw = obj["verifiablePresentation"]
        fmt = "dc+sd-jwt" if isinstance(raw, str) else "ldp_vc"
        item = parse_presentation("presentation", fmt, raw)
        return await self._verify_one(item, self._expect(domain, challenge, bound=True))

    async def _verify_one(self, item: Any, expect: Expectations) -> VerificationResult:
        [(result, status)] = await verify_presented(
            [item], expect=expect, resolver=self.resolver, status_client=self.status_client
        )
        return single_result(result, status)


def _object(body: Any, member: str) -> Mapping[str, Any]:
    if not isinstance(body, Mapping) or member not in body:
        raise MalformedValueError(f"the body must be a JSON object with '{member}'")
    return body


def _refusal(error: AuthorizationErrorResponse) -> dict[str, Any]:
    """The stored result of a wallet's error response (``access_denied`` on refusal)."""
    message = error.error + (f": {error.error_description}" if error.error_description else "")
    check = Check("consent", CheckStatus.FAILED, "CONSENT_REFUSED", message)
    wallet_error = {k: v for k, v in error.to_form().items() if k != "state"}
    return VerificationResult((check,)).to_json() | {"wallet_error": wallet_error}


def refusal_description(result: VerificationResult) -> str:
    """``CODE (check), ...: first message`` — the failing check codes first (OpenID4VP §8.5)."""
    failed = result.errors
    codes = ", ".join(dict.fromkeys(f"{c.code} ({c.name})" for c in failed))
    return f"presentation refused: {codes}: {failed[0].message}" if failed else "refused"
