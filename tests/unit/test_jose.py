"""The JWS/JWT layer: round trips, the algorithm allow-list and hostile tokens."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pidm.encoding import b64url_decode, b64url_encode
from pidm.errors import PidmError
from pidm.jose import (
    MAX_JWT_BYTES,
    b64url_strict,
    decode_jwt,
    issuer_key_id,
    json_loads,
    sign_jwt,
    verify_jwt,
    verify_jwt_with_resolver,
)
from pidm.keys import KeyPair

ED = KeyPair.from_private_bytes("Ed25519", bytes(range(32)), "did:example:ed#k1")
EC = KeyPair.from_private_bytes("ES256", bytes(range(1, 33)), "did:example:ec#k1")


def _forge(header: dict[str, object], payload: dict[str, object], sig: bytes = b"x" * 64) -> str:
    head = b64url_encode(json.dumps(header).encode())
    body = b64url_encode(json.dumps(payload).encode())
    return f"{head}.{body}.{b64url_encode(sig)}"


def _code(fn: object, *args: object, **kwargs: object) -> str:
    with pytest.raises(PidmError) as info:
        fn(*args, **kwargs)  # type: ignore[operator]
    return info.value.code


@pytest.mark.parametrize("pair", [ED, EC], ids=["EdDSA", "ES256"])
def test_sign_and_verify_round_trip(pair: KeyPair) -> None:
    token = sign_jwt({"typ": "JWT"}, {"iss": "did:example:x", "n": "Möbius"}, pair)
    jwt = verify_jwt(token, pair.public, typ="jwt")
    assert jwt.header == {"alg": pair.public.jose_alg, "typ": "JWT", "kid": pair.key_id}
    assert jwt.payload == {"iss": "did:example:x", "n": "Möbius"}
    assert len(jwt.signature) == 64


def test_kid_not_set_when_header_has_jwk() -> None:
    token = sign_jwt({"jwk": ED.public.to_jwk()}, {}, ED)
    assert "kid" not in decode_jwt(token).header


def test_sign_refuses_conflicting_alg() -> None:
    assert _code(sign_jwt, {"alg": "ES256"}, {}, ED) == "UNSUPPORTED_ALGORITHM"


def test_rejects_alg_none() -> None:
    token = _forge({"alg": "none"}, {"a": 1}, b"")
    assert _code(verify_jwt, token, ED.public) == "UNSUPPORTED_ALGORITHM"


@pytest.mark.parametrize("alg", ["HS256", "HS384", "HS512"])
def test_rejects_hs256_with_public_key(alg: str) -> None:
    import hashlib
    import hmac

    head = b64url_encode(json.dumps({"alg": alg}).encode())
    body = b64url_encode(b'{"a":1}')
    # The classic confusion attack: HMAC keyed with the public key bytes.
    mac = hmac.new(ED.public.raw, f"{head}.{body}".encode(), hashlib.sha256).digest()
    token = f"{head}.{body}.{b64url_encode(mac)}"
    assert _code(verify_jwt, token, ED.public) == "UNSUPPORTED_ALGORITHM"


def test_rejects_alg_key_mismatch() -> None:
    token = sign_jwt({}, {"a": 1}, EC)
    assert _code(verify_jwt, token, ED.public) == "UNSUPPORTED_ALGORITHM"
    token = sign_jwt({}, {"a": 1}, ED)
    assert _code(verify_jwt, token, EC.public) == "UNSUPPORTED_ALGORITHM"


@pytest.mark.parametrize("alg", ["RS256", "PS256", "ES384", "ES256K", "Ed25519", "eddsa", ""])
def test_rejects_algorithms_outside_allow_list(alg: str) -> None:
    assert _code(verify_jwt, _forge({"alg": alg}, {}), ED.public) == "UNSUPPORTED_ALGORITHM"


def test_rejects_oversized_token() -> None:
    token = sign_jwt({}, {"blob": "a" * MAX_JWT_BYTES}, ED)
    assert _code(verify_jwt, token, ED.public) == "PAYLOAD_TOO_LARGE"


def test_rejects_crit_header() -> None:
    token = _forge({"alg": "EdDSA", "crit": ["exp"], "exp": 1}, {})
    assert _code(decode_jwt, token) == "PARSING_ERROR"


def test_rejects_bad_signature() -> None:
    token = sign_jwt({}, {"a": 1}, ED)
    head, body, sig = token.split(".")
    bad = bytearray(b64url_decode(sig))
    bad[0] ^= 1
    assert _code(verify_jwt, f"{head}.{body}.{b64url_encode(bytes(bad))}", ED.public) == (
        "PROOF_VERIFICATION_ERROR"
    )
    other = KeyPair.generate()
    assert _code(verify_jwt, token, other.public) == "PROOF_VERIFICATION_ERROR"


def test_rejects_wrong_typ() -> None:
    token = sign_jwt({"typ": "kb+jwt"}, {}, ED)
    assert verify_jwt(token, ED.public, typ="application/KB+JWT").header["typ"] == "kb+jwt"
    assert _code(verify_jwt, token, ED.public, typ="dc+sd-jwt") == "MALFORMED_VALUE_ERROR"


@pytest.mark.parametrize(
    "token",
    [
        "",
        "a.b",
        "a.b.c.d",
        "!!!.e30.AA",
        "e30.e30.AA",  # header without alg
        b64url_encode(b'{"alg":"EdDSA"}') + "." + b64url_encode(b"[1]") + ".AA",
        b64url_encode(b'{"alg":"EdDSA"}') + "." + b64url_encode(b'{"a":NaN}') + ".AA",
        b64url_encode(b'{"alg":"EdDSA","alg":"none"}') + ".e30.AA",
        b64url_encode(b'{"alg":"EdDSA"}') + "." + b64url_encode(b"[" * 5000) + ".AA",
        b64url_encode(b'{"alg":"EdDSA"}') + "." + b64url_encode(b"\xff\xfe") + ".AA",
        b64url_encode(b'{"alg":"EdDSA"}') + ".e30=.AA",
    ],
)
def test_rejects_garbage(token: str) -> None:
    assert _code(decode_jwt, token) == "PARSING_ERROR"


def test_rejects_deep_nesting() -> None:
    deep = "[" * 100 + "]" * 100
    token = b64url_encode(b'{"alg":"EdDSA"}') + "." + b64url_encode(
        ('{"a":' + deep + "}").encode()
    ) + ".AA"
    assert _code(decode_jwt, token) == "PARSING_ERROR"


@pytest.mark.parametrize("depth", [100, 1_000, 100_000])
@pytest.mark.parametrize(("open_", "close"), [("[", "]"), ('{"a":', "}")])
def test_json_nested_too_deeply_says_so(depth: int, open_: str, close: str) -> None:
    # 1_000 and more levels overflow the decoder itself: still "nested", not "not valid JSON"
    with pytest.raises(PidmError) as info:
        json_loads((open_ * depth + "1" + close * depth).encode(), what="request body")
    assert (info.value.code, str(info.value)) == (
        "PARSING_ERROR", "request body is nested deeper than 64 levels")
    assert json_loads("[" * 64 + "]" * 64) is not None
    with pytest.raises(PidmError, match="^request body is not valid JSON$"):
        json_loads(b"[" * 64, what="request body")


def test_issuer_key_id_forms() -> None:
    did = "did:key:z6Mkabc"
    jwt = decode_jwt(_forge({"alg": "EdDSA", "kid": did + "#z6Mkabc"}, {"iss": did}))
    assert issuer_key_id(jwt) == did + "#z6Mkabc"
    jwt = decode_jwt(_forge({"alg": "EdDSA", "kid": "key-1"}, {"iss": did}))
    assert issuer_key_id(jwt) == did + "#key-1"
    jwt = decode_jwt(_forge({"alg": "EdDSA", "kid": "did:key:zOther#x"}, {"iss": did}))
    assert _code(issuer_key_id, jwt) == "PROOF_VERIFICATION_ERROR"
    jwt = decode_jwt(_forge({"alg": "EdDSA"}, {"iss": did}))
    assert issuer_key_id(jwt) == did
    jwt = decode_jwt(_forge({"alg": "EdDSA"}, {"iss": "https://issuer.example"}))
    assert _code(issuer_key_id, jwt) == "VERIFICATION_METHOD_NOT_FOUND"
    jwt = decode_jwt(_forge({"alg": "EdDSA", "kid": "k"}, {"iss": "https://issuer.example"}))
    assert _code(issuer_key_id, jwt) == "VERIFICATION_METHOD_NOT_FOUND"


async def test_verify_jwt_with_resolver_did_key() -> None:
    from pidm.did.key import did_key, did_key_vm_id
    from pidm.did.resolver import MethodRouter

    pair = KeyPair.generate().with_key_id("")
    pair = pair.with_key_id(did_key_vm_id(pair.public))
    token = sign_jwt({"typ": "JWT"}, {"iss": did_key(pair.public)}, pair)
    jwt, vm = await verify_jwt_with_resolver(token, MethodRouter(), typ="JWT")
    assert vm.id == pair.key_id and jwt.payload["iss"] == did_key(pair.public)
    other = KeyPair.generate()
    forged = sign_jwt({}, {"iss": did_key(pair.public)}, other.with_key_id(pair.key_id))
    with pytest.raises(PidmError) as info:
        await verify_jwt_with_resolver(forged, MethodRouter())
    assert info.value.code == "PROOF_VERIFICATION_ERROR"


@given(st.one_of(
    st.text(alphabet="ABCXYZabcxyz0189-_+/=!. é\n", max_size=12),
    st.binary(max_size=12).map(b64url_encode),
    st.binary(min_size=1, max_size=12).map(b64url_encode).flatmap(
        lambda t: st.sampled_from("AQgw_-+=").map(lambda c: t[:-1] + c)
    ),
))
def test_fast_base64url_matches_strict_decoder(text: str) -> None:
    from pidm.encoding import b64url_decode

    try:
        expected: bytes | None = b64url_decode(text)
    except PidmError:
        expected = None
    assert b64url_strict(text) == expected


@pytest.mark.parametrize(("open_", "close"), [("[", "]"), ('{"a":', "}")])
def test_json_depth_limit_is_exact(open_: str, close: str) -> None:
    from pidm.jose import MAX_JSON_DEPTH

    def nested(depth: int) -> bytes:
        return (open_ * depth + "1" + close * depth).encode()

    value = json_loads(nested(MAX_JSON_DEPTH))
    for _ in range(MAX_JSON_DEPTH - 1):
        value = value[0] if isinstance(value, list) else value["a"]
    assert value in ([1], {"a": 1})
    with pytest.raises(PidmError, match=f"nested deeper than {MAX_JSON_DEPTH} levels"):
        json_loads(nested(MAX_JSON_DEPTH + 1))


@pytest.mark.parametrize("text", ["1e999", "[-1e999]", '{"a": 1E400}'])
def test_json_numbers_beyond_a_double_are_refused(text: str) -> None:
    with pytest.raises(PidmError) as info:
        json_loads(text)
    assert info.value.code == "PARSING_ERROR"
    assert "beyond a double" in str(info.value)
    assert json_loads('{"a": 1.5e308}') == {"a": 1.5e308}
