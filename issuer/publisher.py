"""Publishing signed status lists at stable URLs, re-signing only when a list changed.

* ``/status/bitstring/{id}`` — a ``BitstringStatusListCredential`` (W3C Bitstring Status List
  §3.1) secured with ``eddsa-rdfc-2022``, ``ttl`` in milliseconds, ``validUntil`` one validity
  period after signing.
* ``/status/token/{id}`` — a Status List Token (``statuslist+jwt``, IETF Token Status List
  §5.1) with ``sub`` its own URL, ``iss`` the issuer DID, ``ttl`` in seconds and ``exp``.

Each signed document is cached per list version; it is signed again when the version moves
(a status change) or when half its validity has passed. Several replicas each sign once per
version; the documents differ only in timestamps and signatures.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from issuer.config import IssuerConfig
from issuer.status_lists import BITSTRING, TOKEN, Family, family_of
from issuer.store.base import IssuerStore, StatusListState
from pidm.clock import Clock
from pidm.errors import NotFound
from pidm.keys import Signer
from pidm.status.bitstring import encode_bitstring
from pidm.status.bitstring_vc import status_list_credential
from pidm.status.packed import BitOrder, StatusList
from pidm.status.token import sign_status_list_token, status_list_token_claims

TOKEN_MEDIA_TYPE = "application/statuslist+jwt"
BITSTRING_MEDIA_TYPE = "application/vc"
CRYPTOSUITE = "eddsa-rdfc-2022"


@dataclass(frozen=True, slots=True)
class Published:
    """A signed status list document ready to serve."""

    body: bytes
    content_type: str
    max_age: int
    version: int
    signed_at: datetime


def list_url(config: IssuerConfig, family: Family, list_id: str) -> str:
    """The stable public URL of a status list."""
    return config.url(f"/status/{family}/{list_id}")


def to_lsb_first(data: bytes, bits: int) -> bytes:
    """Re-pack an MSB-first bitstring (W3C order, as stored) LSB-first (Token Status List)."""
    if bits == 8:
        return bytes(data)
    return bytes(data).translate(_lsb_table(bits))


def _lsb_table(bits: int) -> bytes:
    mask, groups = (1 << bits) - 1, 8 // bits
    table = bytearray(256)
    for byte in range(256):
        out = 0
        for g in range(groups):
            out |= ((byte >> (8 - (g + 1) * bits)) & mask) << (g * bits)
        table[byte] = out
    return bytes(table)


@dataclass(slots=True)
class StatusPublisher:
    """Render and cache the signed documents of the issuer's status lists."""

    config: IssuerConfig
    store: IssuerStore
    signer: Signer
    clock: Clock
    loader: Any = None
    _cache: dict[str, Published] = field(default_factory=dict)

    async def get(self, family: Family, list_id: str) -> Published:
        """The current signed document of ``list_id``; NOT_FOUND for an unknown list."""
        if family_of(list_id) != family:
            raise NotFound(f"no {family} status list {list_id!r}")
        state = await self.store.load(list_id)
        if state is None:
            raise NotFound(f"no {family} status list {list_id!r}")
        now = self.clock.now()
        cached = self._cache.get(list_id)
        if cached is not None and cached.version == state.version and (
            now - cached.signed_at < self._validity / 2
        ):
            return cached
        published = self.render(family, state, now)
        self._cache[list_id] = published
        return published

    async def refresh(self, list_ids: list[str]) -> None:
        """Re-sign the given lists now (after a status change)."""
        for list_id in list_ids:
            family = family_of(list_id)
            if family is not None:
                self._cache.pop(list_id, None)
                await self.get(family, list_id)

    @property
    def _validity(self) -> timedelta:
        return timedelta(seconds=self.config.status_list_validity)

    def render(self, family: Family, state: StatusListState, now: datetime) -> Published:
        """Sign ``state`` as the document of its family."""
        url = list_url(self.config, family, state.list_id)
        ttl = self.config.status_list_ttl
        if family == TOKEN:
            packed = StatusList(to_lsb_first(state.bits, state.status_size), state.status_size,
                                BitOrder.LSB_FIRST)
            claims = status_list_token_claims(
                uri=url, status_list=packed, iat=int(now.timestamp()),
                exp=int((now + self._validity).timestamp()), ttl=ttl, iss=self.config.did,
            )
            body = sign_status_list_token(claims, self.signer).encode("ascii")
            return Published(body, TOKEN_MEDIA_TYPE, ttl, state.version, now)
        assert family == BITSTRING
        from pidm.integrity.proof import add_proof

        doc = status_list_credential(
            url=url, issuer=self.config.did, purpose=state.purpose,
            encoded_list=encode_bitstring(state.bits), valid_from=now,
            valid_until=now + self._validity, ttl_ms=ttl * 1000,
            sign=lambda d: add_proof(d, signer=self.signer, cryptosuite=CRYPTOSUITE,
                                     created=now, loader=self.loader),
        )
        body = json.dumps(doc, separators=(",", ":")).encode()
        return Published(body, BITSTRING_MEDIA_TYPE, ttl, state.version, now)
