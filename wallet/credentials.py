"""Held credentials and the in-memory index the wallet searches with DCQL.

One issuance gives a *group*: the same credential in one or more copies, each bound to its own
holder key (OpenID4VCI batch issuance), so two verifiers cannot link two presentations by the
key. Each copy is one sealed ``credential`` record, id ``<group>/<n>``, holding the credential
as issued plus the metadata DCQL needs: format, ``vct`` / W3C types and the claims as a
verifier would see them with everything disclosed. While the wallet is open those metadata stay
decrypted in a :class:`CredentialIndex`, bucketed by format and type, so finding the credentials
for a query does not touch the store (OpenID4VP 1.0 §6.4).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from pidm.errors import MalformedValueError, WrongPassphrase, shorten
from pidm.oid4vc.dcql import SD_JWT_VC, W3C_FORMATS, DcqlQuery
from pidm.oid4vc.dcql_eval import CandidateCredential, DcqlMatch, match_query
from pidm.sdjwt.paths import format_claim_path

LDP_VC = "ldp_vc"
FORMATS = frozenset({SD_JWT_VC, LDP_VC})
#: SD-JWT VC registered claims (SD-JWT VC §3.2.2): shown apart from the holder's own claims.
REGISTERED_CLAIMS = frozenset(
    {"iss", "sub", "iat", "nbf", "exp", "cnf", "vct", "vct#integrity", "status", "jti", "aud"}
)
_VC_TYPE_IRI = "https://www.w3.org/2018/credentials#"
_ISSUER_DEPENDENT = "https://www.w3.org/ns/credentials/issuer-dependent#"
_VC_TERMS = frozenset({"VerifiableCredential", "VerifiablePresentation"})


def w3c_type_names(types: Iterable[str]) -> tuple[str, ...]:
    """The types DCQL ``type_values`` may name: each as written and as its expanded IRI under
    the VCDM 2.0 context (its own terms, else the ``@vocab`` issuer-dependent namespace)."""
    out: dict[str, None] = {}
    for name in types:
        out[name] = None
        if ":" not in name:
            out[(_VC_TYPE_IRI if name in _VC_TERMS else _ISSUER_DEPENDENT) + name] = None
    return tuple(out)


def _time(value: Any, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(str(value))
    except ValueError:
        raise MalformedValueError(f"'{name}' is not an ISO 8601 time: {shorten(value)}") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class HeldCredential:
    """One copy of a credential the wallet holds (see the module docstring)."""

    id: str
    group: str
    format: str
    credential: str | dict[str, Any]
    holder_key: str
    issuer: str
    name: str
    claims: dict[str, Any]
    received_at: datetime
    vct: str | None = None
    types: tuple[str, ...] = ()
    issuer_url: str | None = None
    issuer_name: str | None = None
    configuration_id: str | None = None
    valid_until: datetime | None = None
    labels: tuple[tuple[tuple[str | int | None, ...], str], ...] = ()
    uses: int = 0
    candidate: CandidateCredential = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            raise MalformedValueError(f"unsupported credential format {shorten(self.format)}")
        dcql_types = w3c_type_names(self.types) if self.format in W3C_FORMATS else ()
        object.__setattr__(
            self, "candidate",
            CandidateCredential(self.format, self.claims, self.vct, dcql_types),
        )

    @property
    def holder_did(self) -> str:
        return self.holder_key.split("#", 1)[0]

    @property
    def copy(self) -> int:
        return int(self.id.rsplit("/", 1)[1])

    def expired(self, now: datetime) -> bool:
        return self.valid_until is not None and self.valid_until <= now

    def subject_claims(self) -> dict[str, Any]:
        """The claims about the holder: without SD-JWT VC registered claims, or the W3C
        ``credentialSubject`` without its ``id``."""
        if self.format == SD_JWT_VC:
            return {k: v for k, v in self.claims.items() if k not in REGISTERED_CLAIMS}
        subject = self.claims.get("credentialSubject")
        if isinstance(subject, list):
            subject = subject[0] if subject else {}
        if not isinstance(subject, Mapping):
            return {}
        return {k: v for k, v in subject.items() if k != "id"}

    def label(self, path: Sequence[str | int | None]) -> str:
        """The issuer's display name of the claim at ``path``, else its dotted path."""
        wanted = tuple(path)
        for known, text in self.labels:
            if known == wanted:
                return text
        return format_claim_path(list(path))

    def used(self) -> HeldCredential:
        return replace(self, uses=self.uses + 1)

    def to_dict(self) -> dict[str, Any]:
        return {
            "group": self.group, "format": self.format, "credential": self.credential,
            "holder_key": self.holder_key, "issuer": self.issuer, "name": self.name,
            "claims": self.claims, "received_at": _iso(self.received_at), "vct": self.vct,
            "types": list(self.types), "issuer_url": self.issuer_url,
            "issuer_name": self.issuer_name, "configuration_id": self.configuration_id,
            "valid_until": _iso(self.valid_until),
            "labels": [[list(p), text] for p, text in self.labels], "uses": self.uses,
        }

    @classmethod
    def parse(cls, record_id: str, data: Mapping[str, Any]) -> HeldCredential:
        """Rebuild a stored copy; WRONG_PASSPHRASE if the record is not one (damaged)."""
        try:
            received = _time(data["received_at"], "received_at")
            assert received is not None
            return cls(
                id=record_id, group=str(data["group"]), format=str(data["format"]),
                credential=data["credential"], holder_key=str(data["holder_key"]),
                issuer=str(data["issuer"]), name=str(data["name"]), claims=dict(data["claims"]),
                received_at=received, vct=data.get("vct"), types=tuple(data.get("types", ())),
                issuer_url=data.get("issuer_url"), issuer_name=data.get("issuer_name"),
                configuration_id=data.get("configuration_id"),
                valid_until=_time(data.get("valid_until"), "valid_until"),
                labels=tuple((tuple(p), str(t)) for p, t in data.get("labels", ())),
                uses=int(data.get("uses", 0)),
            )
        except (KeyError, TypeError, ValueError, AssertionError, MalformedValueError):
            raise WrongPassphrase(f"credential record {shorten(record_id)} is damaged") from None


@dataclass(frozen=True, slots=True)
class Group:
    """A credential as the consumer sees it: one issuance and its copies."""

    id: str
    copies: tuple[HeldCredential, ...]

    @property
    def first(self) -> HeldCredential:
        return self.copies[0]

    @property
    def unused(self) -> int:
        return sum(1 for c in self.copies if c.uses == 0)


class CredentialIndex:
    """Decrypted credential metadata while the wallet is open, bucketed for DCQL lookups."""

    def __init__(self, credentials: Iterable[HeldCredential] = ()) -> None:
        self._groups: dict[str, dict[str, HeldCredential]] = {}
        self._buckets: dict[tuple[str, str | None], dict[str, None]] = {}
        for credential in credentials:
            self.add(credential)

    def __len__(self) -> int:
        return sum(len(copies) for copies in self._groups.values())

    @staticmethod
    def _keys(credential: HeldCredential) -> Iterator[tuple[str, str | None]]:
        yield credential.format, None
        if credential.vct is not None:
            yield credential.format, credential.vct
        for name in credential.candidate.types:
            yield credential.format, name

    def add(self, credential: HeldCredential) -> None:
        """Add or replace one copy."""
        self._groups.setdefault(credential.group, {})[credential.id] = credential
        for key in self._keys(credential):
            self._buckets.setdefault(key, {})[credential.group] = None

    def remove_group(self, group: str) -> list[HeldCredential]:
        """Forget a group; return its copies."""
        copies = list(self._groups.pop(group, {}).values())
        for credential in copies[:1]:
            for key in self._keys(credential):
                self._buckets.get(key, {}).pop(group, None)
        return copies

    def group(self, group: str) -> Group | None:
        copies = self._groups.get(group)
        if not copies:
            return None
        return Group(group, tuple(sorted(copies.values(), key=lambda c: c.copy)))

    def groups(self) -> list[Group]:
        """Every group, oldest first."""
        out = [g for g in (self.group(gid) for gid in self._groups) if g is not None]
        out.sort(key=lambda g: (g.first.received_at, g.id))
        return out

    def find_group(self, prefix: str) -> Group | None:
        """The group with id ``prefix``, or the only one whose id starts with it."""
        if prefix in self._groups:
            return self.group(prefix)
        hits = [gid for gid in self._groups if gid.startswith(prefix)]
        return self.group(hits[0]) if len(hits) == 1 else None

    def representative(self, group: str) -> HeldCredential:
        """The copy to present next: the least used, lowest numbered."""
        copies = self._groups[group].values()
        return min(copies, key=lambda c: (c.uses, c.copy))

    def _candidate_groups(self, query: DcqlQuery) -> dict[str, None]:
        found: dict[str, None] = {}
        for cq in query.credentials:
            if cq.format == SD_JWT_VC:
                keys: list[str | None] = list(cq.vct_values or ())
            elif cq.format in W3C_FORMATS and cq.type_values:
                keys = [min(alt, key=lambda t: len(self._buckets.get((cq.format, t), ())))
                        for alt in cq.type_values if alt]
            else:
                keys = [None]
            for key in keys:
                found.update(self._buckets.get((cq.format, key), {}))
        return found

    def match(self, query: DcqlQuery, now: datetime) -> tuple[DcqlMatch, list[HeldCredential]]:
        """Evaluate ``query`` against one unexpired copy per group (OpenID4VP §6.4).

        Returns the match and the copies its ``index`` values point into.
        """
        held = [self.representative(g) for g in self._candidate_groups(query)]
        held = [c for c in held if not c.expired(now)]
        return match_query(query, [c.candidate for c in held]), held
