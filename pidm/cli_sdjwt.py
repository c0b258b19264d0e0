"""``pidm sd-jwt``: issue, present and verify SD-JWT VCs from the command line.

Claim paths for ``--disclose`` use the syntax of :mod:`pidm.sdjwt.paths`: dotted
(``address.postal_code``, ``nationalities.0``, ``nationalities.*``) or a DCQL JSON array
(``'["a.b", 0]'``). Repeat ``--disclose``, or separate dotted paths with commas.

``verify`` prints the verification result (a rich table, or JSON with ``--json``) and exits
0 when valid, 1 when invalid, 2 on bad usage or unreadable input.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click

from pidm.cli_io import emit, json_text, printable, read_json, read_text
from pidm.errors import KeyMaterialError, PidmError
from pidm.keys import MAX_KEY_FILE_BYTES, KeyPair, PublicKey
from pidm.verification import CheckStatus, VerificationResult


def _paths(values: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for value in values:
        if value.lstrip().startswith("["):
            out.append(value.strip())
        else:
            out.extend(p.strip() for p in value.split(",") if p.strip())
    return out


def _public_key(path: Path) -> PublicKey:
    """A public key from a key file (private JWK) or a public JWK file."""
    try:
        jwk = read_json(path, limit=MAX_KEY_FILE_BYTES)
    except PidmError as exc:
        raise KeyMaterialError(f"cannot read a JWK from {str(path)!r}: {exc}") from exc
    if isinstance(jwk, dict) and "d" in jwk:
        return KeyPair.from_jwk(jwk).public
    return PublicKey.from_jwk(jwk)


def _issuer_signer(path: Path) -> KeyPair:
    from pidm.did.key import did_key_vm_id
    from pidm.keys import read_key_file

    pair = read_key_file(path)
    return pair.with_key_id(did_key_vm_id(pair.public))


@click.group("sd-jwt")
def sdjwt_group() -> None:
    """Issue, present and verify SD-JWT VCs (RFC 9901, dc+sd-jwt)."""


@sdjwt_group.command("issue")
@click.option("--key", "key_file", type=click.Path(dir_okay=False, path_type=Path),
              required=True, help="Issuer key file; iss is its did:key, kid its DID URL.")
@click.option("--holder-key", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Holder key file or public JWK; becomes cnf.jwk.")
@click.option("--claims", "claims_file", type=click.Path(dir_okay=False, path_type=Path),
              required=True, help="JSON object with the claims.")
@click.option("--disclose", multiple=True, metavar="PATH",
              help="Claim path to make selectively disclosable (repeatable).")
@click.option("--vct", help="Credential type (default: the claims' vct).")
@click.option("--valid-days", type=click.IntRange(1, 36500),
              help="Set exp this many days ahead.")
@click.option("--decoys", type=click.IntRange(0, 255), default=0, show_default=True,
              help="Up to this many decoy digests per object with disclosable claims.")
@click.option("--out", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the SD-JWT here instead of stdout.")
def sdjwt_issue(key_file: Path, holder_key: Path, claims_file: Path, disclose: tuple[str, ...],
                vct: str | None, valid_days: int | None, decoys: int, out: Path | None) -> None:
    """Issue an SD-JWT VC over CLAIMS signed by KEY and bound to HOLDER_KEY."""
    from pidm.cli import fail
    from pidm.clock import SystemClock
    from pidm.sdjwt import issue_sd_jwt

    try:
        claims = read_json(claims_file)
    except PidmError as exc:
        fail(exc)
    if not isinstance(claims, dict):
        fail("the claims file must hold a JSON object")
    now = SystemClock().now()
    try:
        token = issue_sd_jwt(
            claims,
            signer=_issuer_signer(key_file),
            disclose=_paths(disclose),
            holder_key=_public_key(holder_key),
            vct=vct,
            issued_at=now,
            expires=now + timedelta(days=valid_days) if valid_days else None,
            decoys=decoys,
        )
    except PidmError as exc:
        fail(exc)
    emit(token, out)


@sdjwt_group.command("present")
@click.argument("file")
@click.option("--holder-key", type=click.Path(dir_okay=False, path_type=Path),
              help="Holder key file (private JWK); signs the key-binding JWT.")
@click.option("--disclose", multiple=True, metavar="PATH",
              help="Claim path to disclose (repeatable); nothing else is disclosed.")
@click.option("--all", "disclose_all", is_flag=True, help="Disclose every claim.")
@click.option("--aud", help="Verifier audience for the key-binding JWT.")
@click.option("--nonce", help="Verifier nonce for the key-binding JWT.")
@click.option("--out", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the presentation here instead of stdout.")
def sdjwt_present(file: str, holder_key: Path | None, disclose: tuple[str, ...],
                  disclose_all: bool, aud: str | None, nonce: str | None,
                  out: Path | None) -> None:
    """Present the SD-JWT in FILE ('-' = stdin) with the chosen disclosures and key binding."""
    from pidm.cli import fail
    from pidm.clock import SystemClock
    from pidm.keys import read_key_file
    from pidm.sdjwt import present_sd_jwt

    if (aud is None) != (nonce is None):
        fail("--aud and --nonce go together")
    if aud is not None and holder_key is None:
        fail("key binding (--aud/--nonce) needs --holder-key")
    if disclose_all and disclose:
        fail("--all and --disclose exclude each other")
    try:
        holder = read_key_file(holder_key) if holder_key is not None and aud else None
        text = present_sd_jwt(
            read_text(file),
            disclose=None if disclose_all else _paths(disclose),
            holder=holder,
            audience=aud,
            nonce=nonce,
            issued_at=SystemClock().now(),
        )
    except PidmError as exc:
        fail(exc)
    emit(text, out)


_STYLE = {CheckStatus.PASSED: "green", CheckStatus.FAILED: "bold red", CheckStatus.SKIPPED: "dim"}


def print_result(result: VerificationResult, *, as_json: bool) -> None:
    """Print a verification result as JSON or as a rich table with the claims below."""
    if as_json:
        click.echo(json_text(result.to_json()))
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    # Messages quote hostile input: no markup, emoji codes (":key:" in "did:key:") or highlighting.
    console = Console(emoji=False, highlight=False)
    verdict = "[bold green]VALID[/]" if result.valid else "[bold red]INVALID[/]"
    table = Table(title=f"Verification result: {verdict}")
    table.add_column("check", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("code", no_wrap=True)
    table.add_column("message", overflow="fold")
    for check in result.checks:
        style = _STYLE[check.status]
        table.add_row(escape(check.name), f"[{style}]{check.status.value}[/]",
                      escape(check.code or ""), escape(printable(check.message)))
    console.print(table)
    if result.claims:
        console.print("Claims:" if result.valid else
                      "[bold red]Claims as presented — NOT verified, do not rely on them:[/]")
        console.print(json_text(result.claims), markup=False, soft_wrap=True)


@sdjwt_group.command("verify")
@click.argument("file")
@click.option("--aud", help="Expected audience (requires a key-binding JWT).")
@click.option("--nonce", help="Expected nonce (requires a key-binding JWT).")
@click.option("--issuer-key", type=click.Path(dir_okay=False, path_type=Path),
              help="Issuer public JWK / key file, for issuers whose iss is not a DID.")
@click.option("--typ", default="dc+sd-jwt", show_default=True,
              help="Required typ of the issuer JWT (with --issuer-key).")
@click.option("--skew", type=click.IntRange(0, 86400), default=60, show_default=True,
              help="Clock skew allowed, in seconds.")
@click.option("--allow-http", is_flag=True, help="did:web over http (local demos only).")
@click.option("--allow-private", is_flag=True,
              help="did:web on loopback/private addresses (local demos only).")
@click.option("--at", "at", type=click.DateTime(["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S"]),
              help="Verify as of this time (ISO 8601, UTC if no offset) instead of now.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def sdjwt_verify(file: str, aud: str | None, nonce: str | None, issuer_key: Path | None,
                 typ: str, skew: int, allow_http: bool, allow_private: bool,
                 at: datetime | None, as_json: bool) -> None:
    """Verify the SD-JWT (presentation) in FILE ('-' = stdin). Exit 0 valid, 1 invalid, 2 bad
    usage or unreadable input."""
    from pidm.cli import EXIT_INVALID, fail
    from pidm.cli_net import cli_resolver
    from pidm.clock import SystemClock
    from pidm.sdjwt import verify_sd_jwt, verify_sd_jwt_vc

    now = SystemClock().now() if at is None else at
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    try:
        text = read_text(file)
        if issuer_key is not None:
            result = verify_sd_jwt(text, issuer_key=_public_key(issuer_key), now=now,
                                   audience=aud, nonce=nonce, typ=typ,
                                   skew=timedelta(seconds=skew))
        else:
            resolver = cli_resolver(allow_private=allow_private, allow_http=allow_http)
            result = asyncio.run(verify_sd_jwt_vc(
                text, resolver=resolver, now=now, audience=aud, nonce=nonce,
                skew=timedelta(seconds=skew),
            ))
    except PidmError as exc:
        fail(exc)
    print_result(result, as_json=as_json)
    if not result.valid:
        sys.exit(EXIT_INVALID)


