"""``pidm verifier init`` and ``pidm verifier serve``: files written, coded errors exit 2, and a
served verifier answers over HTTP until interrupted."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
from click.testing import CliRunner

from pidm.cli import main
from verifier.config import load_config

ROOT = Path(__file__).parents[3]


def test_init_writes_files_and_refuses_to_overwrite(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["verifier", "init", "--dir", str(tmp_path), "--url",
                                  "https://shop.example.com", "--trust",
                                  "did:web:issuer.example.com", "--json"])
    assert result.exit_code == 0, result.output
    info = json.loads(result.output)
    assert info["did"] == "did:web:shop.example.com"
    assert Path(info["config"]).exists() and Path(info["admin_token_file"]).exists()
    config = load_config(info["config"])
    assert config.trust["urn:pidm:vct:age_over_18"] == ("did:web:issuer.example.com",)
    again = runner.invoke(main, ["verifier", "init", "--dir", str(tmp_path)])
    assert again.exit_code == 2
    assert "CONFIG_ERROR" in again.output and "refusing to overwrite" in again.output


def test_init_defaults_to_did_key_for_http(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["verifier", "init", "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "verifier initialised" in result.output
    assert "did:key:z6Mk" in result.output  # not mangled into an emoji by rich
    assert "edit [trust]" in result.output
    assert "pidm verifier serve --config" in result.output
    assert load_config(tmp_path / "verifier.toml").did.startswith("did:key:z6Mk")


def test_serve_rejects_bad_config_with_exit_2(tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(main, ["verifier", "serve", "--config", str(tmp_path / "x.toml")])
    assert missing.exit_code == 2 and "CONFIG_ERROR" in missing.output
    (tmp_path / "verifier.toml").write_text("[verifier]\npublic_url = 1\n")
    bad = runner.invoke(main, ["verifier", "serve", "--config",
                               str(tmp_path / "verifier.toml")])
    assert bad.exit_code == 2
    assert "error: CONFIG_ERROR: 'verifier.public_url' must be a str" in bad.output


@asynccontextmanager
async def serving(config: Path, *, port: int = 0,
                  stderr: list[str] | None = None) -> AsyncIterator[str]:
    """Run ``pidm verifier serve`` in a child process; yield its base URL; SIGINT it after
    (and append what it wrote to stderr to ``stderr``, when given)."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "from pidm.cli import main; main()", "verifier", "serve",
        "--config", str(config), "--port", str(port),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert proc.stdout is not None
        first = (await asyncio.wait_for(proc.stdout.readline(), 30)).decode()
        assert first.startswith("verifier listening on http://127.0.0.1:"), first
        for _ in range(2):
            await proc.stdout.readline()
        yield first.split()[-1]
    finally:
        proc.send_signal(signal.SIGINT)
        code = await asyncio.wait_for(proc.wait(), 30)
        assert code == 0
        if stderr is not None and proc.stderr is not None:
            stderr.append((await proc.stderr.read()).decode())


async def test_serve_listens_and_stops_on_sigint(tmp_path: Path) -> None:
    assert CliRunner().invoke(main, ["verifier", "init", "--dir", str(tmp_path)]).exit_code == 0
    stderr: list[str] = []
    async with (serving(tmp_path / "verifier.toml", stderr=stderr) as base,
                aiohttp.ClientSession() as session):
        async with session.get(base + "/health") as r:
            assert r.status == 200 and (await r.json()) == {"status": "ok"}
    assert (tmp_path / "verifier.db").exists()
    # init's default public URL names port 8081; this one listens elsewhere (--port 0)
    assert ("warning: public URL http://127.0.0.1:8081 is not where this verifier listens; "
            "re-run `pidm verifier init --url` or pass the matching --port") in stderr[0]
    assert stderr[0].rstrip().endswith("verifier stopped")


async def test_serve_does_not_warn_when_the_public_url_is_where_it_listens(
    tmp_path: Path,
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    init = CliRunner().invoke(main, ["verifier", "init", "--dir", str(tmp_path), "--url", url])
    assert init.exit_code == 0, init.output
    stderr: list[str] = []
    async with serving(tmp_path / "verifier.toml", port=port, stderr=stderr) as base:
        assert base == url
    assert "warning" not in stderr[0]
    assert stderr[0].strip() == "verifier stopped"
