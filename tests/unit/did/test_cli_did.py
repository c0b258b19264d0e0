"""`pidm did create` / `pidm did resolve`."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiohttp import web
from click.testing import CliRunner

from pidm.cli import main
from pidm.did.jwk import did_jwk
from pidm.did.key import did_key
from pidm.did.model import DIDDocument
from pidm.keys import KeyPair, write_key_file

PAIR = KeyPair.generate("ES256", rng=lambda n: b"\x03" * n)


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "issuer.jwk"
    write_key_file(path, PAIR)
    return path


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_create_did_key(key_file: Path) -> None:
    code, out, _ = _run("did", "create", "--key", str(key_file))
    assert code == 0
    data = json.loads(out)
    assert data["did"] == did_key(PAIR.public)
    assert DIDDocument.parse(data["didDocument"]).authorized(
        data["didDocument"]["assertionMethod"][0], "assertionMethod"
    ).public_key == PAIR.public


def test_create_did_jwk(key_file: Path) -> None:
    code, out, _ = _run("did", "create", "--key", str(key_file), "--method", "jwk", "--json")
    assert code == 0
    assert json.loads(out)["did"] == did_jwk(PAIR.public)


def test_create_did_web(key_file: Path) -> None:
    code, out, _ = _run("did", "create", "--key", str(key_file), "--method", "web",
                        "--url", "https://issuer.example:8443/tenants/7")
    assert code == 0
    data = json.loads(out)
    assert data["did"] == "did:web:issuer.example%3A8443:tenants:7"
    assert data["publishAt"] == "https://issuer.example:8443/tenants/7/did.json"
    doc = DIDDocument.parse(data["didDocument"])
    assert doc.authorized(data["did"] + "#key-1", "assertionMethod").public_key == PAIR.public


def test_create_web_needs_url(key_file: Path) -> None:
    code, _, err = _run("did", "create", "--key", str(key_file), "--method", "web")
    assert code == 2
    assert "--url" in err


def test_create_rejects_bad_url(key_file: Path) -> None:
    code, _, err = _run("did", "create", "--key", str(key_file), "--method", "web",
                        "--url", "ftp://x.example")
    assert code == 2
    assert "INVALID_DID" in err


def test_create_missing_key_file(tmp_path: Path) -> None:
    code, _, err = _run("did", "create", "--key", str(tmp_path / "nope"))
    assert code == 2
    assert "INVALID_KEY" in err


def test_resolve_did_key() -> None:
    did = did_key(PAIR.public)
    code, out, _ = _run("did", "resolve", did)
    assert code == 0
    assert json.loads(out)["id"] == did


@pytest.mark.parametrize(
    ("did", "error"),
    [
        ("did:key:z6Mk", "INVALID_DID"),
        ("did:example:123", "METHOD_NOT_SUPPORTED"),
        ("not-a-did", "INVALID_DID"),
        ("did:web:localhost%3A9", "FETCH_REFUSED"),  # resolves to loopback: refused
    ],
)
def test_resolve_errors_exit_2(did: str, error: str) -> None:
    code, out, err = _run("did", "resolve", did)
    assert code == 2
    assert out == ""
    assert f"error: {error}:" in err


@pytest.fixture
def did_web_server() -> Iterator[str]:
    """A did:web host on 127.0.0.1 in a background thread (the CLI runs its own event loop)."""
    loop = asyncio.new_event_loop()
    app = web.Application()
    state: dict[str, str] = {}

    async def handler(request: web.Request) -> web.Response:
        doc = {"id": state["did"], "verificationMethod": [{
            "id": state["did"] + "#k", "type": "Multikey", "controller": state["did"],
            "publicKeyMultibase": PAIR.public.to_multikey()}], "assertionMethod": ["#k"]}
        return web.json_response(doc)

    app.router.add_get("/.well-known/did.json", handler)
    runner = web.AppRunner(app)
    loop.run_until_complete(runner.setup())
    loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", 0).start())
    port = runner.addresses[0][1]
    state["did"] = f"did:web:127.0.0.1%3A{port}"
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield state["did"]
    asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(5)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)
    loop.close()


def test_resolve_did_web_local(did_web_server: str) -> None:
    code, out, _ = _run("did", "resolve", did_web_server, "--allow-private", "--allow-http")
    assert code == 0
    assert json.loads(out)["verificationMethod"][0]["publicKeyMultibase"] == (
        PAIR.public.to_multikey()
    )
    code, _, err = _run("did", "resolve", did_web_server, "--allow-http")
    assert code == 2
    assert "FETCH_REFUSED" in err


@pytest.mark.parametrize("timeout", ["0", "-1", "1e9", "inf"])
def test_resolve_timeout_must_be_bounded(timeout: str) -> None:
    # any float was taken: 'inf' waited forever on a slow did:web host
    code, out, err = _run("did", "resolve", "did:web:example.com", "--timeout", timeout)
    assert (code, out) == (2, "")
    assert "Invalid value for '--timeout'" in err
