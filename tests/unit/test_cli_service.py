"""The serve helpers shared by ``pidm issuer serve`` and ``pidm verifier serve``."""

from __future__ import annotations

import pytest

from pidm.cli_service import hostport, unreachable


@pytest.mark.parametrize(
    ("url", "ports", "expected"),
    [
        ("http://127.0.0.1:8081", [8081], False),
        ("http://127.0.0.1:8081", [40123], True),
        ("http://localhost:8080/", [8081], True),
        ("http://[::1]:9000", [9000], False),
        ("http://127.0.0.1", [80], False),  # the scheme's default port
        ("https://localhost", [8443], True),
        ("https://localhost", [443], False),
        ("http://127.0.0.1:99999", [8080], True),  # out of range: nobody listens there
        ("https://verifier.example.com", [8081], False),  # behind a proxy: not our business
        ("http://10.0.0.5:8081", [9999], False),
    ],
)
def test_unreachable_only_for_a_loopback_url_on_another_port(
    url: str, ports: list[int], expected: bool
) -> None:
    assert unreachable(url, ports) is expected


def test_hostport_brackets_ipv6() -> None:
    assert hostport(("127.0.0.1", 8080)) == "127.0.0.1:8080"
    assert hostport(("::1", 8080, 0, 0)) == "[::1]:8080"
