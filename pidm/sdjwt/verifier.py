"""Verifying an SD-JWT / SD-JWT VC presentation (RFC 9901 §7, SD-JWT VC §3) into a
:class:`~pidm.verification.VerificationResult`.

Checks, in order: ``signature`` (issuer JWT: ``alg`` allow-list, ``typ``, signature),
``disclosures`` (digests matched once each, no duplicates, orphans, ``_sd`` / ``...`` misuse or
overwrites), ``schema`` (SD-JWT VC profile only), ``validity_period`` (``exp`` / ``nbf`` / ``iat``
at ``now`` with ``skew``), ``holder_binding`` (KB-JWT signed by the ``cnf`` key, ``typ``
kb+jwt, ``sd_hash``, fresh ``iat``), ``nonce`` and ``audience``. A check whose prerequisite
failed is SKIPPED; the processed claims are returned only when no check failed.
"""

from __future__ import annotations

import hmac
from datetime import datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from pidm.errors import (
    AudienceMismatch,
    CredentialError,
    CredentialExpired,
    CredentialNotYetValid,
    DisclosureInvalid,
    InvalidDID,
    KbJwtInvalid,
    MalformedValueError,
    NonceMismatch,
    PidmError,
    shorten,
)
from pidm.jose import JWT, issuer_key_id, verify_decoded, verify_jwt
from pidm.keys import PublicKey
from pidm.sdjwt.holder import KB_JWT_TYP
from pidm.sdjwt.issuer import NEVER_DISCLOSABLE, SD_JWT_VC_TYP
from pidm.sdjwt.process import Processed, process_payload
from pidm.sdjwt.token import SdJwt
from pidm.verification import Check, CheckStatus, ResultBuilder, VerificationResult

if TYPE_CHECKING:
    from pidm.did.resolver import DIDResolver

DEFAULT_SKEW = timedelta(seconds=60)
DEFAULT_KB_MAX_AGE = timedelta(minutes=5)


def _parse(presentation: SdJwt | str) -> SdJwt:
    return presentation if isinstance(presentation, SdJwt) else SdJwt.parse(presentation)


def check_issuer_signature(sd_jwt: SdJwt, key: PublicKey, typ: str | None) -> SdJwt:
    """Pass if one of the issuer JWT's signatures verifies with ``key`` (and has ``typ``)."""
    first: PidmError | None = None
    for jwt in sd_jwt.signatures or (sd_jwt.jwt,):
        try:
            verify_decoded(jwt, key, typ=typ)
        except PidmError as exc:
            first = first or exc
            continue
        return sd_jwt
    assert first is not None
    raise first


def _numeric(payload: dict[str, Any], name: str) -> float | None:
    value = payload.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MalformedValueError(f"'{name}' must be a NumericDate, got {shorten(value)}")
    return float(value)


def check_dates(payload: dict[str, Any], now: datetime, skew: timedelta = DEFAULT_SKEW) -> None:
    """``exp`` not passed, ``nbf`` and ``iat`` not in the future, each with ``skew`` leeway."""
    t, leeway = now.timestamp(), skew.total_seconds()
    exp, nbf, iat = _numeric(payload, "exp"), _numeric(payload, "nbf"), _numeric(payload, "iat")
    if exp is not None and t > exp + leeway:
        raise CredentialExpired(f"expired at {int(exp)} (now {int(t)})")
    if nbf is not None and t < nbf - leeway:
        raise CredentialNotYetValid(f"not valid before {int(nbf)} (now {int(t)})")
    if iat is not None and t < iat - leeway:
        raise CredentialNotYetValid(f"issued in the future at {int(iat)} (now {int(t)})")


def check_vc_profile(payload: dict[str, Any], processed: Processed) -> None:
    """SD-JWT VC §3.2: ``vct`` present; registered claims well-typed and never disclosed."""
    vct = payload.get("vct")
    if not isinstance(vct, str) or not vct:
        raise CredentialError("an SD-JWT VC needs a string 'vct'")
    if "iss" in payload and not isinstance(payload["iss"], str):
        raise CredentialError("'iss' must be a string")
    for name in ("cnf", "status"):
        if name in payload and not isinstance(payload[name], dict):
            raise CredentialError(f"'{name}' must be an object")
    top = {p[0] for p in processed.disclosed if len(p) == 1}
    if not NEVER_DISCLOSABLE.isdisjoint(top):
        leaked = sorted(str(name) for name in top & NEVER_DISCLOSABLE)
        raise DisclosureInvalid(f"claims {', '.join(leaked)} must not be selectively disclosed")


@lru_cache(maxsize=1024)
def _cached_key(kty: str, crv: str, x: str, y: str | None) -> PublicKey:
    jwk = {"kty": kty, "crv": crv, "x": x} | ({"y": y} if y is not None else {})
    return PublicKey.from_jwk(jwk)


def holder_key(payload: dict[str, Any]) -> PublicKey:
    """The holder's key from ``cnf.jwk`` (``KB_JWT_INVALID`` if there is none usable)."""
    cnf = payload.get("cnf")
    jwk = cnf.get("jwk") if isinstance(cnf, dict) else None
    if not isinstance(jwk, dict):
        raise KbJwtInvalid("the credential has no cnf.jwk holder key")
    kty, crv, x, y = jwk.get("kty"), jwk.get("crv"), jwk.get("x"), jwk.get("y")
    try:
        plain = type(kty) is str and type(crv) is str and type(x) is str
        if plain and (y is None or type(y) is str):
            return _cached_key(kty, crv, x, y)
        return PublicKey.from_jwk(jwk)
    except PidmError as exc:
        raise KbJwtInvalid(f"cnf.jwk is not a usable key: {exc.code}: {exc}") from exc


def check_key_binding(
    sd_jwt: SdJwt,
    now: datetime,
    *,
    skew: timedelta = DEFAULT_SKEW,
    max_age: timedelta = DEFAULT_KB_MAX_AGE,
) -> JWT:
    """Verify the KB-JWT: signed by ``cnf.jwk``, typ kb+jwt, ``sd_hash``, fresh ``iat``."""
    if sd_jwt.kb_jwt is None:
        raise KbJwtInvalid("no key-binding JWT was presented")
    key = holder_key(sd_jwt.payload)
    try:
        kb = verify_jwt(sd_jwt.kb_jwt, key, typ=KB_JWT_TYP)
    except PidmError as exc:
        raise KbJwtInvalid(f"{exc.code}: {exc}") from exc
    sd_hash = kb.payload.get("sd_hash")
    if not isinstance(sd_hash, str) or not hmac.compare_digest(sd_hash, sd_jwt.sd_hash()):
        raise KbJwtInvalid("sd_hash does not match the presented SD-JWT")
    iat = kb.payload.get("iat")
    if type(iat) is not int and (isinstance(iat, bool) or not isinstance(iat, int | float)):
        raise KbJwtInvalid("KB-JWT 'iat' must be a NumericDate")
    t = now.timestamp()
    leeway = skew.total_seconds()
    if iat > t + leeway:
        raise KbJwtInvalid(f"KB-JWT issued in the future ({int(iat)} > {int(t)})")
    if iat < t - max_age.total_seconds() - leeway:
        raise KbJwtInvalid(f"KB-JWT too old ({int(iat)}, now {int(t)})")
    return kb


def _check_nonce(kb: JWT, nonce: str) -> None:
    got = kb.payload.get("nonce")
    if not isinstance(got, str) or not hmac.compare_digest(got.encode(), nonce.encode()):
        raise NonceMismatch(f"KB-JWT nonce {shorten(got)} is not the expected one")


def _check_audience(kb: JWT, audience: str) -> None:
    got = kb.payload.get("aud")
    if got != audience:
        raise AudienceMismatch(f"KB-JWT aud {shorten(got)} is not {shorten(audience)}")


_PASSED = {
    name: Check(name, CheckStatus.PASSED)
    for name in (
        "signature", "disclosures", "schema", "validity_period", "holder_binding", "nonce",
        "audience",
    )
}
_NO_KB = Check("holder_binding", CheckStatus.SKIPPED, None, "no key-binding JWT")
_NO_NONCE = Check("nonce", CheckStatus.SKIPPED, None, "no expected nonce given")
_NO_AUDIENCE = Check("audience", CheckStatus.SKIPPED, None, "no expected audience given")


def _all_pass(
    sd: SdJwt,
    *,
    now: datetime,
    audience: str | None,
    nonce: str | None,
    vc: bool,
    want_kb: bool,
    skew: timedelta,
    kb_max_age: timedelta,
) -> VerificationResult | None:
    """The checks after a passed ``signature``, run straight through; the result when every
    one passes (the common case), None at the first failure so that the caller redoes them
    one by one to report each. Check objects are immutable, so the PASSED ones are shared."""
    try:
        processed = process_payload(sd.payload, sd.decoded())
        if vc:
            check_vc_profile(sd.payload, processed)
        check_dates(sd.payload, now, skew)
        kb = None
        if sd.kb_jwt is not None or want_kb:
            kb = check_key_binding(sd, now, skew=skew, max_age=kb_max_age)
        if kb is None and (nonce is not None or audience is not None):
            return None  # nothing proves them: the slow path reports them skipped, not passed
        if nonce is not None and kb is not None:
            _check_nonce(kb, nonce)
        if audience is not None and kb is not None:
            _check_audience(kb, audience)
    except PidmError:
        return None
    passed = _PASSED
    checks = [passed["signature"], passed["disclosures"]]
    if vc:
        checks.append(passed["schema"])
    checks.append(passed["validity_period"])
    checks.append(_NO_KB if kb is None else passed["holder_binding"])
    checks.append(_NO_NONCE if nonce is None else passed["nonce"])
    checks.append(_NO_AUDIENCE if audience is None else passed["audience"])
    return VerificationResult(tuple(checks), processed.claims)


def _finish(
    builder: ResultBuilder,
    sd_jwt: SdJwt | None,
    *,
    now: datetime,
    audience: str | None,
    nonce: str | None,
    vc: bool,
    require_key_binding: bool | None,
    skew: timedelta,
    kb_max_age: timedelta,
) -> VerificationResult:
    ok = sd_jwt is not None and builder.passed("signature")
    want_kb = require_key_binding
    if want_kb is None:
        want_kb = audience is not None or nonce is not None
    if ok and sd_jwt is not None:
        fast = _all_pass(sd_jwt, now=now, audience=audience, nonce=nonce, vc=vc,
                         want_kb=want_kb, skew=skew, kb_max_age=kb_max_age)
        if fast is not None:
            return fast
    sd = sd_jwt if sd_jwt is not None else SdJwt("", JWT({}, {}, b"", b""), ())
    processed = builder.run(
        "disclosures", lambda: process_payload(sd.payload, sd.decoded()), requires=["signature"]
    )
    if vc:
        done = processed if processed is not None else Processed({}, ())
        builder.run(
            "schema", lambda: check_vc_profile(sd.payload, done), requires=["disclosures"]
        )
    builder.run(
        "validity_period", lambda: check_dates(sd.payload, now, skew), requires=["signature"]
    )
    kb: JWT | None = None
    if ok and sd.kb_jwt is None and not want_kb:
        builder.add(_NO_KB)
    else:
        kb = builder.run(
            "holder_binding",
            lambda: check_key_binding(sd, now, skew=skew, max_age=kb_max_age),
            requires=["signature"],
        )
    bound = kb if kb is not None else JWT({}, {}, b"", b"")
    if nonce is None:
        builder.add(_NO_NONCE)
    else:
        builder.run("nonce", lambda: _check_nonce(bound, nonce), requires=["holder_binding"])
    if audience is None:
        builder.add(_NO_AUDIENCE)
    else:
        builder.run(
            "audience", lambda: _check_audience(bound, audience), requires=["holder_binding"]
        )
    result = builder.result()
    if processed is None or not result.valid:
        return result
    return VerificationResult(result.checks, processed.claims)


def verify_sd_jwt(
    presentation: SdJwt | str,
    *,
    issuer_key: PublicKey,
    now: datetime,
    audience: str | None = None,
    nonce: str | None = None,
    typ: str | None = SD_JWT_VC_TYP,
    vc: bool | None = None,
    require_key_binding: bool | None = None,
    skew: timedelta = DEFAULT_SKEW,
    kb_max_age: timedelta = DEFAULT_KB_MAX_AGE,
) -> VerificationResult:
    """Verify an SD-JWT (+KB) whose issuer key is already known; pure, no I/O.

    ``typ`` is the required issuer-JWT ``typ`` (None: any). ``vc`` adds the SD-JWT VC
    ``schema`` check (default: when ``typ`` is dc+sd-jwt). A KB-JWT is required when
    ``require_key_binding`` is True, or (when it is None) when ``audience`` or ``nonce`` is
    given; a presented KB-JWT is always checked. ``now`` must be tz-aware.
    """
    if now.tzinfo is None:
        raise TypeError("now must be a tz-aware datetime")
    builder = ResultBuilder()
    try:
        sd_jwt: SdJwt | None = check_issuer_signature(_parse(presentation), issuer_key, typ)
    except PidmError as exc:
        sd_jwt = None
        builder.fail("signature", exc)
    else:
        builder.add(_PASSED["signature"])
    return _finish(
        builder,
        sd_jwt,
        now=now,
        audience=audience,
        nonce=nonce,
        vc=typ == SD_JWT_VC_TYP if vc is None else vc,
        require_key_binding=require_key_binding,
        skew=skew,
        kb_max_age=kb_max_age,
    )


async def verify_sd_jwt_vc(
    presentation: SdJwt | str,
    *,
    resolver: DIDResolver,
    now: datetime,
    audience: str | None = None,
    nonce: str | None = None,
    require_key_binding: bool | None = None,
    skew: timedelta = DEFAULT_SKEW,
    kb_max_age: timedelta = DEFAULT_KB_MAX_AGE,
    typ: str = SD_JWT_VC_TYP,
) -> VerificationResult:
    """Verify an SD-JWT VC whose ``iss`` is a DID: the issuer key is the ``assertionMethod``
    verification method named by ``kid`` (a DID URL of ``iss``, or a fragment of it), found
    through ``resolver``. Otherwise as :func:`verify_sd_jwt`.
    """
    from pidm.did.resolver import resolve_method

    if now.tzinfo is None:
        raise TypeError("now must be a tz-aware datetime")
    builder = ResultBuilder()
    sd_jwt: SdJwt | None = None
    try:
        sd_jwt = _parse(presentation)
        iss = sd_jwt.payload.get("iss")
        if not isinstance(iss, str) or not iss.startswith("did:"):
            raise InvalidDID(f"iss {shorten(iss)} is not a DID")
        method = await resolve_method(resolver, issuer_key_id(sd_jwt.jwt), "assertionMethod")
        key: PublicKey = method.public_key
    except PidmError as exc:
        builder.fail("signature", exc)
    else:
        try:
            check_issuer_signature(sd_jwt, key, typ)
        except PidmError as exc:
            builder.fail("signature", exc)
        else:
            builder.add(_PASSED["signature"])
    return _finish(
        builder,
        sd_jwt,
        now=now,
        audience=audience,
        nonce=nonce,
        vc=True,
        require_key_binding=require_key_binding,
        skew=skew,
        kb_max_age=kb_max_age,
    )
