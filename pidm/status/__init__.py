"""Status lists: W3C Bitstring Status List v1.0 and IETF Token Status List (JWT).

Modules: :mod:`~pidm.status.packed` (n-bit arrays, both bit orders), :mod:`~pidm.status.inflate`
(bounded GZIP/ZLIB), :mod:`~pidm.status.bitstring` and :mod:`~pidm.status.bitstring_vc` (W3C),
:mod:`~pidm.status.token` (IETF), :mod:`~pidm.status.check` (pure checks and ``check_status``)
and :mod:`~pidm.status.client` (the cached, verifying list client).
"""
