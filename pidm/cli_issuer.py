"""``pidm issuer``: write a working issuer configuration (``init``) and run the service
(``serve``). Configuration problems are coded errors (exit 2), never tracebacks.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path
from typing import Any

import click

from pidm.errors import PidmError


@click.group("issuer")
def issuer_group() -> None:
    """Run a credential issuer (OpenID4VCI, status lists, revocation admin)."""


@issuer_group.command("init")
@click.option("--url", "public_url", default=None,
              help="Public base URL of the issuer (default http://127.0.0.1:8080).")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path),
              default=Path("."), show_default=True, help="Where to write the files.")
@click.option("--did-method", type=click.Choice(["web", "key"]), default=None,
              help="Issuer DID: did:web of the URL (default for https URLs) or did:key.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def issuer_init(
    public_url: str | None, directory: Path, did_method: str | None, as_json: bool
) -> None:
    """Write issuer.toml, issuer-key.jwk and admin-token (0600); never overwrites."""
    from issuer.init import DEFAULT_URL, init_issuer
    from pidm.cli import echo_json, fail

    url = public_url or DEFAULT_URL
    method = did_method or ("web" if url.startswith("https://") else "key")
    try:
        result = init_issuer(directory, public_url=url, did_method=method)
    except PidmError as exc:
        fail(exc)
    except OSError as exc:
        fail(f"cannot write into {directory}: {exc.strerror}")
    info = {"config": str(result.config_path), "signing_key": str(result.key_path),
            "admin_token_file": str(result.token_path), "did": result.did,
            "public_url": result.public_url}
    if as_json:
        echo_json(info)
        return
    _table("issuer initialised", info)
    click.echo(f"run it with: pidm issuer serve --config {result.config_path}")


@issuer_group.command("serve")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
              required=True, help="issuer.toml written by `pidm issuer init`.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535),
              help="Port to bind (0: any free port).")
def issuer_serve(config_path: Path, host: str, port: int) -> None:
    """Run the issuer until interrupted; prints where it listens and the admin token file."""
    from pidm.cli import fail

    try:
        asyncio.run(_serve(config_path, host, port))
    except PidmError as exc:
        fail(exc)
    except OSError as exc:
        fail(f"cannot listen on {host}:{port}: {exc.strerror}")


async def _serve(config_path: Path, host: str, port: int) -> None:
    from aiohttp import web

    from issuer.app import create_app
    from issuer.config import load_config

    config = load_config(config_path)
    runner = web.AppRunner(create_app(config), access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        for address in runner.addresses:
            click.echo(f"issuer listening on http://{_hostport(address)}")
        click.echo(f"public URL {config.public_url}  DID {config.did}")
        _warn_if_unreachable(config.public_url, [a[1] for a in runner.addresses])
        where = config.admin_token_file or "inline in the config file"
        click.echo(f"admin token: {where}")
        await _wait_for_signal()
    finally:
        await runner.cleanup()


def _warn_if_unreachable(public_url: str, ports: list[int]) -> None:
    """Wallets use ``public_url`` (key proofs must name it as ``aud``): warn when it is a
    loopback URL on a port this process does not listen on."""
    from urllib.parse import urlsplit

    parts = urlsplit(public_url)
    if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        return
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if port not in ports:
        click.echo(f"warning: public URL {public_url} is not where this issuer listens; "
                   "re-run `pidm issuer init --url` or pass the matching --port", err=True)


def _hostport(address: Any) -> str:
    host, port = address[0], address[1]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


async def _wait_for_signal() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    click.echo("issuer stopped", err=True)


def _table(title: str, info: dict[str, str]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, show_header=False)
    for key, value in info.items():
        table.add_row(key, value)
    Console(file=sys.stdout, emoji=False, highlight=False).print(table)  # did:key: is no emoji
