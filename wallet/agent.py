"""``wallet.Wallet``: the holder agent's Python API, which ``pidm wallet`` is built on.

A wallet is a sealed locker (:mod:`wallet.locker`) opened with the consumer's passphrase, plus
the protocol flows: receiving credentials over OpenID4VCI (:mod:`wallet.issuance`) and
presenting them over OpenID4VP (:mod:`wallet.authorization`, :mod:`wallet.consent`,
:mod:`wallet.presenter`, :mod:`wallet.receipts`). Network methods are ``async``; the local ones
(listing, history, backup) are plain calls on the open locker.

Transparency rule: nothing is posted to a verifier before its history entry is sealed in the
locker (outcome ``pending``); the entry is then updated with what happened — shared with a
verified / invalid / missing receipt, rejected, failed (no answer), or declined.
"""

from __future__ import annotations

import inspect
import os
import secrets
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

from pidm.clock import Clock, SystemClock
from pidm.did.jwk import did_jwk_vm_id
from pidm.did.key import did_key_vm_id
from pidm.did.resolver import DIDResolver
from pidm.errors import (
    InvalidIssuerResponse,
    InvalidTokenRequest,
    NotFound,
    PidmError,
    shorten,
)
from pidm.keys import KeyPair, NoEncryption
from pidm.oid4vc.dcql import SD_JWT_VC
from pidm.oid4vc.vci import CredentialOffer, IssuerMetadata, TxCode
from pidm.oid4vc.vp import AuthorizationRequest
from pidm.oid4vc.vp_response import AuthorizationErrorResponse, AuthorizationResponse
from wallet import backup
from wallet.authorization import PostResult, fetch_request, post_response
from wallet.client import HttpLimits, WalletClient
from wallet.consent import (
    ConsentDecision,
    ConsentScreen,
    PlannedDisclosure,
    build_screen,
    plan_disclosure,
)
from wallet.credentials import FORMATS, CredentialIndex, Group, HeldCredential
from wallet.history import HistoryEntry, Reward, RewardKey, load_history, record_history
from wallet.history import rewards_by_verifier as _rewards
from wallet.issuance import (
    configuration_display,
    fetch_metadata,
    fetch_nonce,
    fetch_offer,
    fetch_token,
    issuer_name,
    key_proof,
    request_credentials,
    verify_received,
)
from wallet.locker import Locker, get_key_pair
from wallet.presenter import VP_CRYPTOSUITE, present_ldp_vp, present_sd_jwt_vc
from wallet.receipts import ReceiptCheck, check_receipt
from wallet.sealing import KdfParams, Rng

HolderMethod = Literal["key", "jwk"]
TxCodeSource = str | Callable[[TxCode], str | Awaitable[str]] | None
Decide = Callable[[ConsentScreen], ConsentDecision | Awaitable[ConsentDecision]]
NOT_STATED = "not stated"


@dataclass(frozen=True, slots=True)
class WalletOptions:
    """How the wallet talks to the world. ``copies``: credentials asked per issuance (one
    fresh key each) when the issuer supports batches. ``loader``: JSON-LD document loader for
    Data Integrity proofs (None: pidm's bundled contexts)."""

    limits: HttpLimits = field(default_factory=HttpLimits)
    holder_method: HolderMethod = "key"
    copies: int = 3
    cryptosuite: str = VP_CRYPTOSUITE
    loader: Any = None


@dataclass(frozen=True, slots=True)
class PresentationOutcome:
    """What a presentation request came to; ``entry`` is the history entry as recorded."""

    entry: HistoryEntry
    receipt: ReceiptCheck | None = None
    redirect_uri: str | None = None

    @property
    def outcome(self) -> str:
        return self.entry.outcome


async def _maybe_await(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


class Wallet:
    """An open wallet. Build with :meth:`create` or :meth:`open`; :meth:`close` locks it."""

    def __init__(self, locker: Locker, *, clock: Clock | None = None,
                 rng: Rng = secrets.token_bytes, options: WalletOptions | None = None,
                 resolver: DIDResolver | None = None) -> None:
        self.locker = locker
        self.clock = clock or SystemClock()
        self.rng = rng
        self.options = options or WalletOptions()
        self._resolver = resolver
        self._index: CredentialIndex | None = None

    # --- lifecycle -----------------------------------------------------------------------------
    @classmethod
    def create(cls, directory: str | os.PathLike[str], passphrase: str, *,
               kdf: KdfParams = KdfParams.MODERATE, clock: Clock | None = None,
               rng: Rng = secrets.token_bytes, options: WalletOptions | None = None,
               resolver: DIDResolver | None = None) -> Wallet:
        """Create an empty wallet (CONFLICT if one exists there) and return it open.

        The passphrase must follow :data:`wallet.passphrase.RULE` (at least 8 characters, not
        all the same character), else MALFORMED_VALUE_ERROR.

        ``kdf`` is the Argon2id cost (MODERATE: about a second; MINIMUM only for tests).
        """
        locker = Locker.create(directory, passphrase, kdf=kdf, rng=rng)
        return cls(locker, clock=clock, rng=rng, options=options, resolver=resolver)

    @classmethod
    def open(cls, directory: str | os.PathLike[str], passphrase: str, *,
             clock: Clock | None = None, rng: Rng = secrets.token_bytes,
             options: WalletOptions | None = None,
             resolver: DIDResolver | None = None) -> Wallet:
        """Open a wallet: WALLET_NOT_FOUND, WRONG_PASSPHRASE, STORE_UNAVAILABLE."""
        locker = Locker.open(directory, passphrase, rng=rng)
        return cls(locker, clock=clock, rng=rng, options=options, resolver=resolver)

    def close(self) -> None:
        """Lock the wallet: forget the keys and the decrypted index; idempotent."""
        self._index = None
        self.locker.close()

    def __enter__(self) -> Wallet:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def _client(self) -> WalletClient:
        return WalletClient(self.options.limits)

    @property
    def resolver(self) -> DIDResolver:
        if self._resolver is None:
            self._resolver = self._client().did_resolver()
        return self._resolver

    @property
    def index(self) -> CredentialIndex:
        """The decrypted credential index, built on first use and kept while open."""
        if self._index is None:
            records = self.locker.list("credential")
            self._index = CredentialIndex(HeldCredential.parse(r.id, r.data) for r in records)
        return self._index

    # --- credentials ---------------------------------------------------------------------------
    def credentials(self) -> list[Group]:
        """Every credential held (one group per issuance), oldest first."""
        return self.index.groups()

    def credential(self, credential_id: str) -> Group:
        """The credential ``credential_id`` (or a unique prefix of it); NOT_FOUND otherwise."""
        group = self.index.find_group(credential_id)
        if group is None:
            raise NotFound(f"no credential {shorten(credential_id)} (or the prefix is ambiguous)")
        return group

    def delete(self, credential_id: str) -> Group:
        """Delete a credential, every copy and its holder keys; return what was deleted."""
        group = self.credential(credential_id)
        for copy in group.copies:
            self.locker.delete("credential", copy.id)
            self.locker.delete("key", copy.holder_key)
        self.index.remove_group(group.id)
        return group

    def _new_key(self) -> KeyPair:
        pair = KeyPair.generate("Ed25519", rng=self.rng)
        vm = did_jwk_vm_id if self.options.holder_method == "jwk" else did_key_vm_id
        return pair.with_key_id(vm(pair.public))

    @staticmethod
    def _key_records(keys: Sequence[KeyPair]) -> list[tuple[str, str, dict[str, Any]]]:
        return [("key", k.key_id, {"algorithm": k.algorithm,
                                   "jwk": k.export_private_jwk(encrypt_with=NoEncryption())})
                for k in keys]

    def _new_group_id(self) -> str:
        while True:
            group = self.rng(5).hex()
            if self.index.group(group) is None:
                return group

    # --- OpenID4VCI --------------------------------------------------------------------------
    async def receive(self, offer: str, *, tx_code: TxCodeSource = None,
                      copies: int | None = None,
                      on_stored: Callable[[Group], None] | None = None) -> list[Group]:
        """Accept a credential offer (``openid-credential-offer://`` URI or offer URL): redeem
        the pre-authorized code, prove a fresh key per copy, verify and store every credential.

        ``tx_code``: the transaction code, or a function asked for it when the offer requires
        one. ``on_stored`` is called with each credential as soon as it is stored, so a caller
        knows what an offer of several credentials left in the wallet when a later one fails.
        Raises the coded error of the first failing step; nothing is stored for a credential
        that does not verify.
        """
        async with self._client() as client:
            parsed = await fetch_offer(client, offer)
            metadata = await fetch_metadata(client, parsed.credential_issuer)
            code = await self._tx_code(parsed, tx_code)
            token = await fetch_token(client, metadata, parsed, code)
            groups: list[Group] = []
            for cid in parsed.credential_configuration_ids:
                groups.append(await self._receive_one(client, metadata, token, cid, copies))
                if on_stored is not None:
                    on_stored(groups[-1])
            return groups

    async def _tx_code(self, offer: CredentialOffer, source: TxCodeSource) -> str | None:
        grant = offer.pre_authorized_code
        if grant is None or grant.tx_code is None:
            return None
        if source is None:
            raise InvalidTokenRequest("this offer needs a transaction code (tx_code)")
        if isinstance(source, str):
            return source
        return str(await _maybe_await(source(grant.tx_code)))

    async def _receive_one(self, client: WalletClient, metadata: IssuerMetadata, token: str,
                           configuration_id: str, copies: int | None) -> Group:
        conf = metadata.configuration(configuration_id)
        if conf.format not in FORMATS:
            raise InvalidIssuerResponse(f"credential format {shorten(conf.format)} is not "
                                        "supported by this wallet")
        count = max(1, min(copies or self.options.copies, metadata.batch_size or 1))
        # The fresh keys stay in memory until their credentials verify; then keys and
        # credentials are stored in one transaction, so no crash leaves one without the other.
        keys = [self._new_key() for _ in range(count)]
        nonce = await fetch_nonce(client, metadata)
        now = self.clock.now()
        proofs = [key_proof(k, audience=metadata.credential_issuer, nonce=nonce, now=now,
                            by_kid=conf.format != SD_JWT_VC) for k in keys]
        raws = await request_credentials(client, metadata, token, configuration_id, proofs)
        received = [
            await verify_received(raw, conf.format, key, resolver=self.resolver, now=now,
                                  loader=self.options.loader)
            for raw, key in zip(raws, keys, strict=True)
        ]
        name, labels = configuration_display(conf)
        group = self._new_group_id()
        held = [
            HeldCredential(
                id=f"{group}/{n}", group=group, format=conf.format, credential=r.credential,
                holder_key=key.key_id, issuer=r.issuer, name=name or configuration_id,
                claims=r.claims, received_at=now, vct=r.vct, types=r.types,
                issuer_url=metadata.credential_issuer, issuer_name=issuer_name(metadata),
                configuration_id=configuration_id, valid_until=r.valid_until, labels=labels,
            )
            for n, (r, key) in enumerate(zip(received, keys, strict=True))
        ]
        self.locker.put_records([*self._key_records(keys),
                                 *(("credential", h.id, h.to_dict()) for h in held)])
        for credential in held:
            self.index.add(credential)
        return Group(group, tuple(held))

    # --- OpenID4VP -----------------------------------------------------------------------------
    async def present(self, request: str, decide: Decide) -> PresentationOutcome:
        """Answer a presentation request (``openid4vp://`` URI or request URI).

        Fetches and verifies the signed request (refused with its code when forged), finds the
        matching credentials, asks ``decide`` with the consent screen, then posts either the
        approved presentation or an ``access_denied`` refusal — each recorded in the history
        first. Raises NO_MATCHING_CREDENTIALS when the wallet cannot answer, and
        MALFORMED_VALUE_ERROR when the decision picks claims that form no accepted combination.
        """
        async with self._client() as client:
            now = self.clock.now()
            authz = await fetch_request(client, request, resolver=self.resolver, now=now)
            match, held = self.index.match(authz.dcql_query, now)
            screen = build_screen(authz, match, held)
            decision: ConsentDecision = await _maybe_await(decide(screen))
            if not decision.approved:
                return await self._decline(client, authz, screen)
            plans = plan_disclosure(screen, decision)
            return await self._share(client, authz, screen, plans)

    def _entry(self, screen: ConsentScreen, **fields: Any) -> HistoryEntry:
        offer = screen.offer
        return HistoryEntry(
            transaction_id=str(uuid.UUID(bytes=self.rng(16), version=4)),
            time=self.clock.now(), verifier_did=screen.verifier_did,
            verifier_name=screen.verifier_name, purpose=screen.purpose or NOT_STATED,
            offer=Reward.parse(offer.to_json()) if offer is not None else None,
            retention=screen.retention, **fields,
        )

    async def _decline(self, client: WalletClient, authz: AuthorizationRequest,
                       screen: ConsentScreen) -> PresentationOutcome:
        entry = self._entry(screen, claims=(), credential_ids=(), outcome="declined")
        record_history(self.locker, entry)
        refusal = AuthorizationErrorResponse("access_denied", "the holder declined",
                                             authz.state)
        try:
            await post_response(client, authz, refusal.to_form())
        except PidmError as exc:
            entry = replace(entry, error=f"the verifier was not told: {exc.code}")
            record_history(self.locker, entry)
        return PresentationOutcome(entry)

    def _presentation(self, plan: PlannedDisclosure, authz: AuthorizationRequest,
                      holder: KeyPair) -> str | dict[str, Any]:
        credential = plan.item.credential
        now = self.clock.now()
        if credential.format == SD_JWT_VC:
            assert isinstance(credential.credential, str)
            return present_sd_jwt_vc(credential.credential, disclose=plan.paths, holder=holder,
                                     audience=str(authz.client_id), nonce=authz.nonce, now=now)
        assert isinstance(credential.credential, dict)
        return present_ldp_vp([credential.credential], holder=holder, challenge=authz.nonce,
                              domain=str(authz.client_id), now=now,
                              cryptosuite=self.options.cryptosuite, loader=self.options.loader)

    def _holder(self, credential: HeldCredential) -> KeyPair:
        pair = get_key_pair(self.locker, credential.holder_key)
        if pair is None:
            raise NotFound(f"the holder key of credential {credential.group} is missing")
        return pair

    async def _share(self, client: WalletClient, authz: AuthorizationRequest,
                     screen: ConsentScreen, plans: list[PlannedDisclosure]) -> PresentationOutcome:
        holders = {p.item.query_id: self._holder(p.item.credential) for p in plans}
        vp_token = {p.item.query_id: (self._presentation(p, authz, holders[p.item.query_id]),)
                    for p in plans}
        entry = self._entry(
            screen, claims=tuple(path for p in plans for path in p.revealed),
            credential_ids=tuple(dict.fromkeys(p.item.credential.group for p in plans)),
            outcome="pending",
        )
        record_history(self.locker, entry)
        self._mark_used(plans)
        form = AuthorizationResponse(vp_token, authz.state).to_form()
        try:
            result = await post_response(client, authz, form)
        except PidmError as exc:
            entry = replace(entry, outcome="failed", error=f"{exc.code}: {exc}"[:2000])
            record_history(self.locker, entry)
            return PresentationOutcome(entry)
        thumbprints = {h.public.thumbprint() for h in holders.values()}
        return await self._finish(entry, result, authz, thumbprints)

    def _mark_used(self, plans: list[PlannedDisclosure]) -> None:
        for plan in plans:
            used = plan.item.credential.used()
            self.locker.put("credential", used.id, used.to_dict())
            self.index.add(used)

    async def _finish(self, entry: HistoryEntry, result: PostResult,
                      authz: AuthorizationRequest, thumbprints: set[str]) -> PresentationOutcome:
        if result.answer is None:
            error = f"{result.error}: {result.error_description or ''}".strip(": ")
            entry = replace(entry, outcome="rejected", error=error[:2000] or "rejected")
            record_history(self.locker, entry)
            return PresentationOutcome(entry)
        check = await check_receipt(
            result.answer.receipt, resolver=self.resolver, now=self.clock.now(),
            verifier_did=entry.verifier_did, thumbprints=thumbprints,
            purpose=authz.terms.purpose, loader=self.options.loader,
        )
        if result.answer.receipt is not None:
            receipt_id = check.receipt_id or entry.transaction_id
            self.locker.put("receipt", receipt_id, {"transaction_id": entry.transaction_id,
                                                    "status": check.status,
                                                    "receipt": dict(result.answer.receipt)})
        entry = replace(
            entry, outcome="shared", receipt=check.status, granted=check.granted,
            receipt_id=check.receipt_id,
            error=f"receipt {check.code}: {check.message}"[:2000] if check.code else None,
        )
        record_history(self.locker, entry)
        return PresentationOutcome(entry, check, result.answer.redirect_uri)

    # --- transparency and portability -------------------------------------------------------
    def history(self) -> list[HistoryEntry]:
        """Every request answered or declined, oldest first."""
        return load_history(self.locker)

    def rewards(self) -> dict[RewardKey, Decimal]:
        """Rewards earned per verifier, counting only those backed by a verified receipt."""
        return _rewards(self.history(), verified_only=True)

    def export(self, path: str | os.PathLike[str], passphrase: str, *,
               kdf: KdfParams = KdfParams.MODERATE, force: bool = False) -> None:
        """Write an encrypted backup of the whole wallet, atomically. It restores a wallet that
        opens with the wallet passphrase in force now; ``passphrase`` only protects the file
        (MALFORMED_VALUE_ERROR if weaker than :data:`wallet.passphrase.RULE`). CONFLICT if
        ``path`` exists and not ``force`` (the file is left untouched)."""
        backup.export_backup(self.locker, path, passphrase, kdf=kdf, force=force, rng=self.rng)

    @staticmethod
    def restore(path: str | os.PathLike[str], passphrase: str,
                directory: str | os.PathLike[str], *, force: bool = False) -> Path:
        """Restore a backup into ``directory``; WRONG_PASSPHRASE for a wrong passphrase or a
        damaged file (nothing touched), CONFLICT if a wallet is there and not ``force`` or
        if ``directory`` holds anything but a wallet."""
        return backup.import_backup(path, passphrase, directory, force=force)
