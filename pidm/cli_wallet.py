"""``pidm wallet``: the consumer's wallet on the command line, built on :class:`wallet.Wallet`.

The wallet directory comes from ``--wallet DIR`` or ``$PIDM_WALLET`` (default
``pidm/wallet`` in the user's data directory, see :func:`wallet.locker.default_wallet_dir`);
the passphrase from ``--passphrase-file``, ``$PIDM_WALLET_PASSPHRASE`` or a prompt. Exit
codes: 0 done (also a declined request), 1 a presentation the verifier refused or never
answered, 2 a coded error (``error: CODE: ...``).
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console

from pidm.errors import MalformedValueError, PayloadTooLarge, PidmError, UsageError

T = TypeVar("T")
KDF_CHOICES = ("moderate", "interactive", "minimum")
#: wallet.passphrase.RULE, spelled out so that --help does not import the wallet (a test
#: keeps the two, and the words in 'init --help', equal)
PASSPHRASE_RULE = "at least 8 characters, not all the same character"
#: Most bytes read from a passphrase file (``--passphrase-file /dev/zero`` filled memory).
MAX_SECRET_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class _Settings:
    directory: Path
    passphrase_file: Path | None
    allow_private: bool
    allow_http: bool
    timeout: float


def _read_secret(path: Path, what: str) -> str:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_SECRET_BYTES + 1)
    except OSError as exc:
        raise MalformedValueError(f"cannot read the {what} file {path}: {exc.strerror}") from None
    if len(data) > MAX_SECRET_BYTES:
        raise PayloadTooLarge(f"the {what} file {path} is larger than {MAX_SECRET_BYTES} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedValueError(f"the {what} file {path} is not UTF-8 text") from None
    return text.rstrip("\r\n")


def _passphrase(settings: _Settings, *, new: bool = False) -> str:
    """The wallet passphrase; ``new`` (init): asked twice, and a typed one re-asked until it
    follows the rule (from a file or the environment it is checked when the wallet is made)."""
    if settings.passphrase_file is not None:
        return _read_secret(settings.passphrase_file, "passphrase")
    env = os.environ.get("PIDM_WALLET_PASSPHRASE")
    if env:
        return env
    return _ask_secret("Wallet passphrase", confirm=new, new=new)


def _backup_passphrase(path: Path | None, *, new: bool) -> str:
    if path is not None:
        return _read_secret(path, "backup passphrase")
    env = os.environ.get("PIDM_BACKUP_PASSPHRASE")
    if env:
        return env
    return _ask_secret("Backup passphrase", confirm=new, new=new)


def _interactive() -> bool:
    return sys.stdin.isatty()


def _ask_secret(label: str, *, confirm: bool, new: bool = False) -> str:
    """Prompt for a secret: hidden on a terminal (a ``new`` one re-asked while it is weaker
    than the rule); from a pipe, one line each (getpass would warn that it cannot hide the
    input, and end in a bare 'Aborted!' at end of input)."""
    if _interactive():
        from wallet.passphrase import check_new_passphrase

        def strong(value: str) -> str:
            try:
                check_new_passphrase(value, label.lower())
            except MalformedValueError as exc:
                raise click.UsageError(str(exc)) from None
            return value

        return str(click.prompt(label, hide_input=True, confirmation_prompt=confirm, err=True,
                                value_proc=strong if new else None))
    secret = _stdin_line(label, label)
    if confirm and _stdin_line("Repeat for confirmation", label) != secret:
        raise MalformedValueError(f"the two {label.lower()}s read from standard input differ")
    return secret


def _stdin_line(prompt: str, label: str) -> str:
    click.echo(f"{prompt}: ", nl=False, err=True)
    line = sys.stdin.readline()
    click.echo("", err=True)
    text = line.rstrip("\r\n")
    if not text:
        option, env = (("--backup-passphrase-file", "PIDM_BACKUP_PASSPHRASE")
                       if label.startswith("Backup") else
                       ("--passphrase-file", "PIDM_WALLET_PASSPHRASE"))
        raise UsageError(f"no {label.lower()} on standard input; in scripts use {option} "
                         f"or {env}")
    return text


def _run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


PROMPT_TRIES = 3


def _open(settings: _Settings) -> Any:
    """Open the wallet: WALLET_NOT_FOUND before asking for a passphrase; a typed (prompted)
    passphrase may be retried, one from a file or the environment may not."""
    from pidm.errors import WalletNotFound, WrongPassphrase
    from wallet import HttpLimits, Wallet, WalletOptions
    from wallet.locker import DB_NAME

    if not (settings.directory / DB_NAME).is_file():
        raise WalletNotFound(f"no wallet at {str(settings.directory)!r}")
    limits = HttpLimits(allow_private=settings.allow_private, allow_http=settings.allow_http,
                        timeout=settings.timeout)
    prompted = settings.passphrase_file is None and not os.environ.get("PIDM_WALLET_PASSPHRASE")
    for attempt in range(1, PROMPT_TRIES + 1):
        try:
            return Wallet.open(settings.directory, _passphrase(settings),
                               options=WalletOptions(limits=limits))
        except WrongPassphrase:
            if not prompted or attempt == PROMPT_TRIES:
                raise
            click.echo("Wrong passphrase; try again.", err=True)
    raise AssertionError("unreachable")


def _guarded(action: Callable[..., None]) -> Callable[..., None]:
    """Run a command body with the settings; coded errors exit 2 without a traceback."""

    @click.pass_obj
    def wrapper(settings: _Settings, /, **kwargs: Any) -> None:
        from pidm.cli import fail

        try:
            action(settings, **kwargs)
        except PidmError as exc:
            fail(_with_hint(exc, settings, click.get_current_context().info_name or ""))
        except click.Abort:
            if sys.stdin.isatty():
                raise  # Ctrl-C at a prompt
            click.echo("", err=True)  # end the prompt's line
            fail(UsageError("standard input ended before an answer; in scripts use --yes or "
                            "--decline, --tx-code, --passphrase-file"))

    wrapper.__name__ = action.__name__
    wrapper.__doc__ = action.__doc__
    return wrapper


def _with_hint(exc: PidmError, settings: _Settings, command: str) -> PidmError:
    """The error, with a hint naming the flag that allows what was refused: a plain http URL
    (``--allow-http``) or a loopback/private address (``--allow-private``), both meant for
    local testing only, as the hint says; an existing export FILE or wallet (``--force``)."""
    from pidm.errors import Conflict

    detail = exc.detail if isinstance(exc.detail, dict) else {}
    reason = detail.get("reason")
    # FetchRefused carries the refused scheme; the offer/request parsers
    # (pidm.oid4vc._fields.check_url) say it in the message only
    http_url = (reason == "scheme" and detail.get("scheme") == "http"
                or "must be an absolute https URL: 'http://" in exc.message)
    if http_url and not settings.allow_http:
        flag, env = "--allow-http", "PIDM_WALLET_ALLOW_HTTP=1"
    elif reason == "private_address" and not settings.allow_private:
        flag, env = "--allow-private", "PIDM_WALLET_ALLOW_PRIVATE=1"
    elif reason == "exists" and isinstance(exc, Conflict) and command in ("export", "import"):
        # the API names its force=True; on the command line it is --force
        text = exc.message.replace("force=True replaces it", "--force replaces it")
        return type(exc)(text, detail=exc.detail)
    else:
        return exc
    return type(exc)(f"{exc.message} (local testing only: add {flag}, as in 'pidm wallet "
                     f"{flag} {command} ...', or set {env})", detail=exc.detail)


def _console(as_json: bool = False) -> Console:
    # hostile names and messages are printed: no markup, emoji codes or highlighting
    return Console(stderr=as_json, soft_wrap=False, markup=False, emoji=False, highlight=False)


@click.group("wallet")
@click.option("--wallet", "directory", type=click.Path(file_okay=False, path_type=Path),
              envvar="PIDM_WALLET", default=None,
              help="Wallet directory (env PIDM_WALLET; default pidm/wallet in your data directory: "
              "$XDG_DATA_HOME or ~/.local/share, macOS ~/Library/Application Support, "
              "Windows %LOCALAPPDATA%).")
@click.option("--passphrase-file", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Read the wallet passphrase from this file (scripts; "
              "a final newline is ignored). Else env PIDM_WALLET_PASSPHRASE; else you are "
              "prompted.")
@click.option("--allow-private", is_flag=True, envvar="PIDM_WALLET_ALLOW_PRIVATE",
              help="Let the wallet reach loopback/private addresses such as 127.0.0.1 or "
              "localhost (local testing only; env PIDM_WALLET_ALLOW_PRIVATE=1).")
@click.option("--allow-http", is_flag=True, envvar="PIDM_WALLET_ALLOW_HTTP",
              help="Allow plain http:// issuers and verifiers (local testing only; env "
              "PIDM_WALLET_ALLOW_HTTP=1).")
@click.option("--timeout", type=click.FloatRange(0.1, 600.0), default=10.0, show_default=True,
              help="Network timeout in seconds.")
@click.pass_context
def wallet_group(ctx: click.Context, directory: Path | None, passphrase_file: Path | None,
                 allow_private: bool, allow_http: bool, timeout: float) -> None:
    """Your personal data locker: receive credentials, share only what you approve, see who
    got what, and move the wallet with an encrypted backup.

    Options before the command apply to every command. The wallet is the directory --wallet
    or env PIDM_WALLET; its passphrase comes from --passphrase-file, env
    PIDM_WALLET_PASSPHRASE, or a prompt. Run 'pidm wallet COMMAND --help' for each command.

    \b
    Examples:
      pidm wallet init
      pidm wallet receive 'openid-credential-offer://?credential_offer_uri=https%3A...'
      pidm wallet list
      pidm wallet present 'openid4vp://?client_id=...&request_uri=https%3A...'
      pidm wallet history
      PIDM_WALLET=~/w2 pidm wallet --passphrase-file ~/.w2-pass list
      pidm wallet --allow-http --allow-private receive "$OFFER"   # a local test issuer

    Exit codes: 0 done (also a declined request), 1 a presentation the verifier refused or
    never answered, 2 an error ('error: CODE: message').
    """
    from wallet.locker import default_wallet_dir

    ctx.obj = _Settings(default_wallet_dir(directory), passphrase_file, allow_private,
                        allow_http, timeout)


@wallet_group.command("init")
@click.option("--kdf", type=click.Choice(KDF_CHOICES), default="moderate", show_default=True,
              help="Passphrase hardening (Argon2id cost). 'minimum' is for tests only.")
@_guarded
def wallet_init(settings: _Settings, kdf: str) -> None:
    """Create a new, empty wallet sealed with a passphrase.

    The passphrase must have at least 8 characters, not all the same character; a weaker one
    is refused
    (MALFORMED_VALUE_ERROR). Typed at the prompt, it is asked twice; in scripts give it with
    --passphrase-file or env PIDM_WALLET_PASSPHRASE. Nobody can recover a forgotten
    passphrase: keep it, and an export (pidm wallet export), somewhere safe.

    \b
    Examples:
      pidm wallet init
      pidm wallet --wallet ~/my-wallet --passphrase-file ~/.wallet-pass init
    """
    from wallet import KdfParams, Wallet

    params = {"moderate": KdfParams.MODERATE, "interactive": KdfParams.INTERACTIVE,
              "minimum": KdfParams.MINIMUM}[kdf]
    Wallet.create(settings.directory, _passphrase(settings, new=True), kdf=params).close()
    click.echo(f"wallet created in {settings.directory}")


@wallet_group.command("receive")
@click.argument("offer")
@click.option("--tx-code", default=None, help="Transaction code the issuer sent separately "
              "(asked for when the offer needs one and this is not given).")
@click.option("--copies", type=click.IntRange(1, 100), default=None,
              help="Copies to ask for, one fresh key each (default 3, capped by the issuer).")
@click.option("--holder-did", type=click.Choice(["key", "jwk"]), default="key",
              show_default=True, help="DID method of the fresh holder keys.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@_guarded
def wallet_receive(settings: _Settings, offer: str, tx_code: str | None, copies: int | None,
                   holder_did: str, as_json: bool) -> None:
    """Receive credentials from an OFFER (openid-credential-offer:// URI or offer URL).

    The OFFER is what the issuer shows as a link or QR code: an openid-credential-offer://
    URI (the offer inline or by credential_offer_uri) or the https URL of an offer. Quote it
    in the shell: it holds '&' and '?'. Issuers must be https on public addresses; a local
    test issuer needs --allow-http and --allow-private before 'receive'.

    \b
    Examples:
      pidm wallet receive 'openid-credential-offer://?credential_offer_uri=https%3A%2F%2Fissuer.example%2Foffers%2F42'
      pidm wallet receive https://issuer.example/offers/42 --tx-code 493536
    """
    from dataclasses import replace

    from pidm.cli import echo_json
    from pidm.oid4vc.vci import TxCode
    from wallet.views import credentials_table, group_json

    def ask(spec: TxCode) -> str:
        return _ask_tx_code(spec)

    stored: list[Any] = []
    with _open(settings) as wallet:
        wallet.options = replace(wallet.options, holder_method=holder_did)
        try:
            groups = _run(wallet.receive(offer, tx_code=tx_code or ask, copies=copies,
                                         on_stored=stored.append))
        except PidmError:
            if stored:  # an offer of several credentials failed part-way: say what was kept
                names = ", ".join(f"{g.first.name} ({g.id})" for g in stored)
                click.echo(f"stored before the error: {names}", err=True)
            raise
    if as_json:
        echo_json([group_json(g) for g in groups])
    else:
        _console().print(credentials_table(groups))


def _ask_tx_code(spec: Any, tries: int = 3) -> str:
    """Prompt for the transaction code, re-asking (locally, without spending one of the
    issuer's attempts) when the answer does not have the announced length or digits."""
    kind = "digits" if spec.mode == "numeric" else "characters"
    shape = f"{spec.length} {kind}" if spec.length else ("digits" if kind == "digits" else "")
    hint = "; ".join(t for t in (shape, spec.description) if t)
    for _ in range(tries):
        code = str(click.prompt(f"Transaction code{f' ({hint})' if hint else ''}",
                                err=True)).strip()
        if (spec.length is None or len(code) == spec.length) and (
                spec.mode != "numeric" or (code.isascii() and code.isdigit())):
            return code
        click.echo(f"That is not a transaction code of {shape or 'the expected form'}.",
                   err=True)
    raise MalformedValueError(f"no transaction code of {shape or 'the expected form'} given")


@wallet_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@_guarded
def wallet_list(settings: _Settings, as_json: bool) -> None:
    """List the credentials in the wallet."""
    from pidm.cli import echo_json
    from wallet.views import credentials_table, group_json

    with _open(settings) as wallet:
        groups = wallet.credentials()
    if as_json:
        echo_json([group_json(g) for g in groups])
    else:
        _console().print(credentials_table(groups))


@wallet_group.command("show")
@click.argument("credential_id")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@_guarded
def wallet_show(settings: _Settings, credential_id: str, as_json: bool) -> None:
    """Show one credential's claims (CREDENTIAL_ID or a unique prefix of it).

    The ids are in the first column of 'pidm wallet list'.

    \b
    Example:
      pidm wallet show 3f2a
    """
    from pidm.cli import echo_json
    from wallet.views import credential_detail, group_json

    with _open(settings) as wallet:
        group = wallet.credential(credential_id)
    if as_json:
        echo_json(group_json(group))
    else:
        _console().print(credential_detail(group))


@wallet_group.command("delete")
@click.argument("credential_id")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@_guarded
def wallet_delete(settings: _Settings, credential_id: str, yes: bool) -> None:
    """Delete a credential, all its copies and their keys (CREDENTIAL_ID or a unique prefix
    of it, as in 'pidm wallet list'). The history of what was shared is kept.

    \b
    Example:
      pidm wallet delete 3f2a --yes
    """
    with _open(settings) as wallet:
        group = wallet.credential(credential_id)
        if not yes and not click.confirm(f"Delete '{group.first.name}' ({group.id})?",
                                         err=True):
            click.echo("nothing deleted")
            return
        wallet.delete(group.id)
    click.echo(f"deleted {group.id}")


@wallet_group.command("present")
@click.argument("request")
@click.option("--yes", is_flag=True, help="Approve without asking: share the required claims "
              "(plus those named by --claims).")
@click.option("--decline", is_flag=True, help="Decline without asking.")
@click.option("--claims", multiple=True, help="Optional claims to share as well: comma-"
              "separated paths (given_name, address.locality) or QUERY_ID:path. Without "
              "--yes, one question confirms them instead of one per optional claim.")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON (the consent "
              "screen goes to stderr).")
@_guarded
def wallet_present(settings: _Settings, request: str, yes: bool, decline: bool,
                   claims: tuple[str, ...], as_json: bool) -> None:
    """Answer a presentation REQUEST (openid4vp:// URI or request URI) after showing who
    asks, why, for how long, for what reward, and which claims.

    The REQUEST is what the verifier shows as a link or QR code: an openid4vp:// URI
    (client_id plus request or request_uri) or the https URL of a signed request object.
    Quote it in the shell. Nothing is shared without your yes (or --yes); exit 1 if the
    verifier refused the answer or never answered.

    \b
    Examples:
      pidm wallet present 'openid4vp://?client_id=decentralized_identifier%3Adid%3Aweb%3Ashop.example&request_uri=https%3A%2F%2Fshop.example%2Frequests%2F7'
      pidm wallet present "$REQUEST" --claims email,address.locality
      pidm wallet present "$REQUEST" --decline
    """
    from pidm.cli import EXIT_INVALID, echo_json
    from pidm.sdjwt.paths import format_claim_path
    from wallet.consent import (
        ConsentDecision,
        ConsentScreen,
        ask_decision,
        parse_claim_choices,
        render_consent,
    )
    from wallet.views import outcome_json

    if decline and (yes or claims):
        raise MalformedValueError(f"--decline and {'--yes' if yes else '--claims'} exclude "
                                  "each other")
    console = _console(as_json)

    def decide(screen: ConsentScreen) -> ConsentDecision:
        render_consent(screen, console)
        if decline:
            return ConsentDecision.decline()
        if not (yes or claims):
            return ask_decision(screen, lambda q, d: bool(click.confirm(q, default=d, err=True)))
        picked = parse_claim_choices(claims, screen)
        chosen = set(screen.minimum()) | set(picked)
        include = {q for q, _ in picked if not screen.item(q).required}
        if not yes and not click.confirm(
            "Share the required claims and those named by --claims "
            f"({', '.join(sorted(format_claim_path(list(p)) for _, p in picked))})?",
            default=False, err=True,
        ):
            return ConsentDecision.decline()
        return ConsentDecision.approve(chosen, include)

    with _open(settings) as wallet:
        outcome = _run(wallet.present(request, decide))
    if as_json:
        echo_json(outcome_json(outcome))
    else:
        _print_outcome(console, outcome)
    if outcome.outcome in ("rejected", "failed"):
        sys.exit(EXIT_INVALID)


def _print_outcome(console: Console, outcome: Any) -> None:
    from wallet.plain import printable  # verifier-written text: no terminal controls

    entry = outcome.entry
    if entry.outcome == "declined":
        console.print("Declined; the verifier was told (access_denied).")
    elif entry.outcome == "shared":
        reward = f", reward {entry.granted.amount} {entry.granted.unit}" if entry.granted else ""
        console.print(printable(f"Shared with {entry.verifier_name or entry.verifier_did}; "
                                f"receipt {entry.receipt}{reward}."))
    else:
        console.print(printable(f"Not accepted ({entry.outcome}): {entry.error}"))
    if outcome.redirect_uri:
        console.print(printable(f"Continue at {outcome.redirect_uri}"))


@wallet_group.command("history")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@_guarded
def wallet_history(settings: _Settings, as_json: bool) -> None:
    """The transparency log: every request, what was shared, with whom, why, and the receipt."""
    from pidm.cli import echo_json
    from wallet.views import entry_json, history_table

    with _open(settings) as wallet:
        entries = wallet.history()
    if as_json:
        echo_json([entry_json(e) for e in entries])
    else:
        _console().print(history_table(entries))


@wallet_group.command("rewards")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@_guarded
def wallet_rewards(settings: _Settings, as_json: bool) -> None:
    """Points and amounts earned per verifier, from verified receipts only."""
    from pidm.cli import echo_json
    from wallet.views import rewards_json, rewards_table

    with _open(settings) as wallet:
        names = {e.verifier_did: e.verifier_name for e in wallet.history()}
        rows = rewards_json(wallet.rewards(), names)
    if as_json:
        echo_json(rows)
    else:
        _console().print(rewards_table(rows))


@wallet_group.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--backup-passphrase-file", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Read the backup passphrase from this file (also: env "
              "PIDM_BACKUP_PASSPHRASE; otherwise you are prompted). It must have "
              f"{PASSPHRASE_RULE}.")
@click.option("--force", is_flag=True, help="Replace FILE if it exists (by default an existing "
              "file is refused and left untouched).")
@_guarded
def wallet_export(settings: _Settings, file: Path, backup_passphrase_file: Path | None,
                  force: bool) -> None:
    """Write an encrypted backup of the whole wallet to FILE.

    The backup passphrase protects the file only: the restored wallet opens with the wallet
    passphrase in force now. The file is written whole or not at all; an existing FILE is
    refused (CONFLICT) unless --force.

    \b
    Example:
      pidm wallet export ~/wallet-2026-12.pidmbak
    """
    from wallet.backup import check_destination

    check_destination(file, force=force)  # before asking for passphrases
    with _open(settings) as wallet:
        secret = _backup_passphrase(backup_passphrase_file, new=True)
        wallet.export(file, secret, kdf=wallet.locker.kdf, force=force)
    click.echo(f"backup written to {file}; it restores a wallet that opens with the "
               "current wallet passphrase")


@wallet_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--backup-passphrase-file", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Read the backup passphrase from this file (also: env "
              "PIDM_BACKUP_PASSPHRASE; otherwise you are prompted).")
@click.option("--force", is_flag=True, help="Replace a wallet already in the directory "
              "(a directory holding other files is never replaced).")
@_guarded
def wallet_import(settings: _Settings, file: Path, backup_passphrase_file: Path | None,
                  force: bool) -> None:
    """Restore the wallet from an encrypted backup FILE.

    A wrong passphrase or a damaged file is refused and the existing wallet is left untouched.
    The restored wallet opens with the wallet passphrase that was in force at export.

    \b
    Example:
      pidm wallet --wallet ~/restored import ~/wallet-2026-12.pidmbak
    """
    from wallet import Wallet

    secret = _backup_passphrase(backup_passphrase_file, new=False)
    where = Wallet.restore(file, secret, settings.directory, force=force)
    click.echo(f"wallet restored into {where}; open it with the wallet passphrase in force "
               "when the backup was made")
