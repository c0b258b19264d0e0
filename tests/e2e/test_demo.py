"""``pidm demo`` end to end: the command itself (exit status, narration), the same scenario
over real HTTP on both storage backends (SQLite files; PostgreSQL in fresh schemas dropped
afterwards — a missing server fails, never skips), and a demo that must fail when revocation
goes unnoticed."""

from __future__ import annotations

import io
import json
import secrets
import signal
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager, closing
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from rich.console import Console

from pidm_demo import run_demo
from pidm_demo.cast import AGE, MEMBER, Facts
from pidm_demo.run import demo_main
from pidm_demo.services import Stores

CLI = [sys.executable, "-c", "import sys; from pidm.cli import main; sys.exit(main())"]


def _console() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, width=120, highlight=False, emoji=False), out


@asynccontextmanager
async def pg_stores(postgres_dsn: str) -> AsyncIterator[Stores]:
    """One fresh schema per service on the test server, dropped afterwards."""
    names = [f"demo_{role}_{secrets.token_hex(4)}" for role in ("retailer", "age", "marketer")]
    conn = await asyncpg.connect(postgres_dsn, timeout=10)
    try:
        for name in names:
            await conn.execute(f"CREATE SCHEMA {name}")
        sep = "&" if "?" in postgres_dsn else "?"
        yield Stores(*(f"{postgres_dsn}{sep}search_path={name}" for name in names))
    finally:
        for name in names:
            await conn.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
        await conn.close()


async def _rows(
    stores: Stores | None, tmp_path: Path, role: str, sql: str
) -> list[tuple[Any, ...]]:
    """Rows of ``sql`` straight from the service's own store (SQLite file or PG schema)."""
    if stores is None:
        name = {"retailer": "retailer/issuer.db", "age_check": "age-check/issuer.db",
                "marketer": "marketer/verifier.db"}[role]
        with closing(sqlite3.connect(tmp_path / name)) as db:
            return [tuple(r) for r in db.execute(sql)]
    conn = await asyncpg.connect(getattr(stores, role), timeout=10)
    try:
        return [tuple(r) for r in await conn.fetch(sql)]
    finally:
        await conn.close()


def test_pidm_demo_exits_0_and_narrates_the_five_steps(tmp_path: Path) -> None:
    done = subprocess.run([*CLI, "demo"], capture_output=True, text=True, timeout=90,
                          cwd=tmp_path, env={"COLUMNS": "120", "PATH": "/usr/bin:/bin"})
    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    for step in ("1. Issuance (OpenID4VCI)", "2. Request (OpenID4VP)", "3. Consent",
                 "4. Revocation", "5. Transparency"):
        assert step in out
    for wire in ("POST /token", "POST /credential", "GET /request/", "POST /response",
                 "GET /status/token/", "openid-credential-offer://", "openid4vp://"):
        assert wire in out
    assert '"access_token": "«secret»"' in out and '"pre-authorized_code": "«secret»"' in out
    assert "status CREDENTIAL_REVOKED: membership" in out
    assert "✗" not in out and "All 22 checks passed." in out
    assert list(tmp_path.iterdir()) == []  # nothing left behind in the working directory


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_scenario_over_http_on_each_backend(
    tmp_path: Path, backend: str, postgres_dsn: str
) -> None:
    async with AsyncExitStack() as stack:
        stores = None
        if backend == "postgres":
            stores = await stack.enter_async_context(pg_stores(postgres_dsn))
        console, out = _console()
        facts = await demo_main(tmp_path, console, stores=stores)
        await _check(facts, stores, tmp_path)
    assert "All 22 checks passed." in out.getvalue()


async def _check(facts: Facts, stores: Stores | None, tmp_path: Path) -> None:
    assert facts.held == {"loyalty_membership_sd_jwt": MEMBER, "age_over_18_sd_jwt": AGE}
    assert facts.disclosed == {"age": {"age_over_18": True},
                               "membership": {"postal_code": "SW1A 1AA"}}
    assert facts.verifier_claims == facts.disclosed
    assert facts.receipt_status == "verified"
    assert facts.receipt_reward == {"kind": "points", "amount": "50", "unit": "points",
                                    "description": "50 bonus points"}
    assert facts.revoked == 3
    assert facts.refusal_code == "CREDENTIAL_REVOKED"
    assert facts.refusal_description.startswith("presentation refused: CREDENTIAL_REVOKED")
    assert facts.history == ["shared", "rejected"]
    [(did, unit)] = facts.rewards
    assert did.startswith("did:web:127.0.0.1%3A") and unit == "points"
    assert facts.rewards[(did, unit)] == "50"
    issued = "SELECT configuration_id, status FROM credentials ORDER BY configuration_id"
    assert await _rows(stores, tmp_path, "retailer", issued) == [
        ("loyalty_membership_sd_jwt", "revoked")] * 3
    assert await _rows(stores, tmp_path, "age_check", issued) == [
        ("age_over_18_sd_jwt", "valid")] * 3
    results = await _rows(stores, tmp_path, "marketer",
                          "SELECT status, result FROM transactions ORDER BY created_at")
    assert [(status, json.loads(result)["valid"]) for status, result in results] == [
        ("done", True), ("done", False)]
    stored = json.loads(results[0][1])["claims"]
    personal = {q: sorted(set(c) & (set(MEMBER) | set(AGE))) for q, c in stored.items()}
    assert personal == {"age": ["age_over_18"], "membership": ["postal_code"]}
    assert stored["membership"]["postal_code"] == "SW1A 1AA"
    if stores is not None:
        assert [p.name for p in tmp_path.rglob("*.db")] == ["wallet.db"]  # the wallet is local


def test_demo_fails_when_revocation_goes_unnoticed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from issuer.service import IssuerService

    async def pretend(self: IssuerService, credential_id: str, action: str) -> dict[str, Any]:
        record = await self.store.get_credential(credential_id)
        assert record is not None
        return self.record_json(record) | {"status": "revoked"}  # the list is not changed

    monkeypatch.setattr(IssuerService, "change_status", pretend)
    console, out = _console()
    assert run_demo(directory=tmp_path / "demo", console=console) == 1
    text = out.getvalue()
    assert "✗ the marketer refused the membership: status check CREDENTIAL_REVOKED" in text
    assert "demo failed: step 4" in text
    assert "5. Transparency" not in text


def test_demo_refuses_a_directory_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "something").write_text("x")
    console, out = _console()
    assert run_demo(directory=tmp_path, console=console) == 2
    said = " ".join(out.getvalue().split())  # the console may wrap a long path
    assert said == f"error: USAGE_ERROR: cannot run the demo: {tmp_path} is not empty"
    console, out = _console()
    assert run_demo(directory=tmp_path / "something" / "demo", console=console) == 2
    said = " ".join(out.getvalue().split())
    assert said == ("error: USAGE_ERROR: cannot run the demo: Not a directory: "
                    f"{tmp_path / 'something' / 'demo'}")


def test_keep_leaves_the_services_running_and_the_printed_session_works(tmp_path: Path) -> None:
    from pidm_demo.keep import BEGIN, END

    folder = tmp_path / "demo"
    demo = subprocess.Popen([*CLI, "demo", "--keep", "--dir", str(folder)], text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"})
    try:
        assert demo.stdout is not None
        printed = []
        for line in demo.stdout:
            printed.append(line.rstrip("\n"))
            if line.startswith("Press Ctrl-C"):
                break
        text = "\n".join(printed)
        assert "All 22 checks passed." in text, text
        script = text[text.index(BEGIN):text.index(END)]
        done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], input="y\n" * 5,
                              capture_output=True, text=True, timeout=90)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "shared" in done.stdout and "receipt verified" in done.stdout
        assert '"postal_code": "SW1A 1AA"' in done.stdout  # the marketer's result
        assert "100" in done.stdout.split("Rewards earned")[1]  # 50 + 50 points
    finally:
        demo.send_signal(signal.SIGINT)
        assert demo.wait(timeout=30) == 0
    assert (folder / "wallet" / "wallet.db").is_file()  # --dir keeps the files


def test_demo_help_explains_the_steps_and_options() -> None:
    from click.testing import CliRunner

    from pidm.cli import main

    result = CliRunner().invoke(main, ["demo", "--help"])
    assert result.exit_code == 0
    for text in ("--keep", "--dir", "OpenID4VCI", "CREDENTIAL_REVOKED", "Exit status"):
        assert text in result.output
