"""``pidm vc sign | verify`` end to end through click."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from pidm.cli import main
from pidm.did.key import did_key
from pidm.encoding import multibase_decode
from pidm.keys import KeyPair, read_key_file, write_key_file
from tests.spec_vectors import vector_path

V2 = "https://www.w3.org/ns/credentials/v2"
EX = "https://www.w3.org/ns/credentials/examples/v2"
SUITES = ["eddsa-rdfc-2022", "eddsa-jcs-2022"]
RDFC_VECTOR = ("vc-di-eddsa", "TestVectors", "eddsa-rdfc-2022", "signedDataInt.json")
JCS_VECTOR = ("vc-di-eddsa", "TestVectors", "eddsa-jcs-2022", "signedJCS.json")


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def checks(result: Result) -> dict[str, dict[str, Any]]:
    data = json.loads(result.stdout)
    return {c["check"]: c for c in data["checks"]}


def no_traceback(result: Result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output


@pytest.fixture
def key(tmp_path: Path) -> Path:
    path = tmp_path / "issuer.jwk"
    write_key_file(path, KeyPair.generate())
    return path


def credential(issuer: str, **extra: Any) -> dict[str, Any]:
    return {"@context": [V2, EX], "id": "urn:uuid:5b1d3f6e-0d58-4b7e-9d3b-7d0a8b1c2e3f",
            "type": ["VerifiableCredential", "ExampleDegreeCredential"], "issuer": issuer,
            "validFrom": "2025-01-01T00:00:00Z",
            "credentialSubject": {"id": "did:example:alice", "name": "Alice"}, **extra}


def write(path: Path, document: Any) -> Path:
    path.write_text(json.dumps(document))
    return path


def sign(key: Path, document: dict[str, Any], tmp_path: Path, suite: str = SUITES[0],
         *extra: str) -> Path:
    unsigned = write(tmp_path / "unsigned.json", document)
    out = tmp_path / "signed.json"
    result = run("vc", "sign", "--key", str(key), "--suite", suite, *extra, str(unsigned),
                 "-o", str(out))
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize("suite", SUITES)
def test_sign_verify_round_trip(suite: str, key: Path, tmp_path: Path) -> None:
    issuer = did_key(read_key_file(key).public)
    document = credential(issuer)
    signed_path = sign(key, document, tmp_path, suite)
    signed = json.loads(signed_path.read_text())
    proof = signed.pop("proof")
    assert signed == document
    assert proof["type"] == "DataIntegrityProof"
    assert proof["cryptosuite"] == suite
    assert proof["proofPurpose"] == "assertionMethod"
    assert proof["verificationMethod"] == f"{issuer}#{issuer.removeprefix('did:key:')}"
    assert proof["proofValue"].startswith("z")
    result = run("vc", "verify", "--json", str(signed_path))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["valid"] is True
    assert {name: c["status"] for name, c in checks(result).items()} == {
        "schema": "passed", "signature": "passed", "validity_period": "passed"}
    table = run("vc", "verify", str(signed_path))
    assert table.exit_code == 0
    assert "VALID" in table.stdout and "INVALID" not in table.stdout


def test_sign_writes_to_stdout(key: Path, tmp_path: Path) -> None:
    unsigned = write(tmp_path / "c.json", credential(did_key(read_key_file(key).public)))
    result = run("vc", "sign", "--key", str(key), "--suite", "eddsa-jcs-2022", str(unsigned))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["proof"]["cryptosuite"] == "eddsa-jcs-2022"


@pytest.mark.parametrize("parts", [RDFC_VECTOR, JCS_VECTOR], ids=["rdfc", "jcs"])
def test_w3c_vector_verifies_with_proof_only(parts: tuple[str, ...]) -> None:
    path = str(vector_path(*parts))
    result = run("vc", "verify", "--proof-only", "--json", path)
    assert result.exit_code == 0, result.output
    assert checks(result)["signature"]["status"] == "passed"
    # Without --proof-only the issuer (https://vc.example/...) does not control the did:key.
    strict = run("vc", "verify", "--json", path)
    assert strict.exit_code == 1
    signature = checks(strict)["signature"]
    assert signature["status"] == "failed"
    assert signature["code"] == "PROOF_VERIFICATION_ERROR"
    assert "issuer" in signature["message"]


@pytest.mark.parametrize("suite", SUITES)
def test_tampered_claim_is_invalid(suite: str, key: Path, tmp_path: Path) -> None:
    signed_path = sign(key, credential(did_key(read_key_file(key).public)), tmp_path, suite)
    signed = json.loads(signed_path.read_text())
    signed["credentialSubject"]["name"] = "Mallory"
    tampered = write(tmp_path / "tampered.json", signed)
    result = run("vc", "verify", "--json", str(tampered))
    assert result.exit_code == 1
    assert checks(result)["signature"]["code"] == "PROOF_VERIFICATION_ERROR"
    assert checks(result)["schema"]["status"] == "passed"
    table = run("vc", "verify", str(tampered))
    assert table.exit_code == 1
    assert "INVALID" in table.stdout and "PROOF_VERIFICATION_ERROR" in table.stdout
    # the tampered claims are shown, but never as if they were verified
    assert "Claims as presented — NOT verified, do not rely on them:" in table.stdout
    assert "Mallory" in table.stdout
    valid = run("vc", "verify", str(signed_path))
    assert valid.exit_code == 0
    assert "\nClaims:\n" in valid.stdout and "NOT verified" not in valid.stdout


@pytest.mark.parametrize(("window", "code"), [
    ({"validFrom": "2020-01-01T00:00:00Z", "validUntil": "2021-01-01T00:00:00Z"},
     "CREDENTIAL_EXPIRED"),
    ({"validFrom": "2999-01-01T00:00:00Z"}, "CREDENTIAL_NOT_YET_VALID"),
])
def test_validity_window(window: dict[str, str], code: str, key: Path, tmp_path: Path) -> None:
    signed = sign(key, credential(did_key(read_key_file(key).public), **window), tmp_path)
    result = run("vc", "verify", "--json", str(signed))
    assert result.exit_code == 1
    assert checks(result)["validity_period"]["code"] == code
    assert checks(result)["signature"]["status"] == "passed"


def test_verify_as_of_a_time_inside_the_window(key: Path, tmp_path: Path) -> None:
    window = {"validFrom": "2020-01-01T00:00:00Z", "validUntil": "2021-01-01T00:00:00Z"}
    signed = sign(key, credential(did_key(read_key_file(key).public), **window), tmp_path)
    # The proof's created time is now, so 2020 would put it in the future.
    result = run("vc", "verify", "--json", "--at", "2020-06-01T00:00:00Z", str(signed))
    assert result.exit_code == 1
    assert checks(result)["validity_period"]["status"] == "passed"
    assert checks(result)["signature"]["code"] == "INVALID_PROOF_DATETIME"


@pytest.mark.parametrize("content", [None, b"not json {", b"[1, 2]", b"\xff\xfe"],
                         ids=["missing", "not-json", "array", "binary"])
def test_unreadable_input_exits_2(content: bytes | None, tmp_path: Path) -> None:
    path = tmp_path / "input.json"
    if content is not None:
        path.write_bytes(content)
    result = run("vc", "verify", str(path))
    assert result.exit_code == 2
    no_traceback(result)
    assert "error: " in result.stderr


def test_verify_a_directory_exits_2(tmp_path: Path) -> None:
    result = run("vc", "verify", str(tmp_path))
    assert result.exit_code == 2
    no_traceback(result)


def test_sign_refuses_an_issuer_the_key_does_not_belong_to(key: Path, tmp_path: Path) -> None:
    unsigned = write(tmp_path / "c.json", credential("did:example:someone-else"))
    result = run("vc", "sign", "--key", str(key), "--suite", SUITES[0], str(unsigned))
    assert result.exit_code == 2
    assert "is not the key's DID" in result.stderr


def test_sign_refuses_an_invalid_credential(key: Path, tmp_path: Path) -> None:
    bad = credential(did_key(read_key_file(key).public))
    del bad["credentialSubject"]
    result = run("vc", "sign", "--key", str(key), "--suite", SUITES[0],
                 str(write(tmp_path / "c.json", bad)))
    assert result.exit_code == 2
    assert "INVALID_CREDENTIAL" in result.stderr


def test_sign_refuses_data_loss(key: Path, tmp_path: Path) -> None:
    bad = credential(did_key(read_key_file(key).public))
    bad["@context"] = [V2]
    bad["credentialSubject"]["undefinedTerm"] = "unsigned"
    result = run("vc", "sign", "--key", str(key), "--suite", SUITES[0],
                 str(write(tmp_path / "c.json", bad)))
    assert result.exit_code == 2
    assert "DATA_LOSS_DETECTION_ERROR" in result.stderr


def test_sign_with_a_missing_key_file_exits_2(tmp_path: Path) -> None:
    unsigned = write(tmp_path / "c.json", credential("did:example:x"))
    result = run("vc", "sign", "--key", str(tmp_path / "nope.jwk"), "--suite", SUITES[0],
                 str(unsigned))
    assert result.exit_code == 2
    assert "INVALID_KEY" in result.stderr
    no_traceback(result)


def test_bad_usage_exits_2(key: Path, tmp_path: Path) -> None:
    unsigned = write(tmp_path / "c.json", credential("did:example:x"))
    assert run("vc", "sign", "--key", str(key), str(unsigned)).exit_code == 2  # no --suite
    assert run("vc", "sign", "--key", str(key), "--suite", "rsa", str(unsigned)).exit_code == 2
    assert run("vc", "verify", "--challenge", "n", str(unsigned)).exit_code == 2


def test_hostile_text_in_the_table_is_printed_verbatim(key: Path, tmp_path: Path) -> None:
    signed = json.loads(sign(key, credential(did_key(read_key_file(key).public)),
                             tmp_path).read_text())
    signed["@context"] = [*signed["@context"], "https://x.example/[/]ctx[bold]"]
    result = run("vc", "verify", str(write(tmp_path / "hostile.json", signed)))
    assert result.exit_code == 1
    no_traceback(result)
    assert "UNKNOWN_CONTEXT" in result.stdout
    assert "[/]ctx[bold" in result.stdout


def test_presentation_round_trip(key: Path, tmp_path: Path) -> None:
    issuer_signed = json.loads(sign(key, credential(did_key(read_key_file(key).public)),
                                    tmp_path).read_text())
    holder_key = tmp_path / "holder.jwk"
    write_key_file(holder_key, KeyPair.generate())
    holder = did_key(read_key_file(holder_key).public)
    vp = {"@context": [V2], "type": ["VerifiablePresentation"], "holder": holder,
          "verifiableCredential": [issuer_signed]}
    unsigned = write(tmp_path / "vp.json", vp)
    out = tmp_path / "vp-signed.json"
    result = run("vc", "sign", "--key", str(holder_key), "--suite", "eddsa-rdfc-2022",
                 "--challenge", "n-0S6_WzA2Mj", "--domain", "https://verifier.example",
                 str(unsigned), "-o", str(out))
    assert result.exit_code == 0, result.output
    proof = json.loads(out.read_text())["proof"]
    assert proof["proofPurpose"] == "authentication"
    assert proof["challenge"] == "n-0S6_WzA2Mj"
    ok = run("vc", "verify", "--json", "--challenge", "n-0S6_WzA2Mj", "--domain",
             "https://verifier.example", str(out))
    assert ok.exit_code == 0, ok.output
    assert checks(ok)["holder_binding"]["status"] == "passed"
    replay = run("vc", "verify", "--json", "--challenge", "another", "--domain",
                 "https://verifier.example", str(out))
    assert replay.exit_code == 1
    assert checks(replay)["nonce"]["code"] == "INVALID_CHALLENGE_ERROR"
    assert run("vc", "verify", "--proof-only", str(out)).exit_code == 2


def _other_key(doc: dict[str, Any]) -> None:
    other = did_key(KeyPair.from_private_bytes("Ed25519", b"\x07" * 32).public)
    doc["proof"]["verificationMethod"] = f"{other}#{other.removeprefix('did:key:')}"


def _reorder(doc: dict[str, Any]) -> None:
    items = list(doc.items())
    doc.clear()
    doc.update(reversed(items))
    doc["proof"] = dict(reversed(list(doc["proof"].items())))


# Issue 2's "Done when" list, end to end: (mutation of a signed credential, check, code).
Mutation = Callable[[dict[str, Any]], object]
MUTATIONS: dict[str, tuple[Mutation, str, str]] = {
    "tampered-claim": (lambda d: d["credentialSubject"].update(name="Eve"), "signature",
                       "PROOF_VERIFICATION_ERROR"),
    "tampered-validity": (lambda d: d.update(validFrom="2024-01-01T00:00:00Z"), "signature",
                          "PROOF_VERIFICATION_ERROR"),
    "wrong-key": (_other_key, "signature", "PROOF_VERIFICATION_ERROR"),
    "wrong-purpose": (lambda d: d["proof"].update(proofPurpose="authentication"), "signature",
                      "MISMATCHED_PROOF_PURPOSE_ERROR"),
    "bad-multibase": (lambda d: d["proof"].update(proofValue="uAAAA"), "signature",
                      "MALFORMED_PROOF_ERROR"),
    "unknown-context": (lambda d: d["@context"].append("https://unknown.example/ctx"),
                        "schema", "UNKNOWN_CONTEXT"),
    "undefined-term": (lambda d: d["credentialSubject"].update(unsigned="x") or
                       d.update({"@context": [V2]}), "signature", "DATA_LOSS_DETECTION_ERROR"),
}


@pytest.mark.parametrize("suite", SUITES)
@pytest.mark.parametrize("name", list(MUTATIONS))
def test_done_when_cases_fail_with_their_code(name: str, suite: str, key: Path,
                                              tmp_path: Path) -> None:
    mutate, check, code = MUTATIONS[name]
    if suite == "eddsa-jcs-2022" and name == "undefined-term":
        code = "PROOF_VERIFICATION_ERROR"  # JCS signs the JSON itself: nothing is dropped
    signed = json.loads(sign(key, credential(did_key(read_key_file(key).public)), tmp_path,
                             suite).read_text())
    mutate(signed)
    result = run("vc", "verify", "--json", str(write(tmp_path / f"{name}.json", signed)))
    assert result.exit_code == 1, result.output
    assert checks(result)[check]["code"] == code


@pytest.mark.parametrize("suite", SUITES)
def test_reordered_members_still_verify(suite: str, key: Path, tmp_path: Path) -> None:
    signed = json.loads(sign(key, credential(did_key(read_key_file(key).public)), tmp_path,
                             suite).read_text())
    _reorder(signed)
    assert list(signed)[0] == "proof"
    result = run("vc", "verify", "--json", str(write(tmp_path / "reordered.json", signed)))
    assert result.exit_code == 0, result.output


def test_vcdm_1_1_credential(key: Path, tmp_path: Path) -> None:
    v1 = {"@context": ["https://www.w3.org/2018/credentials/v1",
                       {"alumniOf": "https://schema.org/alumniOf"}],
          "type": ["VerifiableCredential"], "issuer": did_key(read_key_file(key).public),
          "issuanceDate": "2020-01-01T00:00:00Z", "expirationDate": "2999-01-01T00:00:00Z",
          "credentialSubject": {"id": "did:example:alice", "alumniOf": "Example University"}}
    signed = sign(key, v1, tmp_path)
    ok = run("vc", "verify", "--json", str(signed))
    assert ok.exit_code == 0, ok.output
    later = run("vc", "verify", "--json", "--at", "2999-06-01T00:00:00Z", str(signed))
    assert later.exit_code == 1
    assert checks(later)["validity_period"]["code"] == "CREDENTIAL_EXPIRED"
    assert checks(later)["signature"]["status"] == "passed"


@pytest.mark.parametrize("suite", SUITES)
def test_lone_surrogate_in_an_iri_is_a_coded_refusal(suite: str, key: Path,
                                                     tmp_path: Path) -> None:
    document = credential(did_key(read_key_file(key).public))
    document["credentialSubject"]["id"] = "urn:example:\ud800"
    unsigned = write(tmp_path / "c.json", document)
    result = run("vc", "sign", "--key", str(key), "--suite", suite, str(unsigned))
    assert result.exit_code == 2
    no_traceback(result)
    code = {"eddsa-rdfc-2022": "DATA_LOSS_DETECTION_ERROR",
            "eddsa-jcs-2022": "MALFORMED_VALUE_ERROR"}[suite]
    assert result.stderr.startswith(f"error: {code}: ")


def test_lone_surrogate_in_a_literal_is_printed_escaped(key: Path, tmp_path: Path) -> None:
    # eddsa-rdfc-2022 signs it (RDFC-1.0 writes it as \uD800); printing it was a traceback
    document = credential(did_key(read_key_file(key).public))
    document["credentialSubject"]["name"] = "lone \ud800"
    signed = sign(key, document, tmp_path)
    assert '"name": "lone \\ud800"' in signed.read_text(encoding="utf-8")
    stdout = run("vc", "sign", "--key", str(key), "--suite", SUITES[0],
                 str(tmp_path / "unsigned.json"))
    assert stdout.exit_code == 0, stdout.output
    assert json.loads(stdout.stdout)["credentialSubject"]["name"] == "lone \ud800"
    verified = run("vc", "verify", "--json", str(signed))
    assert verified.exit_code == 0, verified.output
    assert json.loads(verified.stdout)["claims"]["credentialSubject"]["name"] == "lone \ud800"
    table = run("vc", "verify", str(signed))
    assert table.exit_code == 0, table.output
    assert '"name": "lone \\ud800"' in table.stdout


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_non_finite_numbers_are_not_json(constant: str, key: Path, tmp_path: Path) -> None:
    # they were signed and written back out as NaN / Infinity, which JSON parsers refuse
    text = json.dumps(credential(did_key(read_key_file(key).public)))
    path = tmp_path / "c.json"
    path.write_text(text[:-1] + f', "n": {constant}}}')
    for args in (("vc", "sign", "--key", str(key), "--suite", SUITES[0]), ("vc", "verify")):
        result = run(*args, str(path))
        assert result.exit_code == 2
        no_traceback(result)
        assert result.stderr.startswith("error: MALFORMED_VALUE_ERROR: ")


def test_endless_input_is_too_large() -> None:
    result = run("vc", "verify", "/dev/zero")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: PAYLOAD_TOO_LARGE: ")


@pytest.mark.parametrize("command", [("vc", "verify"), ("sd-jwt", "verify")])
def test_skew_is_bounded(command: tuple[str, ...], tmp_path: Path) -> None:
    # --skew 10**15 was an OverflowError traceback building the timedelta
    path = write(tmp_path / "c.json", {})
    result = run(*command, "--skew", str(10**15), str(path))
    assert (result.exit_code, result.stdout) == (2, "")
    assert "0<=x<=86400" in result.stderr


# --- ECDSA suites (ecdsa-rdfc-2019, ecdsa-jcs-2019; P-256 and P-384 keys) ---------------------
ECDSA_SUITES = ["ecdsa-rdfc-2019", "ecdsa-jcs-2019"]
ECDSA_VECTORS = [
    ("ecdsa-rdfc-2019-p256", "signedECDSAP256.json"),
    ("ecdsa-rdfc-2019-p256", "employ", "signedECDSAP256.json"),
    ("ecdsa-rdfc-2019-p384", "signedECDSAP384.json"),
    ("ecdsa-rdfc-2019-p384", "employ", "signedECDSAP384.json"),
    ("ecdsa-jcs-2019-p256", "signedJCSECDSAP256.json"),
    ("ecdsa-jcs-2019-p384", "signedJCSECDSAP384.json"),
]


def test_sign_offers_every_implemented_suite() -> None:
    from pidm.cli_vc import SUITES as OFFERED
    from pidm.integrity.proof import SUITES as IMPLEMENTED

    assert sorted(OFFERED) == sorted(IMPLEMENTED) == sorted([*SUITES, *ECDSA_SUITES])
    help_text = run("vc", "sign", "--help").output
    assert all(name in help_text for name in OFFERED)


@pytest.mark.parametrize("suite", ECDSA_SUITES)
@pytest.mark.parametrize("algorithm, prefix, size", [("ES256", "did:key:zDna", 64),
                                                     ("ES384", "did:key:z82L", 96)])
def test_ecdsa_sign_verify_round_trip(suite: str, algorithm: str, prefix: str, size: int,
                                      tmp_path: Path) -> None:
    key_path = tmp_path / f"{algorithm}.jwk"
    generated = run("key", "generate", "-a", algorithm, "-o", str(key_path))
    assert generated.exit_code == 0, generated.output
    issuer = json.loads(generated.stdout)["did"]
    assert issuer.startswith(prefix) and issuer == did_key(read_key_file(key_path).public)
    signed_path = sign(key_path, credential(issuer), tmp_path, suite)
    signed = json.loads(signed_path.read_text())
    assert signed["proof"]["cryptosuite"] == suite
    assert signed["proof"]["verificationMethod"] == f"{issuer}#{issuer.removeprefix('did:key:')}"
    assert len(multibase_decode(signed["proof"]["proofValue"], allowed="z")) == size
    result = run("vc", "verify", "--json", str(signed_path))
    assert result.exit_code == 0, result.output
    assert checks(result)["signature"]["status"] == "passed"
    signed["credentialSubject"]["name"] = "Mallory"
    tampered = run("vc", "verify", "--json", str(write(tmp_path / "t.json", signed)))
    assert tampered.exit_code == 1
    assert checks(tampered)["signature"]["code"] == "PROOF_VERIFICATION_ERROR"


@pytest.mark.parametrize("suite, algorithm", [("ecdsa-rdfc-2019", "Ed25519"),
                                              ("ecdsa-jcs-2019", "Ed25519"),
                                              ("eddsa-rdfc-2022", "ES384")])
def test_sign_refuses_a_key_the_suite_does_not_use(suite: str, algorithm: str,
                                                   tmp_path: Path) -> None:
    key_path = tmp_path / "k.jwk"
    pair = KeyPair.generate(algorithm)  # type: ignore[arg-type]
    write_key_file(key_path, pair)
    unsigned = write(tmp_path / "c.json", credential(did_key(pair.public)))
    result = run("vc", "sign", "--key", str(key_path), "--suite", suite, str(unsigned))
    assert result.exit_code == 2
    assert "error: UNSUPPORTED_ALGORITHM:" in result.stderr
    no_traceback(result)


@pytest.mark.parametrize("parts", ECDSA_VECTORS, ids=lambda p: "/".join(p))
def test_w3c_ecdsa_vectors_verify_with_proof_only(parts: tuple[str, ...]) -> None:
    result = run("vc", "verify", "--proof-only", "--json",
                 str(vector_path("vc-di-ecdsa", "TestVectors", *parts)))
    assert result.exit_code == 0, result.output
    assert checks(result)["signature"]["status"] == "passed"


def test_sign_into_an_unwritable_place_exits_2(key: Path, tmp_path: Path) -> None:
    unsigned = write(tmp_path / "c.json", credential(did_key(read_key_file(key).public)))
    target = tmp_path / "missing" / "signed.json"
    result = run("vc", "sign", "--key", str(key), "--suite", SUITES[0], str(unsigned),
                 "-o", str(target))
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (f"error: USAGE_ERROR: cannot write {target}: "
                             "No such file or directory\n")
    assert not target.parent.exists()
