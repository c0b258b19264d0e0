"""``pidm demo``: the main job end to end on loopback (see :mod:`pidm_demo`)."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command("demo")
@click.option("--keep", is_flag=True,
              help="Leave the services running afterwards and print how to use them by hand "
              "(URLs, admin tokens, config files, wallet, example commands) until Ctrl-C.")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Write configs, databases and the wallet into this (new or "
              "empty) directory and leave them there; default: a temporary directory that is "
              "deleted at the end.")
def demo_command(keep: bool, directory: Path | None) -> None:
    """Run the main job end to end, narrated and checked: nothing to configure.

    Starts two issuers (a retailer's loyalty programme and an age-verification provider) and
    a marketer's verifier on free 127.0.0.1 ports with embedded SQLite, creates a wallet, and
    plays five steps, showing what crossed the wire at each:

    \b
    1. both issuers issue SD-JWT VCs to the wallet (OpenID4VCI: offer, token, credential);
    2. the marketer asks for "over 18" and the postcode, with a purpose and a reward
       (OpenID4VP request object with a DCQL query);
    3. the wallet shows the consent screen and shares only those two claims (name and birth
       date stay in the wallet); the marketer returns a signed receipt with the reward;
    4. the retailer revokes the membership; the next presentation is refused
       (status check CREDENTIAL_REVOKED);
    5. the wallet's history and rewards.

    Every step is checked. Exit status: 0 when all behaved as described, 1 when a step did
    not, 2 when the demo could not start, 130 when interrupted.
    """
    from pidm_demo import run_demo

    sys.exit(run_demo(keep=keep, directory=directory))
