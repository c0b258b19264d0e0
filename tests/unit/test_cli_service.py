"""The serve helpers shared by ``pidm issuer serve`` and ``pidm verifier serve``."""

from __future__ import annotations

import pytest

from pidm.cli_service import hostport, serve_hint, unreachable, warn_if_unreachable


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


def test_the_warning_says_a_replica_on_another_port_is_fine(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # README: replicas of one verifier run on 8081 and 8082 behind a load balancer at 8081
    warn_if_unreachable("verifier", "http://127.0.0.1:8081", [8082])
    assert capsys.readouterr().err == (
        "warning: public URL http://127.0.0.1:8081 is not where this verifier listens; re-run "
        "`pidm verifier init --url` or pass the matching --port (ignore this for a replica "
        "behind a load balancer or proxy that serves that URL)\n")
    warn_if_unreachable("verifier", "http://127.0.0.1:8081", [8081])
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    ("url", "hint"),
    [
        ("http://127.0.0.1:18280", "run it with: pidm issuer serve --config d/issuer.toml "
                                   "--port 18280"),
        ("http://127.0.0.1:8080", "run it with: pidm issuer serve --config d/issuer.toml"),
        ("https://rewards.shop.example", "run it with: pidm issuer serve --config "
                                         "d/issuer.toml"),  # behind a TLS proxy
        ("http://localhost:99999", "run it with: pidm issuer serve --config d/issuer.toml"),
    ],
)
def test_the_init_hint_names_the_port_of_a_loopback_url(url: str, hint: str) -> None:
    assert serve_hint("issuer", "d/issuer.toml", url, 8080) == hint
