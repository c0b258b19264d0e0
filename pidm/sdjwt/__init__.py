"""SD-JWT (RFC 9901) and SD-JWT VC: issue, present and verify, with key binding.

Modules follow the spec's roles: :mod:`~pidm.sdjwt.issuer`, :mod:`~pidm.sdjwt.holder`,
:mod:`~pidm.sdjwt.verifier`; :mod:`~pidm.sdjwt.disclosure` and :mod:`~pidm.sdjwt.token` hold the
data formats, :mod:`~pidm.sdjwt.paths` the claim-path syntax shared with DCQL and the CLI.
"""

from __future__ import annotations

from pidm.sdjwt.disclosure import SD_ALG, Disclosure, sd_digest
from pidm.sdjwt.holder import KB_JWT_TYP, key_binding_jwt, present_sd_jwt, select_disclosures
from pidm.sdjwt.issuer import NEVER_DISCLOSABLE, SD_JWT_VC_TYP, issue_sd_jwt
from pidm.sdjwt.paths import ClaimPath, format_claim_path, parse_claim_path
from pidm.sdjwt.process import Processed, process_payload
from pidm.sdjwt.token import MAX_DISCLOSURES, MAX_SD_JWT_BYTES, SdJwt
from pidm.sdjwt.verifier import (
    DEFAULT_KB_MAX_AGE,
    DEFAULT_SKEW,
    check_key_binding,
    verify_sd_jwt,
    verify_sd_jwt_vc,
)

__all__ = [
    "DEFAULT_KB_MAX_AGE",
    "DEFAULT_SKEW",
    "KB_JWT_TYP",
    "MAX_DISCLOSURES",
    "MAX_SD_JWT_BYTES",
    "NEVER_DISCLOSABLE",
    "SD_ALG",
    "SD_JWT_VC_TYP",
    "ClaimPath",
    "Disclosure",
    "Processed",
    "SdJwt",
    "check_key_binding",
    "format_claim_path",
    "issue_sd_jwt",
    "key_binding_jwt",
    "parse_claim_path",
    "present_sd_jwt",
    "process_payload",
    "sd_digest",
    "select_disclosures",
    "verify_sd_jwt",
    "verify_sd_jwt_vc",
]
