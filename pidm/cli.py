"""The ``pidm`` command: parse arguments, call the API, print. Exit codes: 0 ok / valid,
1 invalid, 2 bad usage or unreadable input."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from pidm.cli_usage import CodedUsageGroup
from pidm.errors import PidmError, UsageError
from pidm.keys import KeyPair, write_key_file

EXIT_INVALID = 1
EXIT_USAGE = 2


def fail(error: PidmError | str, code: int = EXIT_USAGE) -> NoReturn:
    """Print a coded error to stderr and exit; never a traceback. A plain message is a
    ``USAGE_ERROR``."""
    if not isinstance(error, PidmError):
        error = UsageError(error)
    click.echo(f"error: {error.code}: {error}", err=True)
    sys.exit(code)


def echo_json(data: Any) -> None:
    from pidm.cli_io import json_text

    click.echo(json_text(data))


@click.group(cls=CodedUsageGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="pidm")
def main() -> None:
    """pidm — personal identity management with verifiable credentials.

    Issuers sign attributes into credentials, consumers keep them in an encrypted wallet and
    share only what they approve, marketers verify what they receive. Run `pidm demo` to see
    the whole flow.
    """


@main.group()
def key() -> None:
    """Create key pairs (Ed25519, P-256 or P-384)."""


@key.command("generate")
@click.option("--algorithm", "-a", type=click.Choice(["Ed25519", "ES256", "ES384"]),
              default="Ed25519", show_default=True,
              help="Ed25519 (EdDSA), ES256 (P-256) or ES384 (P-384: Data Integrity ecdsa-* "
                   "suites only, not JWTs or services).")
@click.option("--out", "-o", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Key file to write (private JWK, mode 0600; never overwritten).")
def key_generate(algorithm: str, out: Path) -> None:
    """Generate a key pair and write it to OUT; print the public key and its did:key."""
    if out == Path() or out.is_dir():  # click gives Path('') for -o ''
        fail(f"--out must name a file, not the directory {str(out)!r}")
    pair = KeyPair.generate(algorithm)  # type: ignore[arg-type]
    try:
        write_key_file(out, pair)
    except FileExistsError:
        fail(f"{out} exists; refusing to overwrite a key file")
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror}")
    from pidm.did.key import did_key

    echo_json({"algorithm": algorithm, "did": did_key(pair.public),
               "publicKeyMultibase": pair.public.to_multikey(),
               "publicKeyJwk": pair.public.to_jwk(), "file": str(out)})


def run() -> None:  # pragma: no cover - console entry
    main()


from pidm.cli_demo import demo_command as _demo_command  # noqa: E402

main.add_command(_demo_command)

from pidm.cli_did import did_group as _did_group  # noqa: E402

main.add_command(_did_group)

from pidm.cli_issuer import issuer_group as _issuer_group  # noqa: E402

main.add_command(_issuer_group)

from pidm.cli_sdjwt import sdjwt_group as _sdjwt_group  # noqa: E402

main.add_command(_sdjwt_group)

from pidm.cli_verifier import verifier_group as _verifier_group  # noqa: E402

main.add_command(_verifier_group)

from pidm.cli_wallet import wallet_group as _wallet_group  # noqa: E402

main.add_command(_wallet_group)

from pidm.cli_vc import vc_group as _vc_group  # noqa: E402

main.add_command(_vc_group)
