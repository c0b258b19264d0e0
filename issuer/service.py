"""The issuer's use cases — everything the handlers call. Pure logic over the injected store,
clock, rng, signing key and JSON-LD loader; no HTTP here.

OpenID4VCI 1.0 pre-authorized code flow: offer (§4) → token (§6) → nonce (§7) → credential
(§8, batch: one credential per key proof). Admin: offers, credential records, status changes
(which republish the affected status lists). VC API: ``/credentials/issue``.
"""

from __future__ import annotations

import hmac
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from issuer import formats, offers
from issuer.config import CredentialConfiguration, IssuerConfig
from issuer.metadata import (
    authorization_server_metadata,
    credential_issuer_metadata,
    did_document,
)
from issuer.proofs import HolderKey, verify_key_proof
from issuer.publisher import Published, StatusPublisher, list_url
from issuer.status_lists import BITSTRING, TOKEN, Family, StatusAllocator, change_status
from issuer.store.base import (
    AccessToken,
    CredentialRecord,
    CredentialStatus,
    IssuerStore,
    Offer,
    secret_hash,
)
from issuer.vcapi import prepare_credential
from pidm.clock import Clock
from pidm.encoding import b64url_encode
from pidm.errors import (
    InvalidCredentialRequest,
    InvalidGrant,
    InvalidNonce,
    InvalidProof,
    InvalidToken,
    InvalidTokenRequest,
    MalformedValueError,
    NotFound,
    UnknownCredentialConfiguration,
    shorten,
)
from pidm.keys import KeyPair
from pidm.oid4vc.vci import (
    CredentialRequest,
    CredentialResponse,
    NonceResponse,
    TokenRequest,
    TokenResponse,
    offer_reference_uri,
)

Rng = Callable[[int], bytes]
ACTIONS = {
    "revoke": CredentialStatus.REVOKED,
    "suspend": CredentialStatus.SUSPENDED,
    "reinstate": CredentialStatus.VALID,
}
MAX_PAGE = 500
#: Wrong transaction codes tolerated per offer before it is void (OpenID4VCI §13.6.3).
MAX_TX_ATTEMPTS = 5
VC_API_CONFIGURATION = "vc-api"
#: What this issuer's nonces, offer ids and key thumbprints look like (base64url).
_B64URL = re.compile(r"[A-Za-z0-9_-]{1,128}")


def new_credential_id(rng: Rng) -> str:
    """``urn:uuid:`` + a random (version 4) UUID."""
    return "urn:uuid:" + str(uuid.UUID(bytes=rng(16), version=4))


@dataclass(slots=True)
class IssuerService:
    """The issuer's operations, composed once per application by :func:`issuer.app.create_app`."""

    config: IssuerConfig
    store: IssuerStore
    signer: KeyPair
    clock: Clock
    rng: Rng
    loader: Any
    allocator: StatusAllocator
    publisher: StatusPublisher
    code_key: bytes

    @classmethod
    def build(
        cls,
        config: IssuerConfig,
        store: IssuerStore,
        signer: KeyPair,
        *,
        clock: Clock,
        rng: Rng,
        loader: Any = None,
    ) -> IssuerService:
        """Wire the service from its parts."""
        return cls(
            config=config,
            store=store,
            signer=signer,
            clock=clock,
            rng=rng,
            loader=loader,
            allocator=StatusAllocator(store, clock, config.status_list_size, rng),
            publisher=StatusPublisher(config, store, signer, clock, loader),
            code_key=offers.offer_code_key(signer),
        )

    # --- metadata --------------------------------------------------------------------------------
    def issuer_metadata(self) -> dict[str, Any]:
        return credential_issuer_metadata(self.config, self.signer.public)

    def authorization_server_metadata(self) -> dict[str, Any]:
        return authorization_server_metadata(self.config)

    def did_document(self) -> dict[str, Any]:
        return did_document(self.config, self.signer.public)

    async def ready(self) -> None:
        """Raise STORE_UNAVAILABLE unless the store answers."""
        await self.store.ping()

    # --- offers and the token endpoint ----------------------------------------------------------
    async def create_offer(self, body: Any) -> dict[str, Any]:
        """Create an offer; return it with its URI, id and (to pass on separately) tx_code."""
        request = offers.OfferRequest.parse(body, self.config)
        now = self.clock.now()
        offer_id = b64url_encode(self.rng(16))
        code = offers.pre_authorized_code(self.code_key, offer_id)
        tx = offers.tx_code(self.config.tx_code_length, self.rng) if request.tx_code else None
        offer = Offer(
            offer_id=offer_id,
            configuration_ids=request.configuration_ids,
            subject=request.claims,
            pre_auth_code_hash=secret_hash(code),
            created_at=now,
            expires_at=now + timedelta(seconds=self.config.offer_ttl),
            tx_code_hash=secret_hash(tx) if tx is not None else None,
        )
        await self.store.create_offer(offer)
        document = offers.credential_offer(self.config, offer, code)
        out: dict[str, Any] = {"offer_id": offer_id, "offer": document.to_json()}
        if request.by_reference:
            reference = self.config.url(f"/offers/{offer_id}")
            out["credential_offer_uri"] = reference
            out["offer_uri"] = offer_reference_uri(reference)
        else:
            out["offer_uri"] = document.to_uri()
        if tx is not None:
            out["tx_code"] = tx
        out["expires_at"] = offer.expires_at.isoformat()
        return out

    async def get_offer(self, offer_id: str) -> dict[str, Any]:
        """The Credential Offer behind a ``credential_offer_uri`` (NOT_FOUND once used/expired)."""
        offer = await self.store.get_offer(offer_id) if _B64URL.fullmatch(offer_id) else None
        if offer is None or offer.used_at is not None or offer.expires_at <= self.clock.now():
            raise NotFound("no such credential offer, or it was used or has expired")
        code = offers.pre_authorized_code(self.code_key, offer_id)
        return offers.credential_offer(self.config, offer, code).to_json()

    async def token(self, body: bytes) -> dict[str, Any]:
        """Exchange a pre-authorized code (and tx_code) for an access token, once."""
        request = TokenRequest.parse(body)
        code_hash = secret_hash(request.pre_authorized_code)
        offer = await self.store.find_offer_by_code(code_hash)
        if offer is None or offer.used_at is not None or offer.expires_at <= self.clock.now():
            raise InvalidGrant("the pre-authorized code is unknown, used or expired")
        await self._check_tx_code(offer, request.tx_code)
        if await self.store.redeem_offer(code_hash) is None:
            raise InvalidGrant("the pre-authorized code was already used")
        access_token = b64url_encode(self.rng(32))
        ttl = self.config.access_token_ttl
        expires = self.clock.now() + timedelta(seconds=ttl)
        await self.store.save_token(AccessToken(secret_hash(access_token), offer.offer_id, expires))
        return TokenResponse(access_token, "Bearer", ttl).to_json()

    async def _check_tx_code(self, offer: Offer, given: str | None) -> None:
        """§6.1 / §13.6: the tx_code must match; after MAX_TX_ATTEMPTS wrong ones the offer is
        void. The count lives in the store, so replicas sharing it share one budget."""
        if offer.tx_code_hash is None:
            if given is not None:
                raise InvalidTokenRequest("this offer has no transaction code; omit 'tx_code'")
            return
        if not given:
            raise InvalidTokenRequest("this offer requires 'tx_code'")
        if hmac.compare_digest(secret_hash(given), offer.tx_code_hash):
            return
        failures = await self.store.record_tx_failure(
            offer.pre_auth_code_hash, limit=MAX_TX_ATTEMPTS
        )
        if failures is None:  # voided, redeemed or expired since we looked it up
            raise InvalidGrant("the pre-authorized code is unknown, used or expired")
        if failures >= MAX_TX_ATTEMPTS:
            raise InvalidGrant("too many wrong transaction codes; the offer is void")
        raise InvalidGrant("the transaction code is wrong")

    async def nonce(self) -> dict[str, str]:
        """A fresh single-use ``c_nonce``."""
        value = b64url_encode(self.rng(24))
        expires = self.clock.now() + timedelta(seconds=self.config.nonce_ttl)
        await self.store.add_nonce(value, expires=expires)
        return NonceResponse(value).to_json()

    # --- the credential endpoint -----------------------------------------------------------------
    async def credential(self, access_token: str, body: Any) -> dict[str, Any]:
        """Issue one credential per key proof (batch); answer the Credential Response."""
        token = await self.store.get_token(secret_hash(access_token))
        offer = None if token is None else await self.store.get_offer(token.offer_id)
        if offer is None:
            raise InvalidToken("the access token is unknown or expired")
        conf, proofs = self._parse_request(body, offer)
        holders = await self._verify_proofs(proofs)
        for nonce in dict.fromkeys(h.nonce for h in holders):
            if not _B64URL.fullmatch(nonce) or not await self.store.consume_nonce(nonce):
                raise InvalidNonce("c_nonce is unknown, expired or already used; fetch a new one")
        issued = [await self._issue(conf, offer.subject, holder) for holder in holders]
        return CredentialResponse(tuple(issued)).to_json()

    def _parse_request(
        self, body: Any, offer: Offer
    ) -> tuple[CredentialConfiguration, tuple[str, ...]]:
        request = CredentialRequest.parse(body, max_proofs=self.config.batch_size)
        cid = request.credential_configuration_id
        if cid is None:
            raise InvalidCredentialRequest("'credential_identifier' is not used by this issuer")
        conf = self.config.configurations.get(cid)
        if conf is None:
            raise UnknownCredentialConfiguration(f"unknown credential configuration {shorten(cid)}")
        if cid not in offer.configuration_ids:
            raise InvalidCredentialRequest(f"{cid} is not covered by the access token")
        if not request.proofs:
            raise InvalidProof("'proofs' with at least one 'jwt' key proof is required")
        return conf, request.proofs

    async def _verify_proofs(self, jwts: tuple[str, ...]) -> list[HolderKey]:
        now = self.clock.now()
        max_age = timedelta(seconds=self.config.proof_max_age)
        holders = [
            verify_key_proof(jwt, audience=self.config.public_url, now=now, max_age=max_age,
                             position=i)
            for i, jwt in enumerate(jwts)
        ]
        if len({h.thumbprint for h in holders}) != len(holders):
            raise InvalidProof("every proof in a batch must use a distinct key")
        return holders

    async def _issue(
        self, conf: CredentialConfiguration, claims: Mapping[str, Any], holder: HolderKey
    ) -> str | dict[str, Any]:
        now = self.clock.now()
        family: Family = TOKEN if conf.format == "dc+sd-jwt" else BITSTRING
        entry = await self.allocator.allocate(family)
        credential_id = new_credential_id(self.rng)
        credential: str | dict[str, Any]
        if family == TOKEN:
            credential = formats.sd_jwt_vc(self.config, conf, claims, holder, entry,
                                           signer=self.signer, now=now, rng=self.rng)
        else:
            credential = formats.ldp_vc(self.config, conf, claims, holder, entry,
                                        credential_id=credential_id, signer=self.signer,
                                        now=now, loader=self.loader)
        await self.store.record_credential(CredentialRecord(
            credential_id, conf.id, conf.format, now, holder.thumbprint, entry.list_id,
            entry.index, CredentialStatus.VALID, now + conf.type.validity,
        ))
        return credential

    # --- admin -----------------------------------------------------------------------------------
    async def list_credentials(self, query: Mapping[str, str]) -> dict[str, Any]:
        """A page of credential records, newest first (``limit``, ``offset``, filters)."""
        limit = _query_int(query, "limit", 50, 1, MAX_PAGE)
        offset = _query_int(query, "offset", 0, 0, 1 << 31)
        status = query.get("status")
        if status is not None and status not in {s.value for s in CredentialStatus}:
            raise MalformedValueError(f"'status' must be valid, suspended or revoked: {status!r}")
        holder = query.get("holder")
        if holder is not None and not _B64URL.fullmatch(holder):
            raise MalformedValueError(f"'holder' must be a JWK thumbprint: {shorten(holder)}")
        records = await self.store.list_credentials(
            holder_thumbprint=holder,
            status=CredentialStatus(status) if status else None,
            limit=limit,
            offset=offset,
        )
        return {
            "credentials": [self.record_json(r) for r in records],
            "limit": limit,
            "offset": offset,
            "next_offset": offset + len(records) if len(records) == limit else None,
        }

    async def change_status(self, credential_id: str, action: str) -> dict[str, Any]:
        """Revoke, suspend or reinstate; republish the changed lists; return the record."""
        known = offers.plain_text(credential_id)
        record = await self.store.get_credential(credential_id) if known else None
        if record is None:
            raise NotFound(f"no credential {shorten(credential_id)}")
        updated, changed = await change_status(self.store, record, ACTIONS[action])
        await self.publisher.refresh(changed)
        return self.record_json(updated)

    def record_json(self, record: CredentialRecord) -> dict[str, Any]:
        """The admin view of a credential record (bookkeeping only)."""
        status_list = None
        if record.status_list_id is not None:
            family: Family = TOKEN if record.status_list_id.startswith("tok-") else BITSTRING
            status_list = {
                "list_id": record.status_list_id,
                "index": record.status_index,
                "url": list_url(self.config, family, record.status_list_id),
            }
        return {
            "credential_id": record.credential_id,
            "configuration_id": record.configuration_id,
            "format": record.format,
            "issued_at": record.issued_at.isoformat(),
            "expires_at": record.expires_at.isoformat() if record.expires_at else None,
            "holder_thumbprint": record.holder_thumbprint,
            "status": record.status.value,
            "status_list": status_list,
        }

    # --- VC API and published lists --------------------------------------------------------------
    async def issue_vc(self, body: Any) -> dict[str, Any]:
        """Sign a VCDM 2.0 credential (``eddsa-rdfc-2022``) with revocation/suspension entries."""
        now = self.clock.now()
        credential_id = new_credential_id(self.rng)
        doc = prepare_credential(body, issuer=self.config.did, now=now, default_id=credential_id)
        entry = await self.allocator.allocate(BITSTRING)
        doc["credentialStatus"] = formats.status_entries(self.config, entry)
        signed = formats.sign_ldp(doc, signer=self.signer, now=now, loader=self.loader)
        await self.store.record_credential(CredentialRecord(
            str(doc["id"]), VC_API_CONFIGURATION, "ldp_vc", now, None, entry.list_id,
            entry.index, CredentialStatus.VALID, None,
        ))
        return {"verifiableCredential": signed}

    async def status_list(self, family: Family, list_id: str) -> Published:
        return await self.publisher.get(family, list_id)


def _query_int(query: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = query.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 10) or not low <= int(raw) <= high:
        raise MalformedValueError(f"'{name}' must be an integer in {low}..{high}: {shorten(raw)}")
    return int(raw)
