"""The verifier's trust policy: which issuers it accepts for which credential type.

A credential type is an SD-JWT VC ``vct`` or a W3C credential ``type`` (other than
``VerifiableCredential``). An issuer is trusted for a credential when the configuration lists
it under one of the credential's types; anything else is ``ISSUER_NOT_TRUSTED``. The trust list
is the verifier's own decision (OpenID4VP 1.0 §14.1.1 leaves ``trusted_authorities`` to policy).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from pidm.errors import IssuerNotTrusted, shorten

GENERIC_TYPES = frozenset({"VerifiableCredential"})
OFFLINE_METHODS = ("did:key:", "did:jwk:")


@dataclass(frozen=True, slots=True)
class TrustPolicy:
    """Issuer DIDs trusted per credential type."""

    issuers: Mapping[str, frozenset[str]]

    @classmethod
    def from_config(cls, trust: Mapping[str, Iterable[str]]) -> TrustPolicy:
        return cls({ctype: frozenset(dids) for ctype, dids in trust.items()})

    def trusted_for(self, types: Iterable[str]) -> frozenset[str]:
        """Every issuer trusted for at least one of ``types``."""
        out: set[str] = set()
        for ctype in types:
            if ctype not in GENERIC_TYPES:
                out |= self.issuers.get(ctype, frozenset())
        return frozenset(out)

    def may_resolve(self, did: str) -> bool:
        """Whether an issuer DID is worth resolving before its signature is checked: methods
        that resolve without the network (did:key, did:jwk), or an issuer trusted for some
        type. A presenter-named did:web of anyone else is never fetched."""
        if did.startswith(OFFLINE_METHODS):
            return True
        return any(did in dids for dids in self.issuers.values())

    def check(self, issuer: str, types: Iterable[str]) -> None:
        """Pass if ``issuer`` is trusted for one of ``types``; else raise ISSUER_NOT_TRUSTED."""
        names = [t for t in types if t not in GENERIC_TYPES]
        if issuer not in self.trusted_for(names):
            raise IssuerNotTrusted(
                f"issuer {shorten(issuer)} is not trusted for {shorten(', '.join(names) or '-')}"
            )
