"""RFC 9901 / SD-JWT VC draft-18 examples and the sd-jwt-python test cases, as ground truth."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from pidm.jose import decode_jwt
from pidm.keys import KeyPair, PublicKey
from pidm.sdjwt import (
    Disclosure,
    SdJwt,
    issue_sd_jwt,
    present_sd_jwt,
    sd_digest,
    verify_sd_jwt,
)
from pidm.verification import CheckStatus
from tests.spec_vectors import load_vector, vector_path
from tests.unit.sdjwt.specyaml import holder_paths, load_spec, split_sd

RFC = ("sd-jwt", "rfc9901-examples")
VC = ("sd-jwt", "sd-jwt-vc-draft18-examples")
PY = ("sd-jwt", "sd-jwt-python-testcases")
RFC_EXAMPLES = [
    "address_only_flat",
    "address_only_recursive",
    "address_only_structured",
    "arf-pid",
    "complex_ekyc",
    "jsonld",
    "simple",
    "simple_structured",
]
WITH_PRESENTATION = ["arf-pid", "complex_ekyc", "jsonld", "simple", "simple_structured"]
VC_EXAMPLES = ["01", "02", "03-pid"]
PY_CASES = [
    "array_data_types",
    "array_full_sd",
    "array_in_sd",
    "array_nested_in_plain",
    "array_none_disclosed",
    "array_of_nulls",
    "array_of_objects",
    "array_of_scalars",
    "array_recursive_sd",
    "array_recursive_sd_some_disclosed",
    "header_mod",
    "json_serialization_flattened",
    "json_serialization_general",
    "key_binding",
    "no_sd",
    "object_data_types",
    "recursions",
]
KEYS = load_vector(*RFC, "keys.json")
ISSUER = KeyPair.from_jwk(KEYS["issuer_keys"][0]["private_jwk"])
HOLDER = KeyPair.from_jwk(KEYS["holder_key"]["private_jwk"])
NONCE = KEYS["key_binding_nonce"]


def _mt_rng(seed: int = 0) -> Callable[[int], bytes]:
    """The generator's (unsafe, deterministic) salt source: Mersenne Twister seeded 0."""
    twister = random.Random(seed)
    return lambda n: bytes(twister.getrandbits(8) for _ in range(n))


def _at(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _verify_vector(text: str, folder: tuple[str, ...], typ: str | None) -> dict[str, Any]:
    sd = SdJwt.parse(text)
    kwargs: dict[str, Any] = {}
    now = _at(1683000000 + 10)
    if sd.kb_jwt is not None:
        kb = decode_jwt(sd.kb_jwt).payload
        now = _at(kb["iat"] + 5)
        kwargs = {"audience": kb["aud"], "nonce": NONCE}
        assert kb["nonce"] == NONCE
    result = verify_sd_jwt(text, issuer_key=ISSUER.public, now=now, typ=typ, **kwargs)
    assert result.valid, result.to_json()
    if sd.kb_jwt is not None:
        assert result.check("holder_binding").status is CheckStatus.PASSED  # type: ignore[union-attr]
    return result.claims


def test_disclosure_primitives() -> None:
    prim = load_vector(*RFC, "disclosure_primitives.json")
    obj = prim["object_property_disclosure"]
    salt, name, value = obj["input_array_printed_in_spec"]
    printed = Disclosure.parse(obj["disclosure_printed_in_spec"])
    assert (printed.salt, printed.name, printed.value) == (salt, name, value)
    assert printed.digest == obj["sha256_digest_b64url_printed_in_spec_section_4.2.3"]
    # We encode like the spec's generator: the "\u00f6 escape" variant of the same claim.
    made = Disclosure.create(salt, name, value)
    escaped = prim["equivalent_encodings_of_same_claim"][0]
    assert "u00f6" in escaped["variant"]
    assert made.encoded == escaped["disclosure_printed_in_spec"]
    assert made.digest == escaped["sha256_digest_b64url_computed"]
    for variant in prim["equivalent_encodings_of_same_claim"]:
        parsed = Disclosure.parse(variant["disclosure_printed_in_spec"])
        assert (parsed.salt, parsed.name, parsed.value) == (salt, name, value)
        assert parsed.digest == variant["sha256_digest_b64url_computed"]
    arr = prim["array_element_disclosure"]
    made = Disclosure.create(*arr["input_array_printed_in_spec"][:1], None, "FR")
    assert made.encoded == arr["disclosure_printed_in_spec"]
    assert made.digest == arr["sha256_digest_b64url_computed"]


@pytest.mark.parametrize("example", RFC_EXAMPLES)
def test_rfc_disclosures_and_digests(example: str) -> None:
    for item in load_vector(*RFC, example, "disclosures.json"):
        parsed = Disclosure.parse(item["disclosure"])
        assert parsed.digest == item["sha256_digest_b64url"] == sd_digest(item["disclosure"])
        assert parsed.to_json() == item["decoded"]


@pytest.mark.parametrize("example", WITH_PRESENTATION)
def test_rfc_presentation_verifies_to_printed_contents(example: str) -> None:
    text = load_vector(*RFC, example, "sd_jwt_presentation.compact.txt")
    typ = "dc+sd-jwt" if example == "arf-pid" else "example+sd-jwt"
    claims = _verify_vector(text, (*RFC, example), typ)
    assert claims == load_vector(*RFC, example, "verified_contents.json")
    sd = SdJwt.parse(text)
    assert sd.payload == load_vector(*RFC, example, "sd_jwt_payload.json")
    if vector_path(*RFC, example).joinpath("kb_jwt_payload.json").exists():
        kb = decode_jwt(sd.kb_jwt or "").payload
        assert kb["sd_hash"] == sd.sd_hash()
        assert kb == load_vector(*RFC, example, "kb_jwt_payload.json")


@pytest.mark.parametrize("example", ["arf-pid", "simple"])
def test_rfc_issuance_verifies_with_every_claim(example: str) -> None:
    text = load_vector(*RFC, example, "sd_jwt_issuance.compact.txt")
    typ = "dc+sd-jwt" if example == "arf-pid" else "example+sd-jwt"
    claims = _verify_vector(text, (*RFC, example), typ)
    user = load_vector(*RFC, example, "user_claims.json")
    assert {k: claims[k] for k in user} == user


@pytest.mark.parametrize("example", ["json_serialization_flattened", "json_serialization_general"])
def test_rfc_json_serialization(example: str) -> None:
    text = vector_path(*RFC, example, "sd_jwt_presentation.unwrapped.json").read_text()
    claims = _verify_vector(text, (*RFC, example), "example+sd-jwt")
    assert {claims["given_name"], claims["family_name"]} == {"John", "Doe"}
    assert "email" not in claims


@pytest.mark.parametrize(
    "example",
    [
        "simple",
        "address_only_flat",
        "address_only_recursive",
        "address_only_structured",
        "address_only_structured_one_open",
        "complex_ekyc",
        "arf-pid",
        "jsonld",
    ],
)
def test_rfc_issuance_reproduced_with_generator_salts(example: str) -> None:
    """Our issuer, fed the generator's seed-0 salts, writes the RFC's payload and disclosures."""
    spec = load_spec(vector_path(*RFC, example, "specification.yml"))
    expected = load_vector(*RFC, example, "sd_jwt_payload.json")
    user, paths = split_sd(spec["user_claims"])
    claims = {k: expected[k] for k in ("iss", "iat", "exp") if k in expected} | user
    holder = PublicKey.from_jwk(expected["cnf"]["jwk"]) if "cnf" in expected else None
    typ = "dc+sd-jwt" if example == "arf-pid" else "example+sd-jwt"
    issued = issue_sd_jwt(
        claims, signer=ISSUER, disclose=paths, holder_key=holder, typ=typ, rng=_mt_rng()
    )
    sd = SdJwt.parse(issued)
    assert sd.payload == expected
    if vector_path(*RFC, example).joinpath("disclosures.json").exists():
        listed = {d["disclosure"] for d in load_vector(*RFC, example, "disclosures.json")}
        assert set(sd.disclosures) == listed


@pytest.mark.parametrize("example", VC_EXAMPLES)
def test_sd_jwt_vc_examples(example: str) -> None:
    for name in ("sd_jwt_issuance.compact.txt", "sd_jwt_presentation.compact.txt"):
        if not (vector_path(*VC, example).joinpath(name)).exists():
            continue
        text = load_vector(*VC, example, name)
        claims = _verify_vector(text, (*VC, example), "dc+sd-jwt")
        if name.startswith("sd_jwt_presentation"):
            assert claims == load_vector(*VC, example, "verified_contents.json")
    if example == "02":  # printed without its disclosure list
        return
    for item in load_vector(*VC, example, "disclosures.json"):
        assert Disclosure.parse(item["disclosure"]).digest == item["sha256_digest_b64url"]


@pytest.mark.parametrize("case", PY_CASES)
@pytest.mark.parametrize("alg", ["ES256", "Ed25519"])
def test_python_testcases_round_trip(case: str, alg: str) -> None:
    """issue → present → verify yields ``expect_verified_user_claims``."""
    spec = load_spec(vector_path(*PY, case, "specification.yml"))
    user, paths = split_sd(spec["user_claims"])
    issuer = ISSUER if alg == "ES256" else KeyPair.from_private_bytes("Ed25519", b"\x01" * 32)
    holder = HOLDER if alg == "ES256" else KeyPair.from_private_bytes("Ed25519", b"\x02" * 32)
    issued = issue_sd_jwt(
        {"iss": "https://example.com/issuer", "iat": 1683000000, "exp": 1883000000} | user,
        signer=issuer,
        disclose=paths,
        holder_key=holder.public,
        typ="example+sd-jwt",
        decoys=4 if spec.get("add_decoy_claims") else 0,
        header=spec.get("extra_header_parameters"),
        rng=_mt_rng(),
    )
    now = _at(1700000000)
    presentation = present_sd_jwt(
        issued,
        disclose=holder_paths(spec["holder_disclosed_claims"]),
        holder=holder,
        audience="https://example.com/verifier",
        nonce=NONCE,
        issued_at=now,
    )
    result = verify_sd_jwt(
        presentation,
        issuer_key=issuer.public,
        now=now,
        typ="example+sd-jwt",
        audience="https://example.com/verifier",
        nonce=NONCE,
    )
    assert result.valid, result.to_json()
    registered = {"iss", "iat", "exp", "cnf"}
    got = {k: v for k, v in result.claims.items() if k not in registered}
    assert got == spec["expect_verified_user_claims"]
    assert json.dumps(got)  # plain JSON values only
