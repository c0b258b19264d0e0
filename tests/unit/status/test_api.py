"""The curated pidm.status API: pinned names, all importable."""

from __future__ import annotations

import pidm.status as status


def test_public_names_are_pinned_and_resolve() -> None:
    assert len(status.__all__) == len(set(status.__all__)) == 29
    assert all(getattr(status, name) is not None for name in status.__all__)
    assert status.MIN_ENTRIES == 131_072
    assert {"check_status", "CachedStatusListClient", "status_of"} <= set(status.__all__)
