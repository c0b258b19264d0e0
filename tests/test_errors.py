from __future__ import annotations

import re
from pathlib import Path

from pidm import errors

ROOT = Path(__file__).parents[1]


def test_codes_are_unique_and_screaming_snake() -> None:
    codes = [cls.code for cls in errors.all_error_classes()]
    assert len(codes) == len(set(codes)), sorted(c for c in codes if codes.count(c) > 1)
    for code in codes:
        assert re.fullmatch(r"[A-Z][A-Z0-9]*(_[A-Z0-9]+)*", code), code


def test_every_code_has_a_row_in_errors_md() -> None:
    text = (ROOT / "specs" / "errors.md").read_text()
    documented = set(re.findall(r"^\| `([A-Z0-9_]+)` \|", text, re.M))
    codes = {cls.code for cls in errors.all_error_classes()}
    assert codes - documented == set(), "run scripts/gen_errors_md.py"
    assert documented - codes == set()


def test_problem_details_carry_spec_type_for_w3c_codes() -> None:
    problem = errors.ProofVerificationError("bad signature").to_problem()
    assert problem == {
        "type": "https://w3id.org/security#PROOF_VERIFICATION_ERROR",
        "code": "PROOF_VERIFICATION_ERROR",
        "title": "Proof verification failed",
        "status": 400,
        "detail": "bad signature",
    }
    assert errors.StatusListLengthError("x").type_uri == (
        "https://www.w3.org/ns/credentials/status-list#STATUS_LIST_LENGTH_ERROR"
    )


def test_shorten_truncates_hostile_values() -> None:
    assert errors.shorten("a" * 500) == repr("a" * 500)[:77] + "..."
    assert len(errors.shorten("a" * 500)) == 80


def test_method_not_allowed_is_a_405_with_its_own_code() -> None:
    exc = errors.MethodNotAllowed("allowed: POST")
    assert isinstance(exc, errors.ServiceError)
    assert exc.to_problem() == {
        "type": "https://pidm.dev/errors#METHOD_NOT_ALLOWED",
        "code": "METHOD_NOT_ALLOWED",
        "title": "Method not allowed",
        "status": 405,
        "detail": "allowed: POST",
    }
    assert exc.to_oauth() == {"error": "invalid_request", "error_description": "allowed: POST"}
