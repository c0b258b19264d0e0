"""``pidm issuer init`` and ``pidm issuer serve``: files written, coded errors exit 2, and a
served issuer answers over HTTP until interrupted."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path

import aiohttp
from click.testing import CliRunner

from issuer.config import load_config
from pidm.cli import main


def test_init_writes_files_and_refuses_to_overwrite(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["issuer", "init", "--dir", str(tmp_path), "--url",
                                  "https://issuer.example.com", "--json"])
    assert result.exit_code == 0, result.output
    info = json.loads(result.output)
    assert info["did"] == "did:web:issuer.example.com"
    assert Path(info["config"]).exists() and Path(info["admin_token_file"]).exists()
    again = runner.invoke(main, ["issuer", "init", "--dir", str(tmp_path)])
    assert again.exit_code == 2
    assert "CONFIG_ERROR" in again.output and "refusing to overwrite" in again.output


def test_init_defaults_to_did_key_for_http(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["issuer", "init", "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "issuer initialised" in result.output
    assert "pidm issuer serve --config" in result.output
    assert load_config(tmp_path / "issuer.toml").did.startswith("did:key:z6Mk")


def test_serve_rejects_bad_config_with_exit_2(tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(main, ["issuer", "serve", "--config", str(tmp_path / "none.toml")])
    assert missing.exit_code == 2 and "CONFIG_ERROR" in missing.output
    (tmp_path / "issuer.toml").write_text("[issuer]\npublic_url = 1\n")
    bad = runner.invoke(main, ["issuer", "serve", "--config", str(tmp_path / "issuer.toml")])
    assert bad.exit_code == 2
    assert "error: CONFIG_ERROR: 'issuer.public_url' must be a string" in bad.output


async def test_serve_listens_and_stops_on_sigint(tmp_path: Path) -> None:
    assert CliRunner().invoke(main, ["issuer", "init", "--dir", str(tmp_path)]).exit_code == 0
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "from pidm.cli import main; main()", "issuer", "serve",
        "--config", str(tmp_path / "issuer.toml"), "--port", "0",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[3])},
    )
    try:
        assert proc.stdout is not None
        first = (await asyncio.wait_for(proc.stdout.readline(), 30)).decode()
        assert first.startswith("issuer listening on http://127.0.0.1:")
        base = first.split()[-1]
        lines = [(await proc.stdout.readline()).decode() for _ in range(2)]
        assert lines[1].strip() == f"admin token: {tmp_path / 'admin-token'}"
        async with aiohttp.ClientSession() as session, session.get(base + "/health") as r:
            assert r.status == 200 and (await r.json()) == {"status": "ok"}
    finally:
        proc.send_signal(signal.SIGINT)
        code = await asyncio.wait_for(proc.wait(), 30)
    assert code == 0
    assert (tmp_path / "issuer.db").exists()
    assert proc.stderr is not None
    stderr = (await proc.stderr.read()).decode()
    assert "warning: public URL http://127.0.0.1:8080 is not where this issuer listens" in stderr
