"""Delivering results to the marketer's webhook: at least once, in the background, bounded.

A finished transaction is queued in the store (:class:`verifier.store.base.WebhookStore`), so
the response to the wallet never waits on the webhook and any replica may deliver it. The
:class:`WebhookDeliverer` loop claims due deliveries (a lease keeps other replicas off them),
POSTs the stored result JSON with a timeout, and records the attempt: delivered, retried with
backoff, or given up after the last attempt. Failures are logged, never raised.

Each POST carries ``Pidm-Signature: t=<unix time>,v1=<hex HMAC-SHA256>`` over
``"<unix time>." + body``, keyed with the webhook secret :func:`webhook_secret` derives from the
admin token (``pidm verifier webhook-secret`` prints it), so the receiver can refuse forged
results and, by the time, stale replays (:func:`verify_webhook_signature`) while holding no
credential that opens the admin API.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta

from pidm.clock import Clock
from pidm.errors import PidmError
from verifier.store.base import VerifierStore, WebhookDelivery

log = logging.getLogger("verifier.webhooks")
#: Delay before each retry; after the last one the delivery is given up.
BACKOFF = (5, 30, 120, 600, 3600)
LEASE = timedelta(seconds=60)

SIGNATURE_HEADER = "Pidm-Signature"
#: POST ``body`` (JSON) to ``url`` with extra ``headers``; raise or return an HTTP status.
Poster = Callable[[str, bytes, Mapping[str, str]], Awaitable[int]]


_SECRET_LABEL = b"pidm webhook signing key v1"


def webhook_secret(admin_token: str) -> str:
    """The key webhooks are signed with: hex HMAC-SHA256(admin token, a fixed label). The
    receiver holds this, never the admin token itself."""
    return hmac.new(admin_token.encode(), _SECRET_LABEL, hashlib.sha256).hexdigest()


def _mac(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign_webhook(secret: str, timestamp: int, body: bytes) -> str:
    """The ``Pidm-Signature`` header value for ``body`` sent at ``timestamp`` (unix seconds)."""
    return f"t={timestamp},v1={_mac(secret, timestamp, body)}"


def verify_webhook_signature(
    secret: str, header: str, body: bytes, *, now: int, tolerance: int = 300
) -> bool:
    """What a receiver checks: the header is well formed, its MAC matches (constant time) and
    its time is within ``tolerance`` seconds of ``now``."""
    fields = dict(part.partition("=")[::2] for part in header.split(","))
    stamp, mac = fields.get("t", ""), fields.get("v1", "")
    if not (stamp.isascii() and stamp.isdigit()) or len(stamp) > 12 \
            or abs(now - int(stamp)) > tolerance:  # isdigit alone takes "\u00b2"
        return False
    return hmac.compare_digest(mac.encode(), _mac(secret, int(stamp), body).encode())


def retry_delay(attempts: int) -> timedelta | None:
    """When to retry after ``attempts`` failed attempts (None: give up)."""
    if attempts > len(BACKOFF):
        return None
    return timedelta(seconds=BACKOFF[attempts - 1])


class WebhookDeliverer:
    """The background delivery loop of one process. ``wake()`` after queueing a delivery."""

    def __init__(
        self, store: VerifierStore, post: Poster, clock: Clock, *, secret: str,
        poll: float = 30.0,
    ) -> None:
        self._store = store
        self._secret = secret
        self._post = post
        self._clock = clock
        self._poll = poll
        self._event = asyncio.Event()

    def wake(self) -> None:
        self._event.set()

    async def run(self) -> None:
        """Deliver until cancelled."""
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._poll):
                    await self._event.wait()
            self._event.clear()
            await self.deliver_due()

    async def deliver_due(self) -> int:
        """Claim and attempt every due delivery once; return how many were delivered."""
        try:
            batch = await self._store.claim_webhooks(lease=LEASE)
        except PidmError as exc:
            log.warning("cannot claim webhook deliveries: %s", exc)
            return 0
        done = await asyncio.gather(*(self._attempt(d) for d in batch))
        return sum(done)

    async def _attempt(self, delivery: WebhookDelivery) -> bool:
        error = ""
        try:
            tx = await self._store.get(delivery.tx_id)
            body = json.dumps({"transaction": delivery.tx_id,
                               "result": dict(tx.result or {}) if tx else {}}).encode()
            signature = sign_webhook(self._secret, int(self._clock.now().timestamp()), body)
            status = await self._post(delivery.url, body, {SIGNATURE_HEADER: signature})
            if 200 <= status < 300:
                await self._store.record_webhook_attempt(delivery.tx_id, delivered=True)
                return True
            error = f"HTTP {status}"
        except PidmError as exc:
            error = f"{exc.code}: {exc}"
        except (OSError, TimeoutError, ValueError) as exc:
            error = f"{type(exc).__name__}: {exc}"
        delay = retry_delay(delivery.attempts + 1)
        log.warning("webhook for %s to %s failed (%s)%s", delivery.tx_id, delivery.url, error,
                    "" if delay else "; giving up")
        retry_at = self._clock.now() + delay if delay else None
        with contextlib.suppress(PidmError):
            await self._store.record_webhook_attempt(
                delivery.tx_id, delivered=False, retry_at=retry_at, error=error[:500]
            )
        return False
