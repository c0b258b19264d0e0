"""The verification result: a list of named checks, each passed, failed or skipped with a stable
code and a message, plus the disclosed claims. Any failed check makes the whole result invalid.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

from pidm.errors import PidmError

T = TypeVar("T")

#: The checks DESIGN.md names, in the order a verifier runs them.
CHECK_NAMES = (
    "schema",
    "signature",
    "holder_binding",
    "nonce",
    "audience",
    "validity_period",
    "status",
    "issuer_trust",
    "disclosures",
)


class CheckStatus(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    status: CheckStatus
    code: str | None = None
    message: str = ""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"check": self.name, "status": self.status.value}
        if self.code:
            out["code"] = self.code
        if self.message:
            out["message"] = self.message
        return out


@dataclass(frozen=True, slots=True)
class VerificationResult:
    """What a verifier returns: every check, and the claims that were verified."""

    checks: tuple[Check, ...]
    claims: dict[str, Any] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return bool(self.checks) and all(c.status is not CheckStatus.FAILED for c in self.checks)

    @property
    def errors(self) -> list[Check]:
        return [c for c in self.checks if c.status is CheckStatus.FAILED]

    def check(self, name: str) -> Check | None:
        return next((c for c in self.checks if c.name == name), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "checks": [c.to_json() for c in self.checks],
            "claims": self.claims,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> VerificationResult:
        checks = tuple(
            Check(c["check"], CheckStatus(c["status"]), c.get("code"), c.get("message", ""))
            for c in data.get("checks", [])
        )
        return cls(checks, dict(data.get("claims", {})))


def run_check(name: str, fn: Callable[[], object]) -> Check:
    """Run ``fn``; PASSED if it returns, FAILED with the code if it raises a PidmError.

    Any other exception is a bug and propagates.
    """
    try:
        fn()
    except PidmError as exc:
        return Check(name, CheckStatus.FAILED, exc.code, str(exc))
    return Check(name, CheckStatus.PASSED)


class ResultBuilder:
    """Collects checks in order; a check whose prerequisite failed is SKIPPED and names it."""

    __slots__ = ("_checks", "_failed")

    def __init__(self) -> None:
        self._checks: list[Check] = []
        self._failed: set[str] = set()

    def run(self, name: str, fn: Callable[[], T], *, requires: Iterable[str] = ()) -> T | None:
        """Run a check and return what ``fn`` returned (None if it failed or was skipped)."""
        if requires:
            blocked = [r for r in requires if not self.passed(r)]
            if blocked:
                self._add(Check(name, CheckStatus.SKIPPED, None,
                                f"skipped: {', '.join(blocked)} failed"))
                return None
        try:
            value = fn()
        except PidmError as exc:
            self._add(Check(name, CheckStatus.FAILED, exc.code, str(exc)))
            return None
        self._checks.append(Check(name, CheckStatus.PASSED))
        return value

    def _add(self, check: Check) -> None:
        self._checks.append(check)
        if check.status is not CheckStatus.PASSED:
            self._failed.add(check.name)

    def add(self, check: Check) -> None:
        self._add(check)

    def fail(self, name: str, error: PidmError) -> None:
        self._add(Check(name, CheckStatus.FAILED, error.code, str(error)))

    def passed(self, name: str) -> bool:
        """True if check ``name`` ran at least once and never failed or was skipped."""
        if name in self._failed:
            return False
        return any(c.name == name for c in self._checks)

    def result(self, claims: dict[str, Any] | None = None) -> VerificationResult:
        return VerificationResult(tuple(self._checks), claims or {})
