"""Delivering results to the marketer's webhook: at least once, in the background, bounded.

A finished transaction is queued in the store (:class:`verifier.store.base.WebhookStore`), so
the response to the wallet never waits on the webhook and any replica may deliver it. The
:class:`WebhookDeliverer` loop claims due deliveries (a lease keeps other replicas off them),
POSTs the stored result JSON with a timeout, and records the attempt: delivered, retried with
backoff, or given up after the last attempt. Failures are logged, never raised.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from pidm.clock import Clock
from pidm.errors import PidmError
from verifier.store.base import VerifierStore, WebhookDelivery

log = logging.getLogger("verifier.webhooks")
#: Delay before each retry; after the last one the delivery is given up.
BACKOFF = (5, 30, 120, 600, 3600)
LEASE = timedelta(seconds=60)

#: POST ``body`` (JSON) to ``url``; raise or return an HTTP status.
Poster = Callable[[str, bytes], Awaitable[int]]


def retry_delay(attempts: int) -> timedelta | None:
    """When to retry after ``attempts`` failed attempts (None: give up)."""
    if attempts > len(BACKOFF):
        return None
    return timedelta(seconds=BACKOFF[attempts - 1])


class WebhookDeliverer:
    """The background delivery loop of one process. ``wake()`` after queueing a delivery."""

    def __init__(
        self, store: VerifierStore, post: Poster, clock: Clock, *, poll: float = 30.0
    ) -> None:
        self._store = store
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
            status = await self._post(delivery.url, body)
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
