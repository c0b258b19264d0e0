"""``pidm key generate`` through click: every algorithm, mode 0600, never overwriting."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from pidm.cli import main
from pidm.did.key import did_key
from pidm.keys import read_key_file


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


@pytest.mark.parametrize("algorithm, kty, prefix", [
    ("Ed25519", "OKP", "did:key:z6Mk"), ("ES256", "EC", "did:key:zDn"),
    ("ES384", "EC", "did:key:z82L")])
def test_generate_prints_the_public_key_and_its_did(tmp_path: Path, algorithm: str, kty: str,
                                                    prefix: str) -> None:
    path = tmp_path / "k.jwk"
    result = run("key", "generate", "-a", algorithm, "-o", str(path))
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    public = read_key_file(path).public
    # the help promised the did:key, the output did not carry it
    assert printed == {"algorithm": algorithm, "did": did_key(public),
                       "publicKeyMultibase": public.to_multikey(),
                       "publicKeyJwk": public.to_jwk(), "file": str(path)}
    assert printed["did"].startswith(prefix) and printed["publicKeyJwk"]["kty"] == kty
    assert json.loads(path.read_text())["d"] not in result.output  # the private part stays put
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_generate_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "k.jwk"
    path.write_text("precious")
    result = run("key", "generate", "-o", str(path))
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"error: USAGE_ERROR: {path} exists; refusing to overwrite a key file\n"
    assert path.read_text() == "precious"


def test_generate_does_not_follow_a_dangling_symlink(tmp_path: Path) -> None:
    link = tmp_path / "k.jwk"
    link.symlink_to(tmp_path / "elsewhere.jwk")
    assert run("key", "generate", "-o", str(link)).exit_code == 2
    assert not (tmp_path / "elsewhere.jwk").exists()


@pytest.mark.parametrize("where", ["missing/dir/k.jwk", "."])
def test_unwritable_paths_exit_2(tmp_path: Path, where: str) -> None:
    result = run("key", "generate", "-o", str(tmp_path / where))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Traceback" not in result.output


def test_out_must_name_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("key", "generate", "-o", "")  # said ". exists"
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == ("error: USAGE_ERROR: --out must name a file, not the directory "
                             "'.'\n")
    assert list(tmp_path.iterdir()) == []
