"""pidm wallet: encrypted personal data locker, consent, presentation, history."""

from __future__ import annotations

from wallet.agent import PresentationOutcome, Wallet, WalletOptions
from wallet.client import HttpLimits
from wallet.consent import ConsentDecision, ConsentScreen
from wallet.sealing import KdfParams

__all__ = [
    "ConsentDecision",
    "ConsentScreen",
    "HttpLimits",
    "KdfParams",
    "PresentationOutcome",
    "Wallet",
    "WalletOptions",
]
