"""The signed data-sharing receipt a wallet gets back for a valid presentation (DESIGN.md
"Consent and reward on the wire").

A VCDM 2.0 credential issued by the verifier's DID, ``type`` ``["VerifiableCredential",
"DataSharingReceipt"]``, whose subject states the transaction id, the holder key thumbprint
(RFC 7638), the purpose, the claim paths received per credential, the retention (ISO 8601
duration), the reward granted (the ``offer`` shape) and the time. It carries a Data Integrity
proof (``eddsa-jcs-2022`` or ``eddsa-rdfc-2022``), so the wallet verifies it like any other
credential. Every term the receipt uses that the VCDM 2.0 context does not define (the type
and the subject's members) expands through the ``@vocab`` of the W3C undefined-terms context
(VCDM 2.0 §5.2), so JSON-LD safe mode accepts it and RDFC canonicalization signs every member.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pidm.keys import Signer
from pidm.oid4vc.consent import ConsentTerms

VCDM2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
UNDEFINED_TERMS_CONTEXT = "https://www.w3.org/ns/credentials/undefined-terms/v2"
RECEIPT_TYPE = "DataSharingReceipt"


@dataclass(frozen=True, slots=True)
class Received:
    """What one credential gave: its query id, type, issuer, holder key and claim paths."""

    query_id: str
    credential_type: str | None
    issuer: str | None
    holder_key_thumbprint: str | None
    paths: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        # sorted: the order of SD-JWT disclosures is the holder's shuffle, not information
        out: dict[str, Any] = {"credentialQuery": self.query_id, "claims": sorted(self.paths)}
        if self.credential_type is not None:
            out["credentialType"] = self.credential_type
        if self.issuer is not None:
            out["credentialIssuer"] = self.issuer
        if self.holder_key_thumbprint is not None:
            out["holderKeyThumbprint"] = self.holder_key_thumbprint
        return out


def _time(when: datetime) -> str:
    return when.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def build_receipt(
    *,
    issuer: str,
    issuer_name: str,
    transaction_id: str,
    terms: ConsentTerms,
    received: Sequence[Received],
    now: datetime,
    rng: Callable[[int], bytes],
) -> dict[str, Any]:
    """The unsigned receipt credential. ``terms.offer`` is granted as the reward (if any)."""
    holder = next((r.holder_key_thumbprint for r in received if r.holder_key_thumbprint), None)
    subject: dict[str, Any] = {
        "transactionId": transaction_id,
        "purpose": terms.purpose or "",
        "claimsReceived": [r.to_json() for r in received],
        "sharedAt": _time(now),
    }
    if holder is not None:
        subject["holderKeyThumbprint"] = holder
    if terms.retention is not None:
        subject["retention"] = terms.retention
    if terms.offer is not None:
        subject["reward"] = terms.offer.to_json()
    return {
        "@context": [VCDM2_CONTEXT, UNDEFINED_TERMS_CONTEXT],
        "id": "urn:uuid:" + str(uuid.UUID(bytes=rng(16), version=4)),
        "type": ["VerifiableCredential", RECEIPT_TYPE],
        "issuer": {"id": issuer, "name": issuer_name},
        "validFrom": _time(now),
        "credentialSubject": subject,
    }


def sign_receipt(
    receipt: dict[str, Any], *, signer: Signer, cryptosuite: str, now: datetime,
    loader: Any = None,
) -> dict[str, Any]:
    """Add an ``assertionMethod`` Data Integrity proof made with ``signer``."""
    from pidm.integrity.proof import add_proof  # type: ignore[import-not-found, unused-ignore]

    signed: dict[str, Any] = add_proof(
        receipt, signer=signer, cryptosuite=cryptosuite, created=now.replace(microsecond=0),
        loader=loader,
    )
    return signed
