"""``pidm issuer``: write a working issuer configuration (``init``) and run the service
(``serve``). Configuration problems are coded errors (exit 2), never tracebacks.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from pidm.cli_service import print_table, serve, serve_hint
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
    print_table("issuer initialised", info)
    click.echo(serve_hint("issuer", result.config_path, result.public_url, 8080))


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
    from issuer.app import create_app
    from issuer.config import load_config

    config = load_config(config_path)
    where = config.admin_token_file or "inline in the config file"
    await serve("issuer", create_app(config), host, port, public_url=config.public_url,
                notes=[f"public URL {config.public_url}  DID {config.did}",
                       f"admin token: {where}"])
