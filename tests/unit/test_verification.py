from __future__ import annotations

from pidm.errors import CredentialExpired
from pidm.verification import CheckStatus, ResultBuilder, VerificationResult


def _expired() -> None:
    raise CredentialExpired("'validUntil' 2020-01-01 is past")


def test_failed_prerequisite_skips_dependants_and_invalidates() -> None:
    builder = ResultBuilder()
    assert builder.run("signature", lambda: 7) == 7
    assert builder.run("validity_period", _expired) is None
    assert builder.run("status", lambda: 1, requires=["signature", "validity_period"]) is None
    result = builder.result({"a": 1})
    assert [(c.name, c.status, c.code) for c in result.checks] == [
        ("signature", CheckStatus.PASSED, None),
        ("validity_period", CheckStatus.FAILED, "CREDENTIAL_EXPIRED"),
        ("status", CheckStatus.SKIPPED, None),
    ]
    assert result.checks[2].message == "skipped: validity_period failed"
    assert not result.valid
    assert VerificationResult.from_json(result.to_json()) == result


def test_all_passed_is_valid_and_empty_is_not() -> None:
    builder = ResultBuilder()
    builder.run("signature", lambda: None)
    assert builder.result().valid
    assert not VerificationResult(()).valid
