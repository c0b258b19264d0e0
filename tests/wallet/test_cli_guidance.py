"""``pidm wallet`` for a newcomer: a weak passphrase is refused with the rule, an export never
overwrites a file unless --force, a refusal names the flag that allows it, and --help explains
the argument forms, environment variables and options."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from pidm.cli import main
from pidm.cli_wallet import PASSPHRASE_RULE
from wallet.passphrase import MIN_CHARS, RULE

PASS = "guidance passphrase"
BACKUP = "backup passphrase"
WEAK = f"use {RULE}"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"PIDM_WALLET": str(tmp_path / "wallet"), "PIDM_WALLET_PASSPHRASE": PASS,
            "PIDM_BACKUP_PASSPHRASE": BACKUP, "PIDM_WALLET_ALLOW_PRIVATE": "",
            "PIDM_WALLET_ALLOW_HTTP": "", "COLUMNS": "200"}


def _cli(env: dict[str, str], *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(main, ["wallet", *args], env=env, input=input,
                              catch_exceptions=False)


def _error(result: Result) -> str:
    assert result.exit_code == 2, result.output
    return result.stderr.strip().splitlines()[-1]


def test_the_rule_in_help_is_the_rule_enforced() -> None:
    assert PASSPHRASE_RULE == RULE == "at least 8 characters, not all the same character"
    assert MIN_CHARS == 8


@pytest.mark.parametrize("weak, why", [
    ("a", "is too short (1 character)"),
    ("abcdefg", "is too short (7 characters)"),
    ("aaaaaaaaaaaa", "repeats one character"),
    ("        ", "repeats one character"),
])
def test_init_refuses_a_weak_passphrase(env: dict[str, str], tmp_path: Path, weak: str,
                                        why: str) -> None:
    result = _cli({**env, "PIDM_WALLET_PASSPHRASE": weak}, "init", "--kdf", "minimum")
    assert _error(result) == f"error: MALFORMED_VALUE_ERROR: the passphrase {why}; {WEAK}"
    assert not (tmp_path / "wallet").exists()
    secret = tmp_path / "pass.txt"
    secret.write_text(weak + "\n")
    from_file = _cli({k: v for k, v in env.items() if k != "PIDM_WALLET_PASSPHRASE"},
                     "--passphrase-file", str(secret), "init", "--kdf", "minimum")
    assert _error(from_file) == _error(result)
    assert not (tmp_path / "wallet").exists()


def test_init_accepts_eight_characters(env: dict[str, str], tmp_path: Path) -> None:
    result = _cli({**env, "PIDM_WALLET_PASSPHRASE": "abababab"}, "init", "--kdf", "minimum")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "wallet" / "wallet.db").is_file()


def test_init_from_a_pipe_refuses_a_weak_passphrase(env: dict[str, str], tmp_path: Path) -> None:
    prompted = {k: v for k, v in env.items() if k != "PIDM_WALLET_PASSPHRASE"}
    result = _cli(prompted, "init", "--kdf", "minimum", input="short\nshort\n")
    assert _error(result) == ("error: MALFORMED_VALUE_ERROR: the passphrase is too short "
                              f"(5 characters); {WEAK}")
    assert not (tmp_path / "wallet").exists()


def test_init_at_a_terminal_asks_again_after_a_weak_passphrase(
    env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("pidm.cli_wallet._interactive", lambda: True)
    prompted = {k: v for k, v in env.items() if k != "PIDM_WALLET_PASSPHRASE"}
    result = _cli(prompted, "init", "--kdf", "minimum", input=f"a\n{PASS}\n{PASS}\n")
    assert result.exit_code == 0, result.output
    assert (f"Error: the wallet passphrase is too short (1 character); {WEAK}"
            in result.stderr)
    assert result.stderr.count("Wallet passphrase:") == 2
    assert result.stderr.count("Repeat for confirmation:") == 1
    assert _cli(env, "list", "--json").stdout.strip() == "[]"


def test_export_refuses_an_existing_file_unless_force(env: dict[str, str],
                                                      tmp_path: Path) -> None:
    assert _cli(env, "init", "--kdf", "minimum").exit_code == 0
    target = tmp_path / "backup.pidmbak"
    target.write_text("an older file")
    refused = _cli(env, "export", str(target))
    assert _error(refused) == (f"error: CONFLICT: {str(target)!r} exists; refusing to "
                               "overwrite it (--force replaces it)")
    assert target.read_text() == "an older file"
    forced = _cli(env, "export", str(target), "--force")
    assert forced.exit_code == 0, forced.output
    assert target.read_bytes().startswith(b"PIDMWBK\x00")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backup.pidmbak", "wallet"]
    weak = _cli({**env, "PIDM_BACKUP_PASSPHRASE": "1234"}, "export", str(tmp_path / "new"))
    assert _error(weak) == ("error: MALFORMED_VALUE_ERROR: the backup passphrase is too short "
                            f"(4 characters); {WEAK}")
    assert not (tmp_path / "new").exists()


def test_import_over_a_wallet_names_the_force_flag(env: dict[str, str], tmp_path: Path) -> None:
    assert _cli(env, "init", "--kdf", "minimum").exit_code == 0
    target = tmp_path / "backup.pidmbak"
    assert _cli(env, "export", str(target)).exit_code == 0
    refused = _cli(env, "import", str(target))
    wallet = tmp_path / "wallet"
    assert _error(refused) == (f"error: CONFLICT: {str(wallet)!r} already holds a wallet; "
                               "--force replaces it")
    assert _cli(env, "import", str(target), "--force").exit_code == 0


HTTP_HINT = ("(local testing only: add --allow-http, as in 'pidm wallet --allow-http {} ...', "
             "or set PIDM_WALLET_ALLOW_HTTP=1)")
PRIVATE_HINT = ("(local testing only: add --allow-private, as in 'pidm wallet --allow-private "
                "{} ...', or set PIDM_WALLET_ALLOW_PRIVATE=1)")


@pytest.mark.parametrize("command, url, message", [
    ("receive", "http://issuer.example/offers/1",
     "FETCH_REFUSED: refusing 'http://issuer.example/offers/1': only https is allowed"),
    ("receive", "openid-credential-offer://?credential_offer_uri="
                "http%3A%2F%2Fissuer.example%2Fo",
     "INVALID_CREDENTIAL_OFFER: 'credential_offer_uri' must be an absolute https URL: "
     "'http://issuer.example/o'"),
    ("present", "openid4vp://?client_id=decentralized_identifier%3Adid%3Akey%3Az6Mk"
                "&request_uri=http%3A%2F%2Fshop.example%2Fr",
     "INVALID_AUTHORIZATION_REQUEST: 'request_uri' must be an absolute https URL: "
     "'http://shop.example/r'"),
])
def test_an_http_refusal_names_allow_http(env: dict[str, str], command: str, url: str,
                                          message: str) -> None:
    assert _cli(env, "init", "--kdf", "minimum").exit_code == 0
    result = _cli(env, command, url)
    assert _error(result) == f"error: {message} {HTTP_HINT.format(command)}"


@pytest.mark.parametrize("command, url, message", [
    ("receive", "https://127.0.0.1:9/offers/1",
     "FETCH_REFUSED: refusing non-public address '127.0.0.1'"),
    ("receive", "https://10.1.2.3/offers/1",
     "FETCH_REFUSED: refusing non-public address '10.1.2.3'"),
    ("present", "openid4vp://?client_id=decentralized_identifier%3Adid%3Akey%3Az6Mk"
                "&request_uri=https%3A%2F%2F192.168.1.5%2Fr",
     "FETCH_REFUSED: refusing non-public address '192.168.1.5'"),
])
def test_a_private_address_refusal_names_allow_private(env: dict[str, str], command: str,
                                                       url: str, message: str) -> None:
    assert _cli(env, "init", "--kdf", "minimum").exit_code == 0
    result = _cli(env, command, url)
    assert _error(result) == f"error: {message} {PRIVATE_HINT.format(command)}"


def test_no_hint_once_the_flag_is_given_or_for_other_schemes(env: dict[str, str]) -> None:
    assert _cli(env, "init", "--kdf", "minimum").exit_code == 0
    allowed = _cli({**env, "PIDM_WALLET_ALLOW_HTTP": "1"}, "receive",
                   "http://10.1.2.3/offers/1")
    assert _error(allowed) == ("error: FETCH_REFUSED: refusing non-public address '10.1.2.3' "
                               f"{PRIVATE_HINT.format('receive')}")
    ftp = _cli(env, "receive", "openid-credential-offer://?credential_offer_uri="
                               "ftp%3A%2F%2Fissuer.example%2Fo")
    assert _error(ftp) == ("error: INVALID_CREDENTIAL_OFFER: 'credential_offer_uri' must be an "
                           "absolute https URL: 'ftp://issuer.example/o'")


def _help(*args: str) -> str:
    result = CliRunner().invoke(main, ["wallet", *args, "--help"], env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    return " ".join(re.sub(r"-\n\s*", "-", result.output).split())  # undo wraps at hyphens


def test_group_help_names_the_environment_and_examples() -> None:
    text = _help()
    for words in ("PIDM_WALLET", "PIDM_WALLET_PASSPHRASE", "--passphrase-file",
                  "PIDM_WALLET_ALLOW_HTTP=1", "PIDM_WALLET_ALLOW_PRIVATE=1",
                  "pidm wallet init", "pidm wallet receive 'openid-credential-offer://?",
                  "pidm wallet present 'openid4vp://?", "Exit codes: 0 done",
                  "Run 'pidm wallet COMMAND --help'"):
        assert words in text, words


@pytest.mark.parametrize("command, words", [
    ("init", (f"The passphrase must have {RULE}", "MALFORMED_VALUE_ERROR",
              "--passphrase-file or env PIDM_WALLET_PASSPHRASE", "Examples:")),
    ("receive", ("openid-credential-offer:// URI", "https URL of an offer",
                 "--allow-http and --allow-private", "pidm wallet receive https://")),
    ("present", ("openid4vp:// URI", "request_uri", "pidm wallet present \"$REQUEST\" --decline",
                 "exit 1")),
    ("export", ("refused (CONFLICT) unless --force", "--force Replace FILE if it exists",
                f"It must have {RULE}", "PIDM_BACKUP_PASSPHRASE")),
    ("import", ("--force Replace a wallet", "PIDM_BACKUP_PASSPHRASE",
                "pidm wallet --wallet ~/restored import")),
    ("show", ("unique prefix", "pidm wallet list", "pidm wallet show 3f2a")),
    ("delete", ("unique prefix", "history of what was shared is kept", "--yes")),
])
def test_command_help_explains_arguments(command: str, words: tuple[str, ...]) -> None:
    text = _help(command)
    for part in words:
        assert part in text, (command, part)


@pytest.mark.parametrize("option", ["--passphrase-file", "--backup-passphrase-file"])
def test_a_huge_passphrase_file_is_refused_unread(env: dict[str, str], tmp_path: Path,
                                                 option: str) -> None:
    # --passphrase-file /dev/zero filled memory (MemoryError traceback); a file is read only up
    # to the limit.
    from pidm.cli_wallet import MAX_SECRET_BYTES

    huge = tmp_path / "huge.txt"
    huge.write_text("ab" * (MAX_SECRET_BYTES // 2 + 1))
    if option == "--passphrase-file":
        result = _cli({k: v for k, v in env.items() if k != "PIDM_WALLET_PASSPHRASE"},
                      option, str(huge), "init", "--kdf", "minimum")
        assert not (tmp_path / "wallet").exists()
    else:
        assert _cli(env, "init", "--kdf", "minimum").exit_code == 0
        result = _cli({k: v for k, v in env.items() if k != "PIDM_BACKUP_PASSPHRASE"},
                      "export", str(tmp_path / "out.pidmbak"), option, str(huge))
        assert not (tmp_path / "out.pidmbak").exists()
    assert _error(result) == (f"error: PAYLOAD_TOO_LARGE: the {option[2:-5].replace('-', ' ')} "
                              f"file {huge} is larger than {MAX_SECRET_BYTES} bytes")
