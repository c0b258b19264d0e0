"""Status lists: W3C Bitstring Status List v1.0 and IETF Token Status List (JWT).

Modules: :mod:`~pidm.status.packed` (n-bit arrays, both bit orders), :mod:`~pidm.status.inflate`
(bounded GZIP/ZLIB), :mod:`~pidm.status.bitstring` and :mod:`~pidm.status.bitstring_vc` (W3C),
:mod:`~pidm.status.token` (IETF), :mod:`~pidm.status.check` (pure checks and ``check_status``)
and :mod:`~pidm.status.client` (the cached, verifying list client).
"""

from __future__ import annotations

from pidm.status.bitstring import MIN_ENTRIES, decode_bitstring, encode_bitstring, new_bitstring
from pidm.status.bitstring_vc import (
    BitstringStatusListCredential,
    BitstringStatusListEntry,
    status_list_credential,
    status_list_entry,
)
from pidm.status.check import (
    StatusListClient,
    StatusResult,
    VerifiedBitstringList,
    VerifiedTokenList,
    check_status,
    status_check,
    status_of,
    token_status_of,
)
from pidm.status.client import CachedStatusListClient
from pidm.status.packed import BitOrder, MutableStatusList, StatusList
from pidm.status.token import (
    StatusListToken,
    TokenStatus,
    TokenStatusReference,
    decode_lst,
    encode_lst,
    new_token_list,
    sign_status_list_token,
    status_claim,
    status_list_token_claims,
)

__all__ = [
    "MIN_ENTRIES",
    "BitOrder",
    "BitstringStatusListCredential",
    "BitstringStatusListEntry",
    "CachedStatusListClient",
    "MutableStatusList",
    "StatusList",
    "StatusListClient",
    "StatusListToken",
    "StatusResult",
    "TokenStatus",
    "TokenStatusReference",
    "VerifiedBitstringList",
    "VerifiedTokenList",
    "check_status",
    "decode_bitstring",
    "decode_lst",
    "encode_bitstring",
    "encode_lst",
    "new_bitstring",
    "new_token_list",
    "sign_status_list_token",
    "status_check",
    "status_claim",
    "status_list_credential",
    "status_list_entry",
    "status_list_token_claims",
    "status_of",
    "token_status_of",
]
