"""Checking the data-sharing receipt a verifier returns (DESIGN.md "Consent and reward on the
wire").

A receipt is a credential of type ``DataSharingReceipt`` issued by the verifier's DID and
secured with a Data Integrity proof; the wallet verifies it like any credential
(:func:`pidm.vc.verify_credential`), then checks that it is about this exchange: issued by the
DID that asked, naming a holder key the wallet presented with, stating the purpose the
consumer was shown. Its ``reward`` is what the verifier grants; only a verified receipt's
reward counts in ``rewards``. The outcome is ``verified``, ``invalid`` (with the failing code)
or ``missing``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pidm.did.resolver import DIDResolver
from pidm.errors import CredentialError, PidmError, shorten
from wallet.history import ReceiptStatus, Reward
from wallet.issuance import raise_failed

RECEIPT_TYPE = "DataSharingReceipt"


@dataclass(frozen=True, slots=True)
class ReceiptCheck:
    """The outcome of checking a receipt."""

    status: ReceiptStatus
    code: str | None = None
    message: str = ""
    receipt_id: str | None = None
    granted: Reward | None = None
    transaction_id: str | None = None


def _id(value: Any) -> str | None:
    if isinstance(value, Mapping):
        value = value.get("id")
    return value if isinstance(value, str) else None


def _about_this_exchange(
    receipt: Mapping[str, Any], verifier_did: str, thumbprints: Collection[str],
    purpose: str | None,
) -> Mapping[str, Any]:
    types = receipt.get("type")
    if not isinstance(types, list) or RECEIPT_TYPE not in types:
        raise CredentialError(f"the receipt's type is not {RECEIPT_TYPE}: {shorten(types)}")
    issuer = _id(receipt.get("issuer"))
    if issuer != verifier_did:
        raise CredentialError(f"the receipt is issued by {shorten(issuer)}, not the verifier")
    subject = receipt.get("credentialSubject")
    if not isinstance(subject, Mapping):
        raise CredentialError("the receipt has no credentialSubject object")
    stated = subject.get("holderKeyThumbprint")
    if stated is not None and stated not in thumbprints:
        raise CredentialError("the receipt names a holder key this wallet did not present")
    if purpose is not None and subject.get("purpose") != purpose:
        raise CredentialError("the receipt states another purpose than the one shown")
    return subject


async def check_receipt(
    receipt: Mapping[str, Any] | None,
    *,
    resolver: DIDResolver,
    now: datetime,
    verifier_did: str,
    thumbprints: Collection[str],
    purpose: str | None,
    loader: Any = None,
) -> ReceiptCheck:
    """Verify ``receipt`` (None: missing) and return what it proves; never raises a coded error
    (a bad receipt is recorded as ``invalid`` with its code)."""
    if receipt is None:
        return ReceiptCheck("missing", message="the verifier returned no receipt")
    from pidm.vc import verify_credential  # type: ignore[import-not-found, unused-ignore]

    receipt_id = _id(receipt)
    try:
        result = await verify_credential(dict(receipt), resolver=resolver, now=now, loader=loader)
        raise_failed(result, "the receipt")
        subject = _about_this_exchange(receipt, verifier_did, thumbprints, purpose)
        reward = subject.get("reward")
        granted = Reward.parse(reward) if reward is not None else None
    except PidmError as exc:
        return ReceiptCheck("invalid", exc.code, str(exc), receipt_id)
    tx = subject.get("transactionId")
    return ReceiptCheck("verified", None, "", receipt_id, granted,
                        tx if isinstance(tx, str) else None)
