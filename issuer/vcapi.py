"""The VC API style ``POST /credentials/issue`` body (W3C CCG VC API "Issue Credential").

``{"credential": {...VCDM 2.0...}, "options": {...}}``: the issuer fills in what is its to fill
(``issuer``, ``id``, ``validFrom``) and refuses what only it may set (``proof``,
``credentialStatus``) or what names another issuer. Status entries and the proof are added by
the service.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from issuer.metadata import VCDM2_CONTEXT
from pidm.errors import MalformedValueError, shorten
from pidm.status.bitstring_vc import format_datetime, parse_datetime

_ALLOWED_OPTIONS = frozenset({"proofPurpose", "cryptosuite"})


def prepare_credential(
    body: Any, *, issuer: str, now: datetime, default_id: str
) -> dict[str, Any]:
    """Return the unsigned credential to secure. Raises MALFORMED_VALUE_ERROR or
    INVALID_CREDENTIAL (from :func:`pidm.vc.validate_credential`)."""
    if not isinstance(body, Mapping):
        raise MalformedValueError("the request must be a JSON object")
    credential = body.get("credential")
    if not isinstance(credential, Mapping):
        raise MalformedValueError("'credential' must be a JSON object")
    _check_options(body.get("options", {}))
    doc = dict(credential)
    context = doc.get("@context")
    if not isinstance(context, list) or not context or context[0] != VCDM2_CONTEXT:
        raise MalformedValueError(f"'@context' must be a list starting with {VCDM2_CONTEXT}")
    for member in ("proof", "credentialStatus"):
        if member in doc:
            raise MalformedValueError(f"'{member}' is set by the issuer; remove it")
    named = doc.get("issuer", issuer)
    named_id = named.get("id") if isinstance(named, Mapping) else named
    if named_id != issuer:
        raise MalformedValueError(f"'issuer' {shorten(named_id)} is not this issuer ({issuer})")
    doc["issuer"] = named
    doc.setdefault("id", default_id)
    doc.setdefault("validFrom", format_datetime(now))
    for name in ("validFrom", "validUntil"):
        if name in doc:
            parse_datetime(doc[name], name)
    from pidm.vc import validate_credential

    validate_credential(doc)
    return doc


def _check_options(options: Any) -> None:
    if not isinstance(options, Mapping):
        raise MalformedValueError("'options' must be a JSON object")
    unknown = sorted(set(options) - _ALLOWED_OPTIONS)
    if unknown:
        raise MalformedValueError(f"unsupported options {unknown}")
    suite = options.get("cryptosuite", "eddsa-rdfc-2022")
    if suite != "eddsa-rdfc-2022":
        raise MalformedValueError(f"only eddsa-rdfc-2022 is offered, not {shorten(suite)}")
    purpose = options.get("proofPurpose", "assertionMethod")
    if purpose != "assertionMethod":
        raise MalformedValueError(f"proofPurpose must be assertionMethod, not {shorten(purpose)}")
