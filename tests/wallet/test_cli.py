"""``pidm wallet`` through click's CliRunner against real services on 127.0.0.1 (the CLI runs
in a worker thread with its own event loop while the services answer on the test's loop)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from pidm.cli import main
from pidm.clock import SystemClock
from tests.wallet.services import (
    AGE,
    CLAIMS,
    CONTACT,
    EXTRA_REQUESTS,
    Service,
    offer,
    start_issuer,
    start_verifier,
    transaction,
)

PASS = "cli passphrase"


@pytest.fixture
async def issuer(tmp_path: Path) -> AsyncIterator[Service]:
    service = await start_issuer(tmp_path / "issuer", SystemClock())
    yield service
    await service.stop()


@pytest.fixture
async def verifier(tmp_path: Path, issuer: Service) -> AsyncIterator[Service]:
    service = await start_verifier(tmp_path / "verifier", SystemClock(), [issuer.did],
                                   EXTRA_REQUESTS)
    yield service
    await service.stop()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"PIDM_WALLET": str(tmp_path / "wallet"), "PIDM_WALLET_PASSPHRASE": PASS,
            "PIDM_WALLET_ALLOW_PRIVATE": "1", "PIDM_WALLET_ALLOW_HTTP": "1", "COLUMNS": "200"}


async def _cli(env: dict[str, str], *args: str, input: str | None = None) -> Result:
    runner = CliRunner()
    return await asyncio.to_thread(
        runner.invoke, main, ["wallet", *args], env=env, input=input, catch_exceptions=False
    )


async def _json(env: dict[str, str], *args: str) -> Any:
    result = await _cli(env, *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


async def _init_and_stock(env: dict[str, str], issuer: Service) -> None:
    result = await _cli(env, "init", "--kdf", "minimum")
    assert result.exit_code == 0, result.output
    made = await offer(issuer, ["age_over_18_sd_jwt", "contact_profile_sd_jwt"], CLAIMS,
                       tx_code=True)
    received = await _json(env, "receive", made["offer_uri"], "--tx-code", made["tx_code"])
    assert [g["name"] for g in received] == ["Age over 18", "Contact profile"]


async def test_init_receive_list_show_delete(env: dict[str, str], issuer: Service) -> None:
    await _init_and_stock(env, issuer)
    again = await _cli(env, "init", "--kdf", "minimum")
    assert again.exit_code == 2 and "CONFLICT" in again.output
    listed = await _json(env, "list")
    assert [(g["name"], g["copies"], g["unused_copies"]) for g in listed] == [
        ("Age over 18", 3, 3), ("Contact profile", 3, 3)]
    contact = listed[1]
    shown = await _json(env, "show", contact["id"][:6])
    assert shown["claims"] == CONTACT and shown["issuer"] == issuer.did
    table = await _cli(env, "show", contact["id"])
    assert table.exit_code == 0
    assert "Postal code" in table.stdout and "1011" in table.stdout
    text = await _cli(env, "list")
    assert "Contact profile" in text.stdout and "3/3" in text.stdout
    deleted = await _cli(env, "delete", contact["id"], "--yes")
    assert deleted.exit_code == 0
    assert [g["name"] for g in await _json(env, "list")] == ["Age over 18"]
    missing = await _cli(env, "show", contact["id"])
    assert missing.exit_code == 2 and "NOT_FOUND" in missing.output


async def test_receive_asks_for_the_tx_code(env: dict[str, str], issuer: Service) -> None:
    assert (await _cli(env, "init", "--kdf", "minimum")).exit_code == 0
    made = await offer(issuer, ["age_over_18_sd_jwt"], AGE, tx_code=True)
    result = await _cli(env, "receive", made["offer_uri"], "--copies", "1",
                        input="12\nabcdef\n" + made["tx_code"] + "\n")
    assert result.exit_code == 0, result.output
    assert result.output.count("Transaction code (6 digits; Enter the code the issuer sent "
                               "you separately):") == 3
    assert result.output.count("That is not a transaction code of 6 digits.") == 2
    assert "Age over 18" in result.stdout
    made = await offer(issuer, ["age_over_18_sd_jwt"], AGE, tx_code=True)
    gave_up = await _cli(env, "receive", made["offer_uri"], input="1\n2\n3\n")
    assert gave_up.exit_code == 2
    assert "error: MALFORMED_VALUE_ERROR: no transaction code of 6 digits given" in gave_up.output
    retried = await _cli(env, "receive", made["offer_uri"], "--tx-code", made["tx_code"])
    assert retried.exit_code == 0, retried.output
    made = await offer(issuer, ["age_over_18_sd_jwt"], AGE, tx_code=True)
    wrong = await _cli(env, "receive", made["offer_uri"], "--tx-code", "x")
    assert wrong.exit_code == 2 and "INVALID_GRANT" in wrong.output


async def test_receive_says_what_was_stored_when_a_later_credential_fails(
    env: dict[str, str], issuer: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wallet import agent

    real = agent.request_credentials
    calls: list[str] = []

    async def second_fails(*args: Any, **kwargs: Any) -> list[Any]:
        calls.append(args[3])
        issued = await real(*args, **kwargs)
        return issued if len(calls) == 1 else issued[1:] + issued[:1]

    monkeypatch.setattr(agent, "request_credentials", second_fails)
    assert (await _cli(env, "init", "--kdf", "minimum")).exit_code == 0
    made = await offer(issuer, ["age_over_18_sd_jwt", "contact_profile_sd_jwt"], CLAIMS)
    result = await _cli(env, "receive", made["offer_uri"])
    assert calls == ["age_over_18_sd_jwt", "contact_profile_sd_jwt"]
    [kept] = await _json(env, "list")
    assert kept["name"] == "Age over 18"
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert lines[-2] == f"stored before the error: Age over 18 ({kept['id']})"
    assert lines[-1].startswith("error: INVALID_KEY: ")


async def test_present_yes_then_history_and_rewards(
    env: dict[str, str], issuer: Service, verifier: Service
) -> None:
    await _init_and_stock(env, issuer)
    tx = await transaction(verifier)
    result = await _cli(env, "present", tx["authorization_request"], "--yes", "--json")
    assert result.exit_code == 0, result.output
    outcome = json.loads(result.stdout)
    assert outcome["outcome"] == "shared" and outcome["receipt"]["status"] == "verified"
    assert outcome["entry"]["claim_names"] == ["age_over_18", "postal_code"]
    assert "Data request" in result.stderr and "pidm verifier" in result.stderr
    history = await _json(env, "history")
    assert [(h["outcome"], h["receipt"], h["verifier_did"]) for h in history] == [
        ("shared", "verified", verifier.did)]
    rewards = await _json(env, "rewards")
    assert rewards == [{"verifier_did": verifier.did, "verifier_name": "pidm verifier",
                        "kind": "points", "unit": "points", "amount": "10"}]
    table = await _cli(env, "history")
    assert "Confirm you are over 18" in table.stdout and "verified" in table.stdout
    earned = (await _cli(env, "rewards")).stdout
    assert "pidm verifier" in earned and verifier.did in earned and " 10 " in earned


async def test_present_with_optional_claims(
    env: dict[str, str], issuer: Service, verifier: Service
) -> None:
    await _init_and_stock(env, issuer)
    tx = await transaction(verifier, "newsletter")
    result = await _cli(env, "present", tx["authorization_request"], "--yes",
                        "--claims", "given_name", "--json")
    assert result.exit_code == 0, result.output
    entry = json.loads(result.stdout)["entry"]
    assert entry["claim_names"] == ["email", "given_name"]
    assert entry["granted"] == {"kind": "money", "amount": "1.50", "unit": "EUR",
                                "description": "A 1.50 EUR voucher"}
    asked = await _cli(env, "present", (await transaction(verifier, "newsletter"))[
        "authorization_request"], "--claims", "given_name", input="y\n")
    assert asked.exit_code == 0, asked.output
    assert "Share the required claims and those named by --claims (given_name)?" in asked.output
    assert "Also share" not in asked.output
    refused = await _cli(env, "present", (await transaction(verifier, "newsletter"))[
        "authorization_request"], "--claims", "given_name", input="n\n")
    assert refused.exit_code == 0 and "Declined" in refused.output
    history = await _json(env, "history")
    assert [(h["outcome"], h["claim_names"]) for h in history] == [
        ("shared", ["email", "given_name"]), ("shared", ["email", "given_name"]),
        ("declined", [])]
    bad = await _cli(env, "present", (await transaction(verifier, "newsletter"))[
        "authorization_request"], "--yes", "--claims", "family_name")
    assert bad.exit_code == 2 and "MALFORMED_VALUE_ERROR" in bad.output


async def test_present_interactive_and_decline(
    env: dict[str, str], issuer: Service, verifier: Service
) -> None:
    await _init_and_stock(env, issuer)
    tx = await transaction(verifier)
    result = await _cli(env, "present", tx["authorization_request"], input="y\n")
    assert result.exit_code == 0, result.output
    assert "Share the required claims" in result.output
    assert "Shared with pidm verifier; receipt verified, reward 10 points." in result.output
    tx = await transaction(verifier)
    declined = await _cli(env, "present", tx["authorization_request"], "--decline")
    assert declined.exit_code == 0
    assert "Declined" in declined.output
    tx = await transaction(verifier)
    said_no = await _cli(env, "present", tx["authorization_request"], input="n\n")
    assert said_no.exit_code == 0 and "Declined" in said_no.output
    outcomes = [h["outcome"] for h in await _json(env, "history")]
    assert outcomes == ["shared", "declined", "declined"]
    table = (await _cli({**env, "COLUMNS": "80"}, "history")).stdout
    assert max(len(line) for line in table.splitlines()) <= 80
    assert table.count("verified") == 1 and table.count("declined") == 2
    assert "missing" not in table and "…" not in table


async def test_present_refuses_a_forged_request(
    env: dict[str, str], issuer: Service, verifier: Service
) -> None:
    await _init_and_stock(env, issuer)
    tx = await transaction(verifier)
    uri = tx["authorization_request"].replace("decentralized_identifier%3Adid%3Aweb",
                                              "decentralized_identifier%3Adid%3Aweb%3Aevil", 1)
    result = await _cli(env, "present", uri, "--yes")
    assert result.exit_code == 2
    assert "error: INVALID_REQUEST_OBJECT" in result.output
    assert await _json(env, "history") == []


async def test_wrong_passphrase(env: dict[str, str], tmp_path: Path) -> None:
    assert (await _cli(env, "init", "--kdf", "minimum")).exit_code == 0
    secret = tmp_path / "pass.txt"
    secret.write_text("wrong\n")
    result = await _cli(env, "--passphrase-file", str(secret), "list")
    assert result.exit_code == 2 and "error: WRONG_PASSPHRASE" in result.output
    prompted = {k: v for k, v in env.items() if k != "PIDM_WALLET_PASSPHRASE"}
    result = await _cli({**prompted, "PIDM_WALLET": str(tmp_path / "none")}, "list")
    assert result.exit_code == 2 and result.output.startswith("error: WALLET_NOT_FOUND")
    typo = await _cli(prompted, "list", "--json", input=f"typo\n{PASS}\n")
    assert typo.exit_code == 0, typo.output
    assert typo.stderr.count("Wallet passphrase:") == 2
    assert typo.stderr.count("Wrong passphrase; try again.") == 1
    assert json.loads(typo.stdout) == []
    three = await _cli(prompted, "list", input="a\nb\nc\n" + PASS + "\n")
    assert three.exit_code == 2 and three.stderr.count("Wallet passphrase:") == 3
    assert three.stderr.rstrip().endswith("error: WRONG_PASSPHRASE: wrong passphrase (or a "
                                          "damaged wallet header)")


async def test_export_and_import(env: dict[str, str], issuer: Service, tmp_path: Path) -> None:
    await _init_and_stock(env, issuer)
    backup = tmp_path / "wallet.pidm-backup"
    secret = tmp_path / "backup-pass.txt"
    secret.write_text("backup passphrase\n")
    exported = await _cli(env, "export", str(backup), "--backup-passphrase-file", str(secret))
    assert exported.exit_code == 0, exported.output
    assert "current wallet passphrase" in exported.output
    moved = {**env, "PIDM_WALLET": str(tmp_path / "moved"),
             "PIDM_BACKUP_PASSPHRASE": "backup passphrase"}
    imported = await _cli(moved, "import", str(backup))
    assert imported.exit_code == 0, imported.output
    assert await _json(moved, "list") == await _json(env, "list")
    damaged = bytearray(backup.read_bytes())
    damaged[-5] ^= 0xFF
    (tmp_path / "damaged").write_bytes(bytes(damaged))
    before = await _json(moved, "list")
    refused = await _cli(moved, "import", str(tmp_path / "damaged"), "--force")
    assert refused.exit_code == 2 and "error: WRONG_PASSPHRASE" in refused.output
    wrong = await _cli({**moved, "PIDM_BACKUP_PASSPHRASE": "nope"}, "import", str(backup),
                       "--force")
    assert wrong.exit_code == 2 and "error: WRONG_PASSPHRASE" in wrong.output
    assert await _json(moved, "list") == before
    conflict = await _cli(moved, "import", str(backup))
    assert conflict.exit_code == 2 and "error: CONFLICT" in conflict.output
    help_text = await _cli(env, "import", "--help")
    assert "wallet passphrase that was in force at export" in " ".join(help_text.output.split())


async def test_wallet_flag_and_bad_input_get_coded_errors(env: dict[str, str],
                                                          tmp_path: Path) -> None:
    flagged = {k: v for k, v in env.items() if k != "PIDM_WALLET"}
    where = tmp_path / "by-flag"
    assert (await _cli(flagged, "--wallet", str(where), "init", "--kdf", "minimum")).exit_code == 0
    assert (where / "wallet.db").is_file()
    listed = await _cli(flagged, "--wallet", str(where), "list", "--json")
    assert listed.exit_code == 0 and json.loads(listed.stdout) == []
    expected = {
        ("receive", "garbage"): "error: INVALID_CREDENTIAL_OFFER: 'garbage' is not a credential "
                                "offer",
        ("receive", "openid-credential-offer://?credential_offer=%7B"):
            "error: INVALID_CREDENTIAL_OFFER: credential offer is not valid JSON",
        ("present", "garbage"): "error: INVALID_AUTHORIZATION_REQUEST: 'garbage' is not a "
                                "presentation request",
        ("present", "openid4vp://"): "error: INVALID_AUTHORIZATION_REQUEST: 'openid4vp://' is "
                                     "not a presentation request",
        ("present", "openid4vp://?client_id=x&request_uri=https%3A%2F%2Fa.example%2Fr"):
            "error: INVALID_CLIENT_ID: client_id 'x' has no supported prefix",
        ("present", "--yes", "--decline", "openid4vp://?a=b"):
            "error: MALFORMED_VALUE_ERROR: --decline and --yes exclude each other",
        ("present", "--claims", "email", "--decline", "openid4vp://?a=b"):
            "error: MALFORMED_VALUE_ERROR: --decline and --claims exclude each other",
    }
    for args, message in expected.items():
        result = await _cli(flagged, "--wallet", str(where), *args)
        assert (result.exit_code, result.output.strip().splitlines()[-1][:len(message)]) == (
            2, message), args
    unreadable = await _cli(flagged, "--wallet", str(where), "--passphrase-file",
                            str(tmp_path / "absent"), "list")
    assert unreadable.exit_code == 2
    assert unreadable.output.startswith("error: MALFORMED_VALUE_ERROR: cannot read the "
                                        "passphrase file")
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(b"not a backup at all\n")
    refused = await _cli({**flagged, "PIDM_BACKUP_PASSPHRASE": "x"}, "--wallet", str(where),
                         "import", str(garbage), "--force")
    assert refused.exit_code == 2 and refused.output.startswith("error: WRONG_PASSPHRASE")
    assert json.loads((await _cli(flagged, "--wallet", str(where), "list",
                                  "--json")).stdout) == []
    bad_timeout = await _cli(flagged, "--wallet", str(where), "--timeout", "-1", "list")
    assert bad_timeout.exit_code == 2 and "--timeout" in bad_timeout.output


async def test_default_wallet_is_in_the_user_data_directory(env: dict[str, str],
                                                            tmp_path: Path) -> None:
    data = tmp_path / "data"
    home = {**{k: v for k, v in env.items() if k != "PIDM_WALLET"},
            "XDG_DATA_HOME": str(data), "HOME": str(tmp_path / "home")}
    created = await _cli(home, "init", "--kdf", "minimum")
    assert created.exit_code == 0, created.output
    assert created.output.strip() == f"wallet created in {data / 'pidm' / 'wallet'}"
    assert (data / "pidm" / "wallet" / "wallet.db").is_file()
    assert (await _cli(home, "list")).exit_code == 0
