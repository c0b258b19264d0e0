"""W3C vc-di-eddsa test vectors (eddsa-rdfc-2022, eddsa-jcs-2022), every intermediate byte for
byte, plus the proof set / chain appendix and the signed Bitstring Status List examples."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import pytest

from pidm.did.key import did_key_vm_id
from pidm.did.resolver import MethodRouter
from pidm.encoding import multibase_encode
from pidm.integrity import add_proof, get_suite, verify_document
from pidm.integrity.xsd import parse_datetime
from pidm.keys import KeyPair
from tests.spec_vectors import load_vector

TV = ("vc-di-eddsa", "TestVectors")
NOW = datetime(2026, 1, 1, tzinfo=UTC)

# (id, suite, folder, input document, file-name suffix)
CASES = [
    ("rdfc", "eddsa-rdfc-2022", ("eddsa-rdfc-2022",), "unsigned.json", "DataInt"),
    ("rdfc-employ", "eddsa-rdfc-2022", ("eddsa-rdfc-2022", "employ"), "employmentAuth.json",
     "DataInt"),
    ("jcs", "eddsa-jcs-2022", ("eddsa-jcs-2022",), "unsigned.json", "JCS"),
]


def vector(folder: tuple[str, ...], name: str) -> Any:
    return load_vector(*TV, *folder, name)


def key_pair(secret: str) -> KeyPair:
    pair = KeyPair.from_multikey(secret)
    return pair.with_key_id(did_key_vm_id(pair.public))


def signer() -> KeyPair:
    return key_pair(load_vector(*TV, "keyPair.json")["privateKeyMultibase"])


def signed(case: tuple[str, str, tuple[str, ...], str, str]) -> dict[str, Any]:
    _, suite, folder, _, suffix = case
    name = "signedJCS.json" if suffix == "JCS" else "signedDataInt.json"
    result: dict[str, Any] = vector(folder, name)
    return result


@pytest.fixture(params=CASES, ids=[c[0] for c in CASES])
def case(request: pytest.FixtureRequest) -> tuple[str, str, tuple[str, ...], str, str]:
    result: tuple[str, str, tuple[str, ...], str, str] = request.param
    return result


def test_canonical_document_and_hash(case: Any) -> None:
    _, suite_name, folder, source, suffix = case
    suite = get_suite(suite_name)
    canonical = suite.transform(load_vector(*TV, source), loader=None)
    canon_file = f"canonDoc{suffix}.txt"
    expected = (vector(folder, canon_file) + ("\n" if suffix != "JCS" else "")).encode()
    assert canonical == expected
    assert hashlib.sha256(canonical).hexdigest() == vector(folder, f"docHash{suffix}.txt")


def test_proof_configuration_canonical_form_and_hash(case: Any) -> None:
    _, suite_name, folder, source, suffix = case
    suite = get_suite(suite_name)
    config = vector(folder, f"proofConfig{suffix}.json")
    canonical = suite.configure(config, load_vector(*TV, source), loader=None)
    expected = (vector(folder, f"proofCanon{suffix}.txt") + ("\n" if suffix != "JCS" else ""))
    assert canonical == expected.encode()
    assert hashlib.sha256(canonical).hexdigest() == vector(folder, f"proofHash{suffix}.txt")


def test_combined_hash_signature_and_proof_value(case: Any) -> None:
    _, suite_name, folder, source, suffix = case
    suite = get_suite(suite_name)
    document = load_vector(*TV, source)
    data = suite.hash(suite.transform(document, loader=None),
                      suite.configure(vector(folder, f"proofConfig{suffix}.json"), document,
                                      loader=None))
    assert data.hex() == vector(folder, f"combinedHash{suffix}.txt")
    signature = suite.sign(data, signer())
    assert signature.hex() == vector(folder, f"sigHex{suffix}.txt")
    assert multibase_encode(signature, "z") == vector(folder, f"sigBTC58{suffix}.txt")


def test_add_proof_reproduces_the_signed_document(case: Any) -> None:
    _, suite_name, folder, source, suffix = case
    config = vector(folder, f"proofConfig{suffix}.json")
    created = parse_datetime(config["created"], field="created")
    secured = add_proof(load_vector(*TV, source), signer=signer(), cryptosuite=suite_name,
                        created=created)
    assert secured == signed(case)
    options = {k: v for k, v in secured["proof"].items() if k != "proofValue"}
    if suffix != "JCS":  # RDFC: the configuration is the options plus the document's @context
        options["@context"] = secured["@context"]
    assert options == config


async def test_signed_document_verifies(case: Any) -> None:
    [vm] = await verify_document(signed(case), resolver=MethodRouter(), now=NOW)
    assert vm.id == signer().key_id


# --- Appendix "Proof Sets and Chains" ---------------------------------------------------------
PSC = ("proof-set-chain",)


def pair(n: int) -> KeyPair:
    return key_pair(vector(PSC, "multiKeyPairs.json")[f"keyPair{n}"]["privateKeyMultibase"])


def add_from_config(document: dict[str, Any], config: dict[str, Any], n: int) -> dict[str, Any]:
    return add_proof(document, signer=pair(n), cryptosuite=config["cryptosuite"],
                     created=parse_datetime(config["created"], field="created"),
                     proof_id=config.get("id"), previous_proof=config.get("previousProof"))


def test_proof_set_is_reproduced() -> None:
    first = add_from_config(vector(PSC, "unsigned.json"), vector(PSC, "proofSetConfig1.json"), 1)
    assert first == vector(PSC, "signedProofSet1.json")
    second = add_from_config(first, vector(PSC, "proofSetConfig2.json"), 2)
    assert second == vector(PSC, "signedProofSet2.json")
    assert second["proof"][1] == vector(PSC, "proofSetConfigSigned2.json")


def test_proof_chain_is_reproduced() -> None:
    chain1 = add_from_config(vector(PSC, "signedProofSet2.json"),
                             vector(PSC, "proofChainConfig1.json"), 3)
    assert chain1 == vector(PSC, "signedProofChain1.json")
    assert chain1["proof"][2] == vector(PSC, "proofChainConfigSigned1.json")
    chain2 = add_from_config(chain1, vector(PSC, "proofChainConfig2.json"), 4)
    assert chain2 == vector(PSC, "signedProofChain2.json")
    assert chain2["proof"][3] == vector(PSC, "proofChainConfigSigned2.json")


def test_chain_link_signs_the_document_with_its_previous_proofs() -> None:
    suite = get_suite("eddsa-rdfc-2022")
    temp = vector(PSC, "proofChainTempDoc2.json")
    chain = vector(PSC, "signedProofChain2.json")
    unsecured = {k: v for k, v in chain.items() if k != "proof"}
    unsecured["proof"] = [chain["proof"][2]]
    assert suite.transform(unsecured, loader=None) == suite.transform(temp, loader=None)


@pytest.mark.parametrize("name, signers", [
    ("signedProofSet1.json", 1), ("signedProofSet2.json", 2),
    ("signedProofChain1.json", 3), ("signedProofChain2.json", 4),
])
async def test_proof_sets_and_chains_verify(name: str, signers: int) -> None:
    methods = await verify_document(vector(PSC, name), resolver=MethodRouter(), now=NOW)
    assert [vm.id for vm in methods] == [pair(n).key_id for n in range(1, signers + 1)]


# --- Bitstring Status List v1.0 REC examples, signed with eddsa-rdfc-2022 ---------------------
@pytest.mark.parametrize("example", ["a-revocable-verifiable-credential",
                                     "a-status-list-verifiable-credential"])
async def test_bitstring_status_list_examples_verify_offline(example: str) -> None:
    document = load_vector("status-list", "bitstring-status-list-rec-examples", example,
                           "secured-eddsa-rdfc-2022.json")
    [vm] = await verify_document(document, resolver=MethodRouter(), now=NOW)
    assert vm.id == ("did:key:z6MkeVw6bAm59CopQquZcVLUpapvEEELqfpdWfHkSont8HR6"
                     "#z6MkeVw6bAm59CopQquZcVLUpapvEEELqfpdWfHkSont8HR6")
