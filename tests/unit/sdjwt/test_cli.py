"""``pidm sd-jwt issue | present | verify`` end to end through click."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pidm.cli import main
from pidm.did.key import did_key
from pidm.keys import KeyPair, read_key_file, write_key_file
from pidm.sdjwt import SdJwt
from tests.spec_vectors import vector_path

CLAIMS = {"given_name": "Erika", "address": {"locality": "Köln", "postal_code": "51147"},
          "nationalities": ["DE", "FR"]}


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    out = {"issuer": tmp_path / "issuer.jwk", "holder": tmp_path / "holder.jwk",
           "claims": tmp_path / "claims.json", "cred": tmp_path / "cred.txt",
           "pres": tmp_path / "pres.txt"}
    write_key_file(out["issuer"], KeyPair.generate())
    write_key_file(out["holder"], KeyPair.generate("ES256"))
    out["claims"].write_text(json.dumps(CLAIMS))
    return out


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def _issue(files: dict[str, Path]) -> None:
    code, out = _run("sd-jwt", "issue", "--key", str(files["issuer"]), "--holder-key",
                     str(files["holder"]), "--claims", str(files["claims"]), "--vct", "urn:x",
                     "--disclose", "given_name,address.postal_code", "--disclose",
                     "nationalities.*", "-o", str(files["cred"]), "--valid-days", "30")
    assert code == 0, out


def test_issue_present_verify(files: dict[str, Path]) -> None:
    _issue(files)
    sd = SdJwt.parse(files["cred"].read_text())
    assert sd.payload["iss"] == did_key(read_key_file(files["issuer"]).public)
    assert sd.jwt.kid and sd.jwt.kid.startswith(sd.payload["iss"] + "#")
    assert sd.payload["cnf"]["jwk"] == read_key_file(files["holder"]).public.to_jwk()
    assert len(sd.disclosures) == 4
    code, out = _run("sd-jwt", "present", str(files["cred"]), "--holder-key",
                     str(files["holder"]), "--disclose", "address.postal_code",
                     "--aud", "https://v.example", "--nonce", "abc", "-o", str(files["pres"]))
    assert code == 0, out
    code, out = _run("sd-jwt", "verify", str(files["pres"]), "--aud", "https://v.example",
                     "--nonce", "abc", "--json")
    assert code == 0, out
    result = json.loads(out)
    assert result["valid"] is True
    assert result["claims"]["address"] == {"locality": "Köln", "postal_code": "51147"}
    assert "given_name" not in result["claims"] and result["claims"]["nationalities"] == []


def test_verify_invalid_exits_1_with_table(files: dict[str, Path]) -> None:
    _issue(files)
    _run("sd-jwt", "present", str(files["cred"]), "--holder-key", str(files["holder"]),
         "--aud", "https://v.example", "--nonce", "abc", "-o", str(files["pres"]))
    code, out = _run("sd-jwt", "verify", str(files["pres"]), "--aud", "https://v.example",
                     "--nonce", "other")
    assert code == 1
    assert "INVALID" in out and "NONCE_MISMATCH" in out
    code, out = _run("sd-jwt", "verify", str(files["pres"]), "--json")
    assert code == 0 and json.loads(out)["valid"] is True


def test_usage_errors_exit_2(files: dict[str, Path]) -> None:
    _issue(files)
    code, out = _run("sd-jwt", "present", str(files["cred"]), "--aud", "x")
    assert code == 2
    code, out = _run("sd-jwt", "issue", "--key", str(files["issuer"]), "--holder-key",
                     str(files["holder"]), "--claims", str(files["claims"]), "--vct", "urn:x",
                     "--disclose", "no.such.claim")
    assert code == 2 and "MALFORMED_VALUE_ERROR" in out
    code, out = _run("sd-jwt", "issue", "--key", str(files["issuer"]), "--holder-key",
                     str(files["holder"]), "--claims", str(files["claims"]))
    assert code == 2 and "vct" in out
    code, out = _run("sd-jwt", "verify", str(files["claims"].parent / "missing.txt"))
    assert code == 2


def test_verify_with_explicit_issuer_key(tmp_path: Path) -> None:
    keys = json.loads(vector_path("sd-jwt", "rfc9901-examples", "keys.json").read_text())
    jwk = tmp_path / "issuer.json"
    jwk.write_text(json.dumps(keys["issuer_keys"][0]["public_jwk"]))
    issuance = vector_path("sd-jwt", "rfc9901-examples", "arf-pid", "sd_jwt_issuance.compact.txt")
    code, out = _run("sd-jwt", "verify", str(issuance), "--issuer-key", str(jwk), "--json",
                     "--at", "2025-06-01T00:00:00Z")
    assert code == 0, out
    assert json.loads(out)["claims"]["given_name"] == "Erika"
    code, out = _run("sd-jwt", "verify", str(issuance), "--issuer-key", str(jwk), "--json",
                     "--at", "2030-01-01T00:00:00+00:00")
    assert code == 1 and "CREDENTIAL_EXPIRED" in out


def _run_split(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("content, code", [
    (b"\xff\xfe~", "MALFORMED_VALUE_ERROR"),
    (b"~" * (4 * 1024 * 1024 + 1), "PAYLOAD_TOO_LARGE"),
], ids=["not-utf8", "too-large"])
def test_unreadable_sd_jwt_exits_2(content: bytes, code: str, files: dict[str, Path]) -> None:
    # a non-UTF-8 file was a UnicodeDecodeError traceback; /dev/zero filled memory
    files["cred"].write_bytes(content)
    for args in (("verify",), ("present", "--all")):
        exit_code, _, err = _run_split("sd-jwt", *args, str(files["cred"]))
        assert exit_code == 2
        assert err.startswith(f"error: {code}: ")


@pytest.mark.parametrize("claims, code", [
    (b"[" * 100_000, "MALFORMED_VALUE_ERROR"),
    (b'{"given_name": NaN}', "MALFORMED_VALUE_ERROR"),
    (b"\xff", "MALFORMED_VALUE_ERROR"),
], ids=["deep", "nan", "not-utf8"])
def test_unreadable_claims_exit_2(claims: bytes, code: str, files: dict[str, Path]) -> None:
    files["claims"].write_bytes(claims)
    exit_code, _, err = _run_split("sd-jwt", "issue", "--key", str(files["issuer"]),
                                   "--holder-key", str(files["holder"]),
                                   "--claims", str(files["claims"]))
    assert exit_code == 2
    assert err.startswith(f"error: {code}: ")


def test_endless_holder_key_is_refused(files: dict[str, Path]) -> None:
    exit_code, _, err = _run_split("sd-jwt", "issue", "--key", str(files["issuer"]),
                                   "--holder-key", "/dev/zero", "--claims", str(files["claims"]))
    assert exit_code == 2
    assert err.startswith("error: INVALID_KEY: cannot read a JWK from '/dev/zero'")


def test_lone_surrogate_claim_is_refused_with_a_code(files: dict[str, Path]) -> None:
    files["claims"].write_text('{"vct": "urn:x", "given_name": "lone \\ud800"}')
    exit_code, out, err = _run_split("sd-jwt", "issue", "--key", str(files["issuer"]),
                                     "--holder-key", str(files["holder"]),
                                     "--claims", str(files["claims"]))
    assert (exit_code, out) == (2, "")
    assert err.startswith("error: MALFORMED_VALUE_ERROR: ")


def test_valid_days_is_bounded(files: dict[str, Path]) -> None:
    # --valid-days 99999999 overflowed datetime (OverflowError traceback)
    exit_code, out, err = _run_split("sd-jwt", "issue", "--key", str(files["issuer"]),
                                     "--holder-key", str(files["holder"]),
                                     "--claims", str(files["claims"]), "--valid-days", "99999999")
    assert (exit_code, out) == (2, "")
    assert "--valid-days" in err and "1<=x<=36500" in err
