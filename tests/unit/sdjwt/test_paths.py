from __future__ import annotations

import pytest

from pidm.errors import MalformedValueError
from pidm.sdjwt import format_claim_path, parse_claim_path


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ("address.postal_code", ["address", "postal_code"]),
        ("nationalities.0", ["nationalities", 0]),
        ("nationalities.*", ["nationalities", None]),
        ("age_equal_or_over.18", ["age_equal_or_over", 18]),
        ('["a.b", "*", 0, null]', ["a.b", "*", 0, None]),
        ("given_name", ["given_name"]),
    ],
)
def test_parse_claim_path(text: str, path: list[object]) -> None:
    assert parse_claim_path(text) == path


@pytest.mark.parametrize(
    "path", [["address", "postal_code"], ["n", 0, None], ["a.b"], ["18"], ["*"], ["x", ""]]
)
def test_format_round_trips(path: list[str | int | None]) -> None:
    assert parse_claim_path(format_claim_path(path)) == path


def test_format_prefers_dotted_form() -> None:
    assert format_claim_path(["nationalities", None]) == "nationalities.*"
    assert format_claim_path(["a.b", 1]) == '["a.b", 1]'


@pytest.mark.parametrize("text", ["", "a..b", ".a", "[]", "[-1]", "[true]", '["a", {}]', "[1"])
def test_rejects_bad_claim_path(text: str) -> None:
    with pytest.raises(MalformedValueError):
        parse_claim_path(text)
