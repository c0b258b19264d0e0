"""XML Schema 1.1 ``dateTimeStamp`` values as Data Integrity (``created``, ``expires``) and
VCDM 2.0 (``validFrom``, ``validUntil``) use them: ``YYYY-MM-DDThh:mm:ss[.fff](Z|±hh:mm)``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

from pidm.errors import MalformedValueError, shorten

__all__ = ["format_datetime", "parse_datetime"]

_DATETIME = re.compile(
    r"^(?P<year>-?\d{4,})-(?P<month>\d{2})-(?P<day>\d{2})"
    r"T(?P<hour>\d{2}):(?P<minute>\d{2}):(?P<second>\d{2})(?P<fraction>\.\d+)?"
    r"(?P<tz>Z|[+-]\d{2}:\d{2})?$"
)


def parse_datetime(text: object, *, field: str, require_offset: bool = True,
                   error: type[Exception] = MalformedValueError) -> datetime:
    """Parse an XSD ``dateTimeStamp`` into an aware UTC datetime.

    Without an offset the value is refused, or read as UTC when ``require_offset`` is false (as
    Data Integrity allows). ``24:00:00`` means midnight of the next day. Raises ``error``
    (MALFORMED_VALUE_ERROR by default) naming ``field``.
    """
    match = _DATETIME.fullmatch(text) if isinstance(text, str) else None
    if match is None or (require_offset and match["tz"] is None):
        raise error(f"'{field}' is not an XML Schema dateTimeStamp: {shorten(text)}")
    try:
        tz = _offset(match["tz"])
        fraction = match["fraction"] or ""
        micro = int((fraction[1:] + "000000")[:6]) if fraction else 0
        hour = int(match["hour"])
        end_of_day = hour == 24
        if end_of_day and (match["minute"], match["second"], micro) != ("00", "00", 0):
            raise ValueError("24:00:00 only")
        value = datetime(int(match["year"]), int(match["month"]), int(match["day"]),
                         0 if end_of_day else hour, int(match["minute"]),
                         int(match["second"]), micro, tzinfo=tz)
        if end_of_day:
            value += timedelta(days=1)
        return value.astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise error(f"'{field}' is not a valid date-time: {shorten(text)}") from exc


def _offset(text: str | None) -> timezone:
    if text is None or text == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    hours, minutes = int(text[1:3]), int(text[4:6])
    if hours > 14 or minutes > 59:
        raise ValueError("offset out of range")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def format_datetime(value: datetime) -> str:
    """Format an aware datetime as ``YYYY-MM-DDThh:mm:ssZ`` (UTC, whole seconds)."""
    if value.tzinfo is None:
        raise TypeError("format_datetime needs a tz-aware datetime")
    return value.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
