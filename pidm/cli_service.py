"""What ``pidm issuer serve`` and ``pidm verifier serve`` share: run an aiohttp application on
a socket until SIGINT/SIGTERM, print where it listens, and warn when the configured public URL
is a loopback address on a port the service is not listening on (clients would be sent to the
wrong place: wallet key proofs and presentations name the public URL as their audience).
"""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import click

if TYPE_CHECKING:
    from aiohttp import web

LOOPBACK = ("127.0.0.1", "localhost", "::1")


async def serve(
    name: str, app: web.Application, host: str, port: int, *, public_url: str,
    notes: Sequence[str] = (),
) -> None:
    """Serve ``app`` on ``host:port`` until a signal; print each address, then ``notes``."""
    from aiohttp import web

    stop = stop_on_signals()  # before printing: whoever reads the addresses may signal at once
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        for address in runner.addresses:
            click.echo(f"{name} listening on http://{hostport(address)}")
        for note in notes:
            click.echo(note)
        warn_if_unreachable(name, public_url, [a[1] for a in runner.addresses])
        await stop.wait()
        click.echo(f"{name} stopped", err=True)
    finally:
        await runner.cleanup()


def unreachable(public_url: str, ports: Sequence[int]) -> bool:
    """True when ``public_url`` is a loopback URL on none of ``ports``."""
    parts = urlsplit(public_url)
    if parts.hostname not in LOOPBACK:
        return False
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:  # a port out of range: nobody listens there
        return True
    return port not in ports


def warn_if_unreachable(name: str, public_url: str, ports: Sequence[int]) -> None:
    """Warn on stderr when :func:`unreachable`."""
    if unreachable(public_url, ports):
        click.echo(f"warning: public URL {public_url} is not where this {name} listens; "
                   f"re-run `pidm {name} init --url` or pass the matching --port (ignore this "
                   "for a replica behind a load balancer or proxy that serves that URL)",
                   err=True)


def serve_hint(name: str, config_path: object, public_url: str, default_port: int) -> str:
    """The ``serve`` command to run after ``init``: with ``--port`` when the public URL is a
    loopback URL on another port than the default (else the wrong-port warning would fire)."""
    hint = f"run it with: pidm {name} serve --config {config_path}"
    parts = urlsplit(public_url)
    try:
        port = parts.port
    except ValueError:
        port = None
    if parts.hostname in LOOPBACK and port is not None and port != default_port:
        hint += f" --port {port}"
    return hint


def hostport(address: Any) -> str:
    """``host:port`` of a listening address (``[host]:port`` for IPv6)."""
    host, port = address[0], address[1]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def stop_on_signals() -> asyncio.Event:
    """An event that SIGINT or SIGTERM sets (instead of interrupting the running loop)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop


def print_table(title: str, info: dict[str, str]) -> None:
    """A two-column table of ``info``, printed verbatim (no rich markup, emoji or highlighting)."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(title=title, show_header=False)
    for key, value in info.items():
        table.add_row(Text(key), Text(value))
    Console(file=sys.stdout, emoji=False, highlight=False).print(table)
