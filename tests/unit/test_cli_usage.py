"""Command-line mistakes are one ``error: USAGE_ERROR: ...`` line with exit status 2, at any
depth of the command tree; help and --version are unchanged."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from pidm.cli import main


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["bogus"], "No such command 'bogus'. (see 'pidm --help')"),
        (["--bogus"], "No such option '--bogus'. (see 'pidm --help')"),
        (["vc", "sign", "x.json"], "Missing option '--key'. (see 'pidm vc sign --help')"),
        (["wallet", "present"],
         "Missing argument 'REQUEST'. (see 'pidm wallet present --help')"),
        (["issuer", "serve", "--config", "x", "--port", "99999"],
         "Invalid value for '--port': 99999 is not in the range 0<=x<=65535. "
         "(see 'pidm issuer serve --help')"),
    ],
)
def test_usage_errors_are_one_coded_line(args: list[str], line: str) -> None:
    result = CliRunner().invoke(main, args, prog_name="pidm")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"error: USAGE_ERROR: {line}\n"


def test_help_and_version_are_unchanged() -> None:
    runner = CliRunner()
    helped = runner.invoke(main, ["wallet", "present", "--help"], prog_name="pidm")
    assert helped.exit_code == 0
    assert helped.stdout.startswith("Usage: pidm wallet present [OPTIONS] REQUEST\n")
    group = runner.invoke(main, ["wallet"], prog_name="pidm")  # no command: the group's help
    assert "Usage: pidm wallet [OPTIONS] COMMAND [ARGS]..." in group.output
    assert not [line for line in group.output.splitlines() if line.startswith("error:")]
    version = runner.invoke(main, ["--version"], prog_name="pidm")
    assert version.exit_code == 0 and version.stdout.startswith("pidm, version ")
