"""Verifiable Credentials Data Model 2.0 (and 1.1): structural checks, the validity window, and
credential / presentation verification with Data Integrity proofs.

Structure (VCDM 2.0 §4): ``@context`` is a list starting with the base context (2.0 or 1.1) whose
URLs the loader knows (Data Integrity §2.4.1 context validation); ``type`` includes
``VerifiableCredential``; ``issuer`` is a URL or an object with one; ``credentialSubject`` is one or
more non-empty objects; ``id`` values are URLs; ``validFrom``/``validUntil`` (2.0) or
``issuanceDate``/``expirationDate`` (1.1) are date-times. Structure errors are INVALID_CREDENTIAL.

Verification runs the ``schema``, ``signature`` and ``validity_period`` checks (plus ``nonce``,
``audience`` and ``holder_binding`` for presentations) and returns a VerificationResult. A
credential's proof must come from a key its issuer controls (the verification method's controller
is the issuer); ``proof_only`` drops that requirement and checks the proof alone.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from pidm.did.model import VerificationMethod
from pidm.did.resolver import DIDResolver
from pidm.errors import (
    CredentialError,
    CredentialExpired,
    CredentialNotYetValid,
    InvalidChallengeError,
    InvalidDomainError,
    PidmError,
    ProofVerificationError,
    UnknownContext,
    shorten,
)
from pidm.integrity.proof import proofs_of, verify_document
from pidm.integrity.xsd import parse_datetime
from pidm.jsonld.loader import DocumentLoader, default_loader
from pidm.verification import Check, CheckStatus, VerificationResult, run_check

__all__ = [
    "DEFAULT_SKEW",
    "VCDM_V1_CONTEXT",
    "VCDM_V2_CONTEXT",
    "check_contexts",
    "check_validity",
    "issuer_id",
    "validate_credential",
    "validate_presentation",
    "verify_credential",
    "verify_presentation",
]

VCDM_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
VCDM_V1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
#: Allowed clock difference when checking the validity window.
DEFAULT_SKEW = timedelta(minutes=5)
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$")


def _fail(message: str) -> CredentialError:
    return CredentialError(message)


def _is_v1(doc: Mapping[str, Any]) -> bool:
    context = doc.get("@context")
    return isinstance(context, list) and bool(context) and context[0] == VCDM_V1_CONTEXT


def _check_context(doc: Mapping[str, Any]) -> None:
    context = doc.get("@context")
    if not isinstance(context, list) or not context:
        raise _fail("'@context' must be a non-empty list")
    if context[0] not in (VCDM_V2_CONTEXT, VCDM_V1_CONTEXT):
        raise _fail(f"'@context' must start with {VCDM_V2_CONTEXT} (or {VCDM_V1_CONTEXT}), "
                    f"got {shorten(context[0])}")
    if not all(isinstance(c, (str, dict)) for c in context):
        raise _fail("'@context' entries must be URLs or objects")


def _check_url(value: Any, field: str) -> str:
    if not isinstance(value, str) or not _URL.fullmatch(value):
        raise _fail(f"'{field}' must be a URL, got {shorten(value)}")
    return value


def _types(doc: Mapping[str, Any], required: str) -> list[str]:
    value = doc.get("type")
    types = [value] if isinstance(value, str) else value
    if not isinstance(types, list) or not all(isinstance(t, str) and t for t in types):
        raise _fail("'type' must be a string or a list of strings")
    if required not in types:
        raise _fail(f"'type' must include {required}, got {shorten(types)}")
    return types


def _objects(value: Any, field: str, *, require_type: bool) -> list[Mapping[str, Any]]:
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(i, Mapping) and i for i in items):
        raise _fail(f"'{field}' must be one or more non-empty objects")
    for item in items:
        if "id" in item:
            _check_url(item["id"], f"{field}.id")
        if require_type and "type" not in item:
            raise _fail(f"every '{field}' object needs a 'type'")
    return items


def issuer_id(doc: Mapping[str, Any]) -> str:
    """The credential's issuer URL (``issuer`` or ``issuer.id``); INVALID_CREDENTIAL otherwise."""
    issuer = doc.get("issuer")
    if isinstance(issuer, Mapping):
        return _check_url(issuer.get("id"), "issuer.id")
    return _check_url(issuer, "issuer")


def _window(doc: Mapping[str, Any]) -> tuple[datetime | None, datetime | None]:
    """(start, end) of the validity period, parsed; v1.1 names and offset-less times allowed."""
    v1 = _is_v1(doc)
    start_field, end_field = ("issuanceDate", "expirationDate") if v1 else ("validFrom",
                                                                            "validUntil")
    parsed = []
    for field in (start_field, end_field):
        value = doc.get(field)
        if value is None and v1 and field == start_field and "validFrom" in doc:
            field, value = "validFrom", doc["validFrom"]
        parsed.append(None if value is None else parse_datetime(
            value, field=field, require_offset=not v1, error=CredentialError))
    return parsed[0], parsed[1]


def validate_credential(doc: Mapping[str, Any]) -> None:
    """Check a credential's structure (VCDM 2.0 §4, or 1.1); raise INVALID_CREDENTIAL."""
    if not isinstance(doc, Mapping):
        raise _fail("a credential must be a JSON object")
    _check_context(doc)
    if "id" in doc:
        _check_url(doc["id"], "id")
    _types(doc, "VerifiableCredential")
    issuer_id(doc)
    if "credentialSubject" not in doc:
        raise _fail("'credentialSubject' is required")
    _objects(doc["credentialSubject"], "credentialSubject", require_type=False)
    for field in ("credentialStatus", "credentialSchema", "evidence", "termsOfUse",
                  "refreshService"):
        if field in doc:
            _objects(doc[field], field, require_type=True)
    if _is_v1(doc) and "issuanceDate" not in doc:
        raise _fail("a VCDM 1.1 credential needs 'issuanceDate'")
    start, end = _window(doc)
    if start is not None and end is not None and end < start:
        raise _fail("the validity period ends before it starts")


def validate_presentation(vp: Mapping[str, Any]) -> None:
    """Check a presentation's structure (VCDM 2.0 §4.13); raise INVALID_CREDENTIAL."""
    if not isinstance(vp, Mapping):
        raise _fail("a presentation must be a JSON object")
    _check_context(vp)
    if "id" in vp:
        _check_url(vp["id"], "id")
    _types(vp, "VerifiablePresentation")
    holder = vp.get("holder")
    if holder is not None:
        _check_url(holder.get("id") if isinstance(holder, Mapping) else holder, "holder")
    credentials = vp.get("verifiableCredential")
    if credentials is not None:
        items = credentials if isinstance(credentials, list) else [credentials]
        if not all(isinstance(c, Mapping) for c in items):
            raise _fail("'verifiableCredential' entries must be embedded credentials (objects)")


def check_validity(doc: Mapping[str, Any], now: datetime, skew: timedelta = DEFAULT_SKEW,
                   ) -> None:
    """Check the validity window at ``now`` (± ``skew``).

    Raises CREDENTIAL_NOT_YET_VALID before ``validFrom`` (``issuanceDate``), CREDENTIAL_EXPIRED
    after ``validUntil`` (``expirationDate``), INVALID_CREDENTIAL for a malformed date.
    """
    start, end = _window(doc)
    # Differences, not now ± skew: that overflowed near year 1 or 9999 (OverflowError).
    if start is not None and start - now > skew:
        raise CredentialNotYetValid(f"the credential is valid from {start.isoformat()}")
    if end is not None and now - end > skew:
        raise CredentialExpired(f"the credential expired at {end.isoformat()}")


def check_contexts(doc: Any, loader: DocumentLoader | None = None) -> None:
    """Every ``@context`` URL in ``doc`` (at any depth) must be one the loader serves;
    raise UNKNOWN_CONTEXT otherwise (no JSON-LD processing needed, so it suits JCS too)."""
    loader = loader if loader is not None else default_loader()
    known = getattr(loader, "urls", None)
    for url in _context_urls(doc):
        if known is not None:
            if url not in known:
                raise UnknownContext(f"unknown JSON-LD context {shorten(url)}")
        else:
            loader(url)


def _context_urls(value: Any) -> list[str]:
    urls: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, Mapping):
            for key, sub in item.items():
                if key == "@context":
                    entries = sub if isinstance(sub, list) else [sub]
                    urls.extend(e for e in entries if isinstance(e, str))
                    stack.extend(e for e in entries if isinstance(e, Mapping))
                else:
                    stack.append(sub)
        elif isinstance(item, list):
            stack.extend(item)
    return urls


def _check_binding(methods: Sequence[VerificationMethod], controller: str, role: str) -> None:
    if not any(vm.controller == controller for vm in methods):
        raise ProofVerificationError(
            f"no proof is by a key the {role} {shorten(controller)} controls (signed by "
            f"{shorten(sorted({vm.controller for vm in methods}))})")


def _claims(doc: Any) -> dict[str, Any]:
    if not isinstance(doc, Mapping):
        return {}
    return {"issuer": doc.get("issuer"), "type": doc.get("type"),
            "credentialSubject": doc.get("credentialSubject")}


async def _async_check(name: str, check: Awaitable[object]) -> Check:
    try:
        await check
    except PidmError as exc:
        return Check(name, CheckStatus.FAILED, exc.code, str(exc))
    return Check(name, CheckStatus.PASSED)


def _skipped(names: Sequence[str], reason: str) -> list[Check]:
    return [Check(n, CheckStatus.SKIPPED, None, f"skipped: {reason} failed") for n in names]


async def _credential_checks(doc: Any, *, resolver: DIDResolver, now: datetime,
                             proof_only: bool, loader: DocumentLoader | None,
                             skew: timedelta) -> list[Check]:
    def schema() -> None:
        validate_credential(doc)
        check_contexts(doc, loader)

    async def signature() -> None:
        methods = await verify_document(doc, resolver=resolver, now=now, loader=loader,
                                        skew=skew)
        if not proof_only:
            _check_binding(methods, issuer_id(doc), "issuer")

    first = run_check("schema", schema)
    if first.status is CheckStatus.FAILED:
        return [first, *_skipped(("signature", "validity_period"), "schema")]
    return [first, await _async_check("signature", signature()),
            run_check("validity_period", lambda: check_validity(doc, now, skew))]


async def verify_credential(
    doc: Mapping[str, Any],
    *,
    resolver: DIDResolver,
    now: datetime,
    proof_only: bool = False,
    loader: DocumentLoader | None = None,
    skew: timedelta = DEFAULT_SKEW,
) -> VerificationResult:
    """Verify a credential secured with Data Integrity proofs: checks ``schema``,
    ``signature`` (every proof; one by a key the issuer controls unless ``proof_only``) and
    ``validity_period``. Never raises for a bad credential: the result says why."""
    checks = await _credential_checks(doc, resolver=resolver, now=now, proof_only=proof_only,
                                      loader=loader, skew=skew)
    return VerificationResult(tuple(checks), _claims(doc))


async def verify_presentation(
    vp: Mapping[str, Any],
    *,
    resolver: DIDResolver,
    now: datetime,
    challenge: str | None,
    domain: str | Sequence[str] | None,
    loader: DocumentLoader | None = None,
    skew: timedelta = DEFAULT_SKEW,
) -> VerificationResult:
    """Verify a presentation: ``schema``, ``nonce`` (challenge), ``audience`` (domain),
    ``holder_binding`` (its ``authentication`` proof verifies and, when ``holder`` is given, is by
    a key the holder controls), then every embedded credential, whose checks carry
    ``verifiableCredential[i]`` in their message."""
    def schema() -> None:
        validate_presentation(vp)
        check_contexts({"@context": vp.get("@context")}, loader)

    async def binding() -> None:
        methods = await verify_document(vp, resolver=resolver, now=now, loader=loader,
                                        expected_purpose="authentication", challenge=challenge,
                                        domain=domain, skew=skew)
        holder = vp.get("holder")
        if holder is not None:
            holder_id = holder.get("id") if isinstance(holder, Mapping) else holder
            _check_binding(methods, str(holder_id), "holder")

    checks = [run_check("schema", schema)]
    if checks[0].status is CheckStatus.FAILED:
        checks += _skipped(("nonce", "audience", "holder_binding"), "schema")
        return VerificationResult(tuple(checks), {})
    checks += [run_check("nonce", lambda: _expect_all(vp, "challenge", challenge)),
               run_check("audience", lambda: _expect_all(vp, "domain", domain)),
               await _async_check("holder_binding", binding())]
    credentials = vp.get("verifiableCredential") or []
    items = credentials if isinstance(credentials, list) else [credentials]
    for index, credential in enumerate(items):
        for check in await _credential_checks(credential, resolver=resolver, now=now,
                                              proof_only=False, loader=loader, skew=skew):
            label = f"verifiableCredential[{index}]"
            message = f"{label}: {check.message}" if check.message else label
            checks.append(Check(check.name, check.status, check.code, message))
    claims = {"holder": vp.get("holder"), "credentials": [_claims(c) for c in items]}
    return VerificationResult(tuple(checks), claims)


def _expect_all(vp: Mapping[str, Any], member: str, expected: str | Sequence[str] | None) -> None:
    """Every proof of the presentation carries the expected challenge / domain."""
    if expected is None:
        return
    wanted = {expected} if isinstance(expected, str) else set(expected)
    for proof in proofs_of(vp):
        value = proof.get(member)
        items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        if {v for v in items if isinstance(v, str)} != wanted:
            if member == "challenge":
                raise InvalidChallengeError("the presentation proof's challenge does not match")
            raise InvalidDomainError(f"the presentation proof's domain {shorten(value)} does "
                                     f"not match")
