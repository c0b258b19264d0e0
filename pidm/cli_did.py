"""``pidm did``: create a DID for a key file and resolve DIDs (did:key, did:jwk, did:web).

Both commands print JSON (a DID document is JSON; ``--json`` is accepted for symmetry with the
other groups). Coded errors exit 2 through :func:`pidm.cli.fail`.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import click

from pidm.errors import PidmError


@click.group("did")
def did_group() -> None:
    """Create and resolve DIDs (did:key, did:jwk, did:web)."""


@did_group.command("create")
@click.option("--key", "key_file", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Key file (private JWK) written by `pidm key generate`.")
@click.option("--method", type=click.Choice(["key", "jwk", "web"]), default="key",
              show_default=True, help="DID method.")
@click.option("--url", help="did:web only: the https URL the DID names (origin or path).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the default).")
def did_create(key_file: Path, method: str, url: str | None, as_json: bool) -> None:
    """Print the DID of KEY's public key and its DID document (did:web: plus where to host it)."""
    from pidm.cli import echo_json, fail
    from pidm.did.jwk import did_jwk, did_jwk_document
    from pidm.did.key import did_key, did_key_document
    from pidm.did.web import did_web_document, did_web_to_url, url_to_did_web
    from pidm.keys import read_key_file

    if (method == "web") != (url is not None):
        fail("--url is required with --method web and only allowed with it")
    try:
        public = read_key_file(key_file).public
        out: dict[str, Any]
        if method == "key":
            did = did_key(public)
            out = {"did": did, "didDocument": did_key_document(did).to_json()}
        elif method == "jwk":
            did = did_jwk(public)
            out = {"did": did, "didDocument": did_jwk_document(did).to_json()}
        else:
            assert url is not None
            did = url_to_did_web(url)
            out = {"did": did, "didDocument": did_web_document(did, public),
                   "publishAt": did_web_to_url(did)}
    except PidmError as exc:
        fail(exc)
    echo_json(out)


@did_group.command("resolve")
@click.argument("did")
@click.option("--allow-private", is_flag=True,
              help="Let did:web reach loopback/private addresses (local demos only).")
@click.option("--allow-http", is_flag=True,
              help="Fetch did:web documents over plain http (local demos only).")
@click.option("--timeout", type=click.FloatRange(0, 60, min_open=True), default=10.0,
              show_default=True, help="did:web fetch timeout in seconds.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the default).")
def did_resolve(did: str, allow_private: bool, allow_http: bool, timeout: float,
                as_json: bool) -> None:
    """Resolve DID and print its DID document as JSON."""
    from pidm.cli import echo_json, fail
    from pidm.did.resolver import MethodRouter
    from pidm.net import SafeFetcher

    fetcher = SafeFetcher(allow_private=allow_private, allow_http=allow_http, timeout=timeout)
    router = MethodRouter(fetcher, web_scheme="http" if allow_http else "https")
    try:
        doc = asyncio.run(router.resolve(did))
    except PidmError as exc:
        fail(exc)
    echo_json(doc.to_json())
