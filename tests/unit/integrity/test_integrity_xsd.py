"""XML Schema dateTimeStamp parsing and formatting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from pidm.errors import MalformedProofError, MalformedValueError
from pidm.integrity.xsd import format_datetime, parse_datetime


@pytest.mark.parametrize("text, expected", [
    ("2023-02-24T23:36:38Z", datetime(2023, 2, 24, 23, 36, 38, tzinfo=UTC)),
    ("2023-02-24T23:36:38.25+02:00", datetime(2023, 2, 24, 21, 36, 38, 250000, tzinfo=UTC)),
    ("2023-02-24T23:36:38-05:30", datetime(2023, 2, 25, 5, 6, 38, tzinfo=UTC)),
    ("2023-12-31T24:00:00Z", datetime(2024, 1, 1, tzinfo=UTC)),
])
def test_parses_date_time_stamps(text: str, expected: datetime) -> None:
    assert parse_datetime(text, field="validFrom") == expected


@pytest.mark.parametrize("text", ["2023-02-24", "2023-02-24 23:36:38Z", "2023-02-30T00:00:00Z",
                                  "2023-02-24T23:36:38+15:00", "2023-02-24T24:00:01Z", 20230224,
                                  "2023-02-24T23:36:38", "tomorrow", "2023-02-24T23:36:38Z\n"])
def test_refuses_other_values(text: object) -> None:
    with pytest.raises(MalformedValueError, match="validFrom"):
        parse_datetime(text, field="validFrom")


def test_offset_may_be_optional_and_the_error_type_chosen() -> None:
    assert parse_datetime("2023-02-24T23:36:38", field="created", require_offset=False) == (
        datetime(2023, 2, 24, 23, 36, 38, tzinfo=UTC))
    with pytest.raises(MalformedProofError):
        parse_datetime("nope", field="created", error=MalformedProofError)


def test_formats_utc_whole_seconds() -> None:
    moment = datetime(2023, 2, 24, 23, 36, 38, 999, tzinfo=timezone(timedelta(hours=1)))
    assert format_datetime(moment) == "2023-02-24T22:36:38Z"
    with pytest.raises(TypeError):
        format_datetime(datetime(2023, 1, 1))  # noqa: DTZ001
