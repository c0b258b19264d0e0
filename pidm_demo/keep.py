"""``pidm demo --keep``: after the scenario, print how to use the running services by hand
(URLs, admin tokens, config files, the wallet, a bash session to paste) and wait for Ctrl-C."""

from __future__ import annotations

import asyncio
import json
import shlex
import signal
import sys
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from pidm_demo import configs
from pidm_demo.services import Deployment, Service

OFFER_CLAIMS = {"member_id": "M-204815", "tier": "gold", "given_name": "Alex",
                "family_name": "Morgan", "birthdate": "1990-04-12", "postal_code": "SW1A 1AA"}
BEGIN = "# --- paste into bash ---"
END = "# --- end ---"


def _field(name: str) -> str:
    return f"'import json,sys; print(json.load(sys.stdin)[\"{name}\"])'"


def _bin_dir() -> str | None:
    folder = Path(sys.executable).parent
    return str(folder) if (folder / "pidm").exists() else None


def _post(var: str, service: Service, token: str, path: str, body: object) -> str:
    return (f'curl -s -H "Authorization: Bearer ${token}" -H "Content-Type: application/json" '
            f"-d {shlex.quote(json.dumps(body))} ${var}{path}")


def session(deployment: Deployment, directory: Path, revoked_group: str) -> list[str]:
    """Bash lines that use the running services by hand (a test runs them)."""
    d = deployment
    offer = {"credential_configuration_ids": ["loyalty_membership_sd_jwt"],
             "claims": OFFER_CLAIMS}
    path = _bin_dir()
    lines = [BEGIN]
    if path is not None:
        lines.append(f'export PATH={shlex.quote(path)}:"$PATH"')
    lines += [
        f"export PIDM_WALLET={shlex.quote(str(directory / 'wallet'))} "
        "PIDM_WALLET_ALLOW_PRIVATE=1 PIDM_WALLET_ALLOW_HTTP=1",
        f"PASS={shlex.quote(str(directory / 'wallet-passphrase'))}",
        f"RETAILER={d.retailer.url} RETAILER_TOKEN=$(cat "
        f"{shlex.quote(str(d.retailer.token_path))})",
        f"MARKETER={d.marketer.url} MARKETER_TOKEN=$(cat "
        f"{shlex.quote(str(d.marketer.token_path))})",
        "# what the wallet holds, and whom it shared what with",
        'pidm wallet --passphrase-file "$PASS" list',
        'pidm wallet --passphrase-file "$PASS" history',
        "# the retailer issues a new membership; the wallet drops the revoked one",
        "OFFER=$(" + _post("RETAILER", d.retailer, "RETAILER_TOKEN", "/admin/offers", offer)
        + f" | python3 -c {_field('offer_uri')})",
        'pidm wallet --passphrase-file "$PASS" receive "$OFFER"',
        f'pidm wallet --passphrase-file "$PASS" delete {revoked_group} --yes',
        "# the marketer asks again; the wallet shows the consent screen and asks you",
        "TX=$(" + _post("MARKETER", d.marketer, "MARKETER_TOKEN", "/admin/transactions",
                        {"request": configs.REQUEST}) + ")",
        f'pidm wallet --passphrase-file "$PASS" present "$(echo "$TX" | python3 -c '
        f'{_field("authorization_request")})"',
        "# the marketer's result: checks, claims, receipt",
        'curl -s -H "Authorization: Bearer $MARKETER_TOKEN" '
        f'"$MARKETER/admin/transactions/$(echo "$TX" | python3 -c {_field("id")})" '
        "| python3 -m json.tool",
        'pidm wallet --passphrase-file "$PASS" rewards',
        "# the retailer's records (revoke / suspend / reinstate: POST "
        "/admin/credentials/ID/revoke ...)",
        'curl -s -H "Authorization: Bearer $RETAILER_TOKEN" "$RETAILER/admin/credentials" '
        "| python3 -m json.tool",
        END,
    ]
    return lines


def print_manual(console: Console, deployment: Deployment, directory: Path,
                 revoked_group: str) -> None:
    """Print the services, their files and tokens, and a bash session to use them by hand."""
    console.rule("[bold]The services keep running: use them by hand", align="left")
    for s in deployment.services:
        console.print(f"[bold]{s.role:<9}[/bold] {escape(s.config.name)}  {s.url}  {s.did}",
                      soft_wrap=True)
        console.print(f"          config {escape(str(s.config_path))}  admin token {s.token} "
                      f"(in {escape(str(s.token_path))})", soft_wrap=True)
    console.print(f"[bold]wallet   [/bold] {escape(str(directory / 'wallet'))}  passphrase in "
                  f"{escape(str(directory / 'wallet-passphrase'))}", soft_wrap=True)
    console.print("Every endpoint is described at <URL>/openapi.json.")
    for line in session(deployment, directory, revoked_group):
        style = "dim" if line.startswith("#") else "bold"
        console.print(f"[{style}]{escape(line)}[/{style}]", soft_wrap=True)
    console.print("Press Ctrl-C to stop the services.")


async def wait_for_interrupt() -> None:
    """Return on SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
