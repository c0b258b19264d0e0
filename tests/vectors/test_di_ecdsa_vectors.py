"""W3C vc-di-ecdsa test vectors (ecdsa-rdfc-2019, ecdsa-jcs-2019; P-256 and P-384), every
intermediate byte for byte: canonical document and its hash, canonical proof configuration and its
hash, the combined hash data, the signature (ECDSA is deterministic, RFC 6979, in the vectors and
in pidm), the signed document, and its verification through did:key.

README §2 caveat: the P-384 employment vector canonicalizes with SHA-384 as RDFC-1.0's own hash.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import pytest

from pidm.did.key import did_key_vm_id
from pidm.did.resolver import MethodRouter
from pidm.encoding import multibase_decode, multibase_encode
from pidm.integrity import add_proof, canonicalize_rdfc, get_suite, verify_document
from pidm.integrity.suite import Cryptosuite
from pidm.integrity.xsd import parse_datetime
from pidm.keys import KeyPair
from tests.spec_vectors import load_vector

TV = ("vc-di-ecdsa", "TestVectors")
NOW = datetime(2026, 1, 1, tzinfo=UTC)
KEYS = {"ES256": "p256KeyPair.json", "ES384": "p384KeyPair.json"}
HASH = {"ES256": "sha256", "ES384": "sha384"}

# (id, suite, key algorithm, folder, input document, file-name suffix)
Case = tuple[str, str, str, tuple[str, ...], str, str]
CASES: list[Case] = [
    ("rdfc-p256", "ecdsa-rdfc-2019", "ES256", ("ecdsa-rdfc-2019-p256",), "unsigned.json",
     "ECDSAP256"),
    ("rdfc-p256-employ", "ecdsa-rdfc-2019", "ES256", ("ecdsa-rdfc-2019-p256", "employ"),
     "employmentAuth.json", "ECDSAP256"),
    ("rdfc-p384", "ecdsa-rdfc-2019", "ES384", ("ecdsa-rdfc-2019-p384",), "unsigned.json",
     "ECDSAP384"),
    ("rdfc-p384-employ", "ecdsa-rdfc-2019", "ES384", ("ecdsa-rdfc-2019-p384", "employ"),
     "employmentAuth.json", "ECDSAP384"),
    ("jcs-p256", "ecdsa-jcs-2019", "ES256", ("ecdsa-jcs-2019-p256",), "unsigned.json",
     "JCSECDSAP256"),
    ("jcs-p384", "ecdsa-jcs-2019", "ES384", ("ecdsa-jcs-2019-p384",), "unsigned.json",
     "JCSECDSAP384"),
]


@pytest.fixture(params=CASES, ids=[c[0] for c in CASES])
def case(request: pytest.FixtureRequest) -> Case:
    result: Case = request.param
    return result


def vector(case: Case, stem: str) -> Any:
    """The case's ``<stem><suffix>.<ext>`` file (RDFC N-Quads keep their final newline)."""
    _, suite, _, folder, _, suffix = case
    ext = "json" if stem in ("proofConfig", "signed") else "txt"
    value = load_vector(*TV, *folder, f"{stem}{suffix}.{ext}")
    if stem in ("canonDoc", "proofCanon") and suite == "ecdsa-rdfc-2019":
        value += "\n"
    return value


def signer(algorithm: str) -> KeyPair:
    pair = KeyPair.from_multikey(load_vector(*TV, KEYS[algorithm])["secretKeyMultibase"])
    assert pair.algorithm == algorithm
    return pair.with_key_id(did_key_vm_id(pair.public))


def bound(case: Case) -> Cryptosuite:
    return get_suite(case[1]).for_key(case[2])


def document(case: Case) -> Any:
    return load_vector(*TV, case[4])


def test_canonical_document_and_hash(case: Case) -> None:
    canonical = bound(case).transform(document(case), loader=None)
    assert canonical == vector(case, "canonDoc").encode()
    assert hashlib.new(HASH[case[2]], canonical).hexdigest() == vector(case, "docHash")


def test_proof_configuration_canonical_form_and_hash(case: Case) -> None:
    canonical = bound(case).configure(vector(case, "proofConfig"), document(case), loader=None)
    assert canonical == vector(case, "proofCanon").encode()
    assert hashlib.new(HASH[case[2]], canonical).hexdigest() == vector(case, "proofHash")


def _hash_data(case: Case) -> bytes:
    suite = bound(case)
    return suite.hash(suite.transform(document(case), loader=None),
                      suite.configure(vector(case, "proofConfig"), document(case), loader=None))


def test_combined_hash_and_published_signature(case: Case) -> None:
    data = _hash_data(case)
    assert data.hex() == vector(case, "combinedHash")
    assert len(data) == {"ES256": 64, "ES384": 96}[case[2]]
    published = bytes.fromhex(vector(case, "sigHex"))
    assert multibase_decode(vector(case, "sigBTC58"), allowed="z") == published
    suite, key = bound(case), signer(case[2]).public
    assert suite.verify(data, published, key)
    assert not suite.verify(data[:-1] + bytes([data[-1] ^ 1]), published, key)


def test_signature_is_reproduced(case: Case) -> None:
    signature = bound(case).sign(_hash_data(case), signer(case[2]))
    assert signature.hex() == vector(case, "sigHex")
    assert multibase_encode(signature, "z") == vector(case, "sigBTC58")


def test_add_proof_reproduces_the_signed_document(case: Case) -> None:
    config = vector(case, "proofConfig")
    secured = add_proof(document(case), signer=signer(case[2]), cryptosuite=case[1],
                        created=parse_datetime(config["created"], field="created"))
    assert secured == vector(case, "signed")
    options = {k: v for k, v in secured["proof"].items() if k != "proofValue"}
    if case[1] == "ecdsa-rdfc-2019":  # the configuration is the options plus the @context
        options["@context"] = secured["@context"]
    assert options == config


async def test_signed_document_verifies(case: Case) -> None:
    [vm] = await verify_document(vector(case, "signed"), resolver=MethodRouter(), now=NOW)
    assert vm.id == signer(case[2]).key_id
    assert vm.public_key.algorithm == case[2]


def test_p384_employment_vector_needs_sha384_inside_rdfc() -> None:
    """README §2: with RDFC-1.0's default SHA-256 the blank node labels come out swapped."""
    employ = next(c for c in CASES if c[0] == "rdfc-p384-employ")
    expected = vector(employ, "canonDoc")
    assert canonicalize_rdfc(document(employ), hash_name="sha384") == expected
    assert canonicalize_rdfc(document(employ), hash_name="sha256") != expected
    assert "_:c14n0" in expected
