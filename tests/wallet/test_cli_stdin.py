"""``pidm wallet`` and ``pidm * serve`` when used from scripts: answers piped on standard input,
standard input that ends before an answer, an address already in use. Every failure is one
``error: CODE: ...`` line with exit status 2 (never click's bare 'Aborted!')."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from pidm.cli import main
from pidm.clock import SystemClock
from tests.wallet.services import CLAIMS, Service, offer, start_issuer, start_verifier, transaction

PASS = "piped passphrase"


@pytest.fixture
async def issuer(tmp_path: Path) -> AsyncIterator[Service]:
    service = await start_issuer(tmp_path / "issuer", SystemClock())
    yield service
    await service.stop()


@pytest.fixture
async def verifier(tmp_path: Path, issuer: Service) -> AsyncIterator[Service]:
    service = await start_verifier(tmp_path / "verifier", SystemClock(), [issuer.did])
    yield service
    await service.stop()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"PIDM_WALLET": str(tmp_path / "wallet"), "PIDM_WALLET_ALLOW_PRIVATE": "1",
            "PIDM_WALLET_ALLOW_HTTP": "1", "COLUMNS": "200"}


def _run(env: dict[str, str], *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env, input=input, catch_exceptions=False)


async def _wallet(env: dict[str, str], *args: str, input: str | None = None) -> Result:
    return await asyncio.to_thread(_run, env, "wallet", *args, input=input)


def test_piped_passphrase_is_read_without_getpass_noise(env: dict[str, str]) -> None:
    made = _run(env, "wallet", "init", "--kdf", "minimum", input=f"{PASS}\n{PASS}\n")
    assert made.exit_code == 0, made.output
    assert made.stderr == "Wallet passphrase: \nRepeat for confirmation: \n"
    listed = _run(env, "wallet", "list", "--json", input=f"{PASS}\n")
    assert listed.exit_code == 0, listed.output
    assert listed.stdout.strip() == "[]"


def test_piped_passphrases_that_differ_are_refused(env: dict[str, str], tmp_path: Path) -> None:
    made = _run(env, "wallet", "init", "--kdf", "minimum", input=f"{PASS}\nother\n")
    assert made.exit_code == 2
    assert made.stderr.splitlines()[-1] == ("error: MALFORMED_VALUE_ERROR: the two wallet "
                                            "passphrases read from standard input differ")
    assert not (tmp_path / "wallet").exists()


def test_closed_stdin_instead_of_a_passphrase(env: dict[str, str]) -> None:
    assert _run(env, "wallet", "init", "--kdf", "minimum",
                input=f"{PASS}\n{PASS}\n").exit_code == 0
    closed = _run(env, "wallet", "list", input="")
    assert closed.exit_code == 2
    assert closed.stderr.splitlines()[-1] == (
        "error: USAGE_ERROR: no wallet passphrase on standard input; in scripts use "
        "--passphrase-file or PIDM_WALLET_PASSPHRASE")
    backup = _run({**env, "PIDM_WALLET_PASSPHRASE": PASS}, "wallet", "export",
                  str(Path(env["PIDM_WALLET"]).parent / "b.pidm"), input="")
    assert backup.exit_code == 2
    assert backup.stderr.splitlines()[-1] == (
        "error: USAGE_ERROR: no backup passphrase on standard input; in scripts use "
        "--backup-passphrase-file or PIDM_BACKUP_PASSPHRASE")


async def test_closed_stdin_at_the_consent_question(
    env: dict[str, str], issuer: Service, verifier: Service
) -> None:
    env = {**env, "PIDM_WALLET_PASSPHRASE": PASS}
    assert (await _wallet(env, "init", "--kdf", "minimum")).exit_code == 0
    made = await offer(issuer, ["age_over_18_sd_jwt", "contact_profile_sd_jwt"], CLAIMS)
    assert (await _wallet(env, "receive", made["offer_uri"])).exit_code == 0
    tx = await transaction(verifier)
    closed = await _wallet(env, "present", tx["authorization_request"], input="")
    assert closed.exit_code == 2
    assert closed.stderr.splitlines()[-1] == (
        "error: USAGE_ERROR: standard input ended before an answer; in scripts use --yes or "
        "--decline, --tx-code, --passphrase-file")
    assert "Aborted!" not in closed.output
    # nothing was sent: the same request can still be answered
    answered = await _wallet(env, "present", tx["authorization_request"], "--yes")
    assert answered.exit_code == 0, answered.output
    assert "Shared with" in answered.stdout


@pytest.mark.parametrize("service", ["issuer", "verifier"])
def test_serve_on_a_port_in_use(service: str, tmp_path: Path) -> None:
    assert _run({}, service, "init", "--dir", str(tmp_path)).exit_code == 0
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = _run({}, service, "serve", "--config", str(tmp_path / f"{service}.toml"),
                      "--port", str(port))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1].startswith(
        f"error: USAGE_ERROR: cannot listen on 127.0.0.1:{port}: ")
