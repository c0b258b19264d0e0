"""Time as an injected dependency: the only module that reads the system clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """The real clock, tz-aware UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still until moved; for tests and vector checks."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise TypeError("FixedClock needs a tz-aware datetime")
        self._at = at

    def now(self) -> datetime:
        return self._at

    def advance(self, delta: timedelta) -> None:
        self._at = self._at + delta


def monotonic() -> float:
    """Seconds from a monotonic clock, for TTL caches."""
    import time

    return time.monotonic()
