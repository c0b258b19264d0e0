"""``pidm verifier``: write a working verifier configuration (``init``) and run the service
(``serve``). Configuration problems are coded errors (exit 2), never tracebacks.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from pidm.cli_service import print_table, serve, serve_hint
from pidm.errors import PidmError


@click.group("verifier")
def verifier_group() -> None:
    """Run a verifier for marketers (OpenID4VP requests, results, receipts, VC API)."""


@verifier_group.command("init")
@click.option("--url", "public_url", default=None,
              help="Public base URL of the verifier (default http://127.0.0.1:8081).")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path),
              default=Path("."), show_default=True, help="Where to write the files.")
@click.option("--did-method", type=click.Choice(["web", "key"]), default=None,
              help="Verifier DID: did:web of the URL (default for https URLs) or did:key.")
@click.option("--trust", "trusted", multiple=True, metavar="DID",
              help="Issuer DID to trust for the example credential types (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def verifier_init(public_url: str | None, directory: Path, did_method: str | None,
                  trusted: tuple[str, ...], as_json: bool) -> None:
    """Write verifier.toml, verifier-key.jwk and admin-token (0600); never overwrites."""
    from pidm.cli import echo_json, fail
    from verifier.init import DEFAULT_ISSUER, DEFAULT_URL, init_verifier

    url = public_url or DEFAULT_URL
    method = did_method or ("web" if url.startswith("https://") else "key")
    try:
        result = init_verifier(directory, public_url=url, did_method=method,
                               issuers=trusted or (DEFAULT_ISSUER,))
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
    print_table("verifier initialised", info)
    if not trusted:
        click.echo(f"trusting the placeholder issuer {DEFAULT_ISSUER}: edit [trust] in "
                   f"{result.config_path} (or re-run init with --trust DID)")
    click.echo(serve_hint("verifier", result.config_path, result.public_url, 8081))


@verifier_group.command("serve")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
              required=True, help="verifier.toml written by `pidm verifier init`.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8081, show_default=True, type=click.IntRange(0, 65535),
              help="Port to bind (0: any free port).")
def verifier_serve(config_path: Path, host: str, port: int) -> None:
    """Run the verifier until interrupted; prints where it listens."""
    from pidm.cli import fail

    try:
        asyncio.run(_serve(config_path, host, port))
    except PidmError as exc:
        fail(exc)
    except OSError as exc:
        fail(f"cannot listen on {host}:{port}: {exc.strerror}")


@verifier_group.command("webhook-secret")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
              required=True, help="verifier.toml written by `pidm verifier init`.")
def verifier_webhook_secret(config_path: Path) -> None:
    """Print the secret that signs webhook POSTs (Pidm-Signature: t=..,v1=hex HMAC-SHA256 of
    '<t>.' + body). Give it to the webhook receiver: it is derived from the admin token but
    does not open the admin API."""
    from pidm.cli import fail
    from verifier.config import load_config
    from verifier.webhooks import webhook_secret

    try:
        config = load_config(config_path)
    except PidmError as exc:
        fail(exc)
    click.echo(webhook_secret(config.admin_token))


async def _serve(config_path: Path, host: str, port: int) -> None:
    from verifier.app import create_app
    from verifier.config import load_config

    config = load_config(config_path)
    await serve("verifier", create_app(config), host, port, public_url=config.public_url,
                notes=[f"public URL {config.public_url}  DID {config.did}",
                       f"named requests: {', '.join(config.requests)}"])
