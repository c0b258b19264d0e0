"""Run the demo: deploy the services in a directory, create the wallet, play the scenario and
(with ``keep``) leave everything running until interrupted. Exit code 0 only when every step
behaved as described."""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from pidm.errors import PidmError
from pidm_demo.cast import MEMBERSHIP_ID, Facts
from pidm_demo.keep import print_manual, wait_for_interrupt
from pidm_demo.narrate import Narrator, StepFailed
from pidm_demo.scenario import run_scenario
from pidm_demo.services import Stores, deploy
from wallet import HttpLimits, KdfParams, Wallet, WalletOptions

PASSPHRASE = "demo passphrase: correct horse battery staple"
PASSPHRASE_FILE = "wallet-passphrase"
#: The wallet may talk to loopback over http: local demos only.
LOCAL = WalletOptions(limits=HttpLimits(allow_private=True, allow_http=True))


def create_wallet(directory: Path) -> Wallet:
    """A new wallet in ``directory / "wallet"``, its passphrase in a 0600 file beside it."""
    fd = os.open(directory / PASSPHRASE_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(PASSPHRASE + "\n")
    return Wallet.create(directory / "wallet", PASSPHRASE, kdf=KdfParams.INTERACTIVE,
                         options=LOCAL)


async def demo_main(directory: Path, console: Console, *, stores: Stores | None = None,
                    keep: bool = False) -> Facts:
    """Deploy, play the five steps and return the facts; with ``keep`` print how to use the
    services by hand and wait for Ctrl-C. Raises StepFailed or PidmError."""
    narrator = Narrator(console)
    console.print("[bold]pidm demo[/bold]: a retailer and an age-verification provider issue "
                  "credentials, a marketer asks for two claims, the consumer decides.")
    async with deploy(directory, stores) as deployment:
        for service in deployment.services:
            narrator.note(f"{service.role:>9}: {service.config.name} at {service.url}  "
                          f"({service.did})")
        with create_wallet(directory) as wallet:
            narrator.note(f"   wallet: {directory / 'wallet'} (encrypted, Argon2id)")
            facts = await run_scenario(narrator, deployment, wallet)
        console.print(f"[bold green]All {len(narrator.checked)} checks passed.[/bold green]")
        if keep:
            deployment.wire.recording = False
            print_manual(console, deployment, directory, facts.groups[MEMBERSHIP_ID])
            await wait_for_interrupt()
            console.print("stopping the services")
    return facts


@contextlib.contextmanager
def _workdir(directory: Path | None) -> Iterator[Path]:
    if directory is not None:
        directory.mkdir(parents=True, exist_ok=True)
        if any(directory.iterdir()):
            raise FileExistsError(f"{directory} is not empty")
        yield directory
        return
    with tempfile.TemporaryDirectory(prefix="pidm-demo-") as tmp:
        yield Path(tmp)


def run_demo(*, keep: bool = False, directory: Path | None = None,
             console: Console | None = None) -> int:
    """Run the demo; return the exit code (0 ok, 1 a step misbehaved, 2 cannot start,
    130 interrupted before the end)."""
    console = console or Console(highlight=False, emoji=False)
    try:
        with _workdir(directory) as where:
            asyncio.run(demo_main(where, console, keep=keep))
    except StepFailed as exc:
        console.print(f"[bold red]demo failed: {escape(str(exc))}[/bold red]")
        return 1
    except PidmError as exc:
        console.print(f"[bold red]demo failed: {exc.code}: {escape(str(exc))}[/bold red]")
        return 1
    except OSError as exc:
        why = f"{exc.strerror}: {exc.filename}" if exc.strerror and exc.filename else str(exc)
        console.print(f"[bold red]error: USAGE_ERROR: cannot run the demo: {escape(why)}"
                      "[/bold red]")
        return 2
    except KeyboardInterrupt:
        console.print("interrupted")
        return 130
    return 0
