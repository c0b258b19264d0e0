"""``pidm demo --keep``: after the scenario, print how to use the running services by hand
(URLs, admin tokens, config files, the wallet, example commands) and wait for Ctrl-C."""

from __future__ import annotations

import asyncio
import json
import shlex
import signal
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pidm_demo import configs
from pidm_demo.services import Deployment, Service

OFFER_CLAIMS = {"member_id": "M-300001", "tier": "silver", "given_name": "Sam",
                "family_name": "Lee", "birthdate": "1985-11-02", "postal_code": "M1 1AE"}


def _curl(service: Service, path: str, body: object | None = None) -> str:
    parts = ["curl -s", "-H", shlex.quote(f"Authorization: Bearer {service.token}")]
    if body is not None:
        parts += ["-H", "'Content-Type: application/json'", "-d", shlex.quote(json.dumps(body))]
    else:
        parts += ["-X", "POST"]
    return " ".join([*parts, service.url + path])


def manual(deployment: Deployment, directory: Path) -> tuple[Table, list[str]]:
    """The services table and the example commands, as printed by :func:`print_manual`."""
    table = Table(title="Running services", show_lines=True)
    for column in ("role", "URL", "DID", "config", "admin token"):
        table.add_column(column, overflow="fold")
    for s in deployment.services:
        table.add_row(s.role, s.url, s.did, str(s.config_path), s.token)
    wallet = directory / "wallet"
    flags = (f"--wallet {shlex.quote(str(wallet))} --passphrase-file "
             f"{shlex.quote(str(directory / 'wallet-passphrase'))} --allow-private --allow-http")
    offer = {"credential_configuration_ids": ["loyalty_membership_sd_jwt"],
             "claims": OFFER_CLAIMS}
    d = deployment
    commands = [
        "# what the wallet holds, and what it shared with whom",
        f"pidm wallet {flags} list",
        f"pidm wallet {flags} history",
        f"pidm wallet {flags} rewards",
        "# the retailer issues a new membership: take offer_uri from the answer",
        _curl(d.retailer, "/admin/offers", offer) + " | python3 -m json.tool",
        f"pidm wallet {flags} receive 'OFFER_URI'",
        "# the marketer asks again: take authorization_request from the answer",
        _curl(d.marketer, "/admin/transactions", {"request": configs.REQUEST})
        + " | python3 -m json.tool",
        f"pidm wallet {flags} present 'AUTHORIZATION_REQUEST'",
        "# the marketer's result (checks, claims, receipt)",
        f"curl -s -H {shlex.quote(f'Authorization: Bearer {d.marketer.token}')} "
        f"{d.marketer.url}/admin/transactions/TRANSACTION_ID | python3 -m json.tool",
        "# the retailer's credentials; revoke, suspend or reinstate one",
        f"curl -s -H {shlex.quote(f'Authorization: Bearer {d.retailer.token}')} "
        f"{d.retailer.url}/admin/credentials | python3 -m json.tool",
        _curl(d.retailer, "/admin/credentials/CREDENTIAL_ID/reinstate"),
        "# every endpoint of a service is described at /openapi.json",
    ]
    return table, commands


def print_manual(console: Console, deployment: Deployment, directory: Path) -> None:
    """Print the services table and example commands for using the demo by hand."""
    table, commands = manual(deployment, directory)
    console.rule("[bold]The services keep running: use them by hand", align="left")
    console.print(table)
    console.print(f"files: {escape(str(directory))} (wallet passphrase in wallet-passphrase)")
    for line in commands:
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
