"""Hostile SD-JWTs: refused algorithms, oversized input, deep nesting, tampering (hypothesis)."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pidm.encoding import b64url_encode
from pidm.jose import sign_jwt
from pidm.keys import KeyPair
from pidm.sdjwt import MAX_DISCLOSURES, MAX_SD_JWT_BYTES, SdJwt
from pidm.sdjwt.disclosure import ELLIPSIS, SD_KEY
from tests.unit.sdjwt.helpers import (
    AUD,
    HOLDER,
    ISSUER,
    NONCE,
    NOW,
    base_payload,
    disclosure,
    failed,
    forge,
    issue,
    present,
    verify,
)

ISSUED = issue()
PRESENTED = present(ISSUED)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _raw_jws(header: dict[str, Any], payload: dict[str, Any], sig: bytes) -> str:
    head = b64url_encode(json.dumps(header).encode())
    body = b64url_encode(json.dumps(payload).encode())
    return f"{head}.{body}.{b64url_encode(sig)}"


def _with_issuer_jwt(token: str) -> str:
    sd = SdJwt.parse(PRESENTED)
    return "~".join((token, *sd.disclosures, sd.kb_jwt or ""))


def test_rejects_alg_none() -> None:
    payload = SdJwt.parse(ISSUED).payload
    token = _with_issuer_jwt(_raw_jws({"alg": "none", "typ": "dc+sd-jwt"}, payload, b""))
    assert failed(verify(token)) == {"signature": "UNSUPPORTED_ALGORITHM"}


def test_rejects_hs256_with_public_key() -> None:
    payload = SdJwt.parse(ISSUED).payload
    head = b64url_encode(json.dumps({"alg": "HS256", "typ": "dc+sd-jwt"}).encode())
    body = b64url_encode(json.dumps(payload).encode())
    mac = hmac.new(ISSUER.public.raw, f"{head}.{body}".encode(), hashlib.sha256).digest()
    token = _with_issuer_jwt(f"{head}.{body}.{b64url_encode(mac)}")
    assert failed(verify(token)) == {"signature": "UNSUPPORTED_ALGORITHM"}


def test_rejects_alg_key_mismatch() -> None:
    ec = KeyPair.generate("ES256").with_key_id(ISSUER.key_id)
    token = sign_jwt({"typ": "dc+sd-jwt"}, SdJwt.parse(ISSUED).payload, ec)
    assert failed(verify(_with_issuer_jwt(token))) == {"signature": "UNSUPPORTED_ALGORITHM"}


def test_rejects_kb_jwt_alg_none() -> None:
    sd = SdJwt.parse(PRESENTED)
    kb = _raw_jws({"alg": "none", "typ": "kb+jwt"},
                  {"iat": int(NOW.timestamp()), "aud": AUD, "nonce": NONCE,
                   "sd_hash": sd.sd_hash()}, b"")
    assert failed(verify(sd.unbound + kb)) == {"holder_binding": "KB_JWT_INVALID"}


def test_rejects_crit_header() -> None:
    token = sign_jwt({"typ": "dc+sd-jwt"}, SdJwt.parse(ISSUED).payload, ISSUER)
    head = b64url_encode(json.dumps({"alg": "EdDSA", "typ": "dc+sd-jwt", "crit": ["b64"],
                                     "b64": False}).encode())
    forged = head + token[token.index("."):]
    assert failed(verify(_with_issuer_jwt(forged))) == {"signature": "PARSING_ERROR"}


def test_rejects_oversized_token() -> None:
    huge = PRESENTED.replace("~", "~" + "A" * MAX_SD_JWT_BYTES + "~", 1)
    assert failed(verify(huge)) == {"signature": "PAYLOAD_TOO_LARGE"}


def test_rejects_oversized_issuer_jwt() -> None:
    token = forge(base_payload(blob="x" * 300_000), [])
    assert failed(verify(token, audience=None, nonce=None)) == {"signature": "PAYLOAD_TOO_LARGE"}


def test_rejects_too_many_disclosures() -> None:
    d = disclosure("a", 1).encoded
    token = forge(base_payload(), [d] * (MAX_DISCLOSURES + 1))
    assert failed(verify(token, audience=None, nonce=None)) == {"signature": "PAYLOAD_TOO_LARGE"}


def test_rejects_deep_disclosure_chain() -> None:
    chain: list[str] = []
    digest: str | None = None
    for level in range(200):
        value: Any = {SD_KEY: [digest]} if digest else "leaf"
        d = disclosure("n", value, salt=f"s{level}")
        chain.append(d.encoded)
        digest = d.digest
    token = forge(base_payload(_sd=[digest]), chain)
    assert failed(verify(token, audience=None, nonce=None)) == {"disclosures": "DISCLOSURE_INVALID"}


def test_rejects_deep_json_nesting() -> None:
    deep: Any = "x"
    for _ in range(100):
        deep = [deep]
    token = forge(base_payload(deep=deep), [])
    assert failed(verify(token, audience=None, nonce=None)) == {"signature": "PARSING_ERROR"}


def test_rejects_json_serialization_garbage() -> None:
    for text in ('{"payload": 1}', '{"payload": "e30", "signatures": []}', "{", "[]"):
        assert failed(verify(text))["signature"] == "PARSING_ERROR", text


# --- properties ----------------------------------------------------------------------------------
def _parents() -> dict[str, str | None]:
    """digest -> digest of the disclosure whose value references it (None: the payload)."""
    sd = SdJwt.parse(ISSUED)
    out: dict[str, str | None] = {}

    def walk(node: Any, owner: str | None) -> None:
        if isinstance(node, dict):
            for digest in node.get(SD_KEY, []):
                out[digest] = owner
            if ELLIPSIS in node and len(node) == 1:
                out[node[ELLIPSIS]] = owner
            for key, value in node.items():
                if key != SD_KEY:
                    walk(value, owner)
        elif isinstance(node, list):
            for item in node:
                walk(item, owner)

    walk(sd.payload, None)
    for d in sd.decoded():
        walk(d.value, d.digest)
    return out


PARENTS = _parents()
DECODED = SdJwt.parse(ISSUED).decoded()


@FAST
@given(st.sets(st.integers(0, len(DECODED) - 1)))
def test_any_parent_closed_subset_verifies(indices: set[int]) -> None:
    chosen = {DECODED[i].digest for i in indices}
    for digest in list(chosen):
        parent = PARENTS[digest]
        while parent is not None:
            chosen.add(parent)
            parent = PARENTS[parent]
    subset = [d for d in DECODED if d.digest in chosen]
    sd = SdJwt.parse(ISSUED).with_disclosures(tuple(d.encoded for d in subset))
    out = present(sd.serialize(), disclose=None)
    result = verify(out)
    assert result.valid, result.to_json()
    revealed = {d.name for d in subset if d.name is not None}
    top = {"given_name", "family_name", "birthdate", "address"}
    assert set(result.claims) & top == revealed & top
    assert len(result.claims["nationalities"]) == sum(1 for d in subset if d.name is None)


@FAST
@given(st.sets(st.integers(0, len(DECODED) - 1), min_size=1))
def test_subset_missing_a_parent_is_orphaned(indices: set[int]) -> None:
    subset = [DECODED[i] for i in sorted(indices)]
    chosen = {d.digest for d in subset}
    if all(PARENTS[d.digest] is None or PARENTS[d.digest] in chosen for d in subset):
        return  # closed under parents: covered by the property above
    sd = SdJwt.parse(ISSUED).with_disclosures(tuple(d.encoded for d in subset))
    assert failed(verify(sd.serialize(), audience=None, nonce=None)) == {
        "disclosures": "DISCLOSURE_ORPHAN"
    }


_REPLACEMENT = st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters="~")
_ISSUER_CODES = {"PROOF_VERIFICATION_ERROR", "PARSING_ERROR", "UNSUPPORTED_ALGORITHM",
                 "MALFORMED_VALUE_ERROR"}


def _mutate(text: str, position: int, char: str) -> str | None:
    position %= len(text)
    if text[position] == char:
        return None
    return text[:position] + char + text[position + 1:]


@FAST
@given(st.data(), st.integers(0, 10_000), _REPLACEMENT)
def test_single_byte_change_to_a_disclosure_fails(data: Any, position: int, char: str) -> None:
    sd = SdJwt.parse(PRESENTED)
    index = data.draw(st.integers(0, len(sd.disclosures) - 1))
    mutated = _mutate(sd.disclosures[index], position, char)
    if mutated is None:
        return
    disclosures = list(sd.disclosures)
    disclosures[index] = mutated
    token = "~".join((sd.issuer_jwt, *disclosures, sd.kb_jwt or ""))
    result = verify(token)
    codes = failed(result)
    assert codes["disclosures"] in {"DISCLOSURE_INVALID", "DISCLOSURE_ORPHAN"}
    assert codes["holder_binding"] == "KB_JWT_INVALID"
    assert result.claims == {}


@FAST
@given(st.integers(0, 10_000), _REPLACEMENT)
def test_single_byte_change_to_the_issuer_jwt_fails(position: int, char: str) -> None:
    sd = SdJwt.parse(PRESENTED)
    mutated = _mutate(sd.issuer_jwt, position, char)
    if mutated is None:
        return
    result = verify("~".join((mutated, *sd.disclosures, sd.kb_jwt or "")))
    codes = failed(result)
    assert codes["signature"] in _ISSUER_CODES, codes
    assert result.claims == {}


@FAST
@given(st.integers(0, 10_000), _REPLACEMENT)
def test_single_byte_change_to_the_kb_jwt_fails(position: int, char: str) -> None:
    sd = SdJwt.parse(PRESENTED)
    mutated = _mutate(sd.kb_jwt or "", position, char)
    if mutated is None:
        return
    result = verify(sd.unbound + mutated)
    assert failed(result) == {"holder_binding": "KB_JWT_INVALID"}
    assert result.claims == {}


@FAST
@given(st.text(max_size=300))
def test_arbitrary_text_never_crashes(text: str) -> None:
    assert not verify(text).valid


@FAST
@given(st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["_sd", "...", "a", "_sd_alg", "cnf", "exp"]), inner, max_size=3),
    max_leaves=12,
))
def test_arbitrary_signed_payload_never_crashes(extra: Any) -> None:
    token = forge(base_payload(x=extra, _sd=extra if isinstance(extra, list) else []), [])
    result = verify(token, audience=None, nonce=None)
    assert result.check("signature").status.value == "passed"  # type: ignore[union-attr]


def test_holder_key_used_by_tests_is_the_cnf_key() -> None:
    assert SdJwt.parse(ISSUED).payload["cnf"]["jwk"] == HOLDER.public.to_jwk()
