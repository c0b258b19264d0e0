"""pidm: personal identity management with verifiable credentials.

The curated public API is re-exported here; everything else is an implementation detail.
"""

from __future__ import annotations

from pidm.errors import PidmError
from pidm.keys import KeyPair, NoEncryption, PublicKey
from pidm.verification import Check, CheckStatus, VerificationResult

__all__ = [
    "Check",
    "CheckStatus",
    "KeyPair",
    "NoEncryption",
    "PidmError",
    "PublicKey",
    "VerificationResult",
]
__version__ = "0.1.0"
