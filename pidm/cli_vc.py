"""``pidm vc``: sign and verify JSON-LD credentials and presentations with Data Integrity proofs
(eddsa-rdfc-2022, eddsa-jcs-2022 with Ed25519 keys; ecdsa-rdfc-2019, ecdsa-jcs-2019 with P-256 or
P-384 keys).

``verify`` prints the verification result (a table, or JSON with ``--json``) in the same shape
as ``pidm sd-jwt verify`` and exits 0 when valid, 1 when invalid, 2 on bad usage or unreadable
input.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click

from pidm.cli_io import emit, json_text, read_json
from pidm.errors import MalformedValueError, PidmError

SUITES = ("eddsa-rdfc-2022", "eddsa-jcs-2022", "ecdsa-rdfc-2019", "ecdsa-jcs-2019")


def read_document(file: str) -> dict[str, Any]:
    """Read a JSON object from ``file`` ('-' = stdin); coded errors for anything else."""
    document = read_json(file)
    if not isinstance(document, dict):
        raise MalformedValueError(f"{file} must hold a JSON object, not "
                                  f"{type(document).__name__}")
    return document


def _types(document: Mapping[str, Any]) -> list[Any]:
    value = document.get("type")
    return value if isinstance(value, list) else [value]


def is_presentation(document: Mapping[str, Any]) -> bool:
    return "VerifiablePresentation" in _types(document)


def _controller(value: Any) -> str | None:
    if isinstance(value, Mapping):
        value = value.get("id")
    return value if isinstance(value, str) else None


@click.group("vc")
def vc_group() -> None:
    """Sign and verify credentials and presentations (VCDM 2.0/1.1, Data Integrity)."""


@vc_group.command("sign")
@click.argument("file")
@click.option("--key", "key_file", type=click.Path(dir_okay=False, path_type=Path),
              required=True, help="Signing key file (private JWK, from `pidm key generate`).")
@click.option("--suite", type=click.Choice(SUITES), required=True,
              help="Data Integrity cryptosuite: eddsa-* need an Ed25519 key, ecdsa-* a P-256 "
                   "(ES256) or P-384 (ES384) key.")
@click.option("--verification-method", "vm",
              help="DID URL of the key (default: the key's did:key). The document's issuer "
                   "(holder, for a presentation) must be this DID.")
@click.option("--challenge", help="Presentation proof challenge (the verifier's nonce).")
@click.option("--domain", help="Presentation proof domain (the verifier).")
@click.option("--out", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the signed document here instead of stdout.")
def vc_sign(file: str, key_file: Path, suite: str, vm: str | None, challenge: str | None,
            domain: str | None, out: Path | None) -> None:
    """Add a SUITE proof by KEY to the credential or presentation in FILE ('-' = stdin).

    A credential gets an assertionMethod proof and must name the key's DID as issuer; a
    presentation gets an authentication proof (with --challenge / --domain) and, if it names a
    holder, it must be the key's DID. The signed document goes to stdout or --out.
    """
    from pidm.cli import fail
    from pidm.clock import SystemClock
    from pidm.did.key import did_key_vm_id
    from pidm.integrity import add_proof
    from pidm.keys import read_key_file
    from pidm.vc import issuer_id, validate_credential, validate_presentation

    try:
        document = read_document(file)
        pair = read_key_file(key_file)
    except PidmError as exc:
        fail(exc)
    vm_id = vm if vm is not None else did_key_vm_id(pair.public)
    signer_did = vm_id.split("#", 1)[0]
    presentation = is_presentation(document)
    if not presentation and (challenge is not None or domain is not None):
        fail("--challenge and --domain are for presentations")
    try:
        if presentation:
            validate_presentation(document)
            controller = _controller(document.get("holder"))
        else:
            validate_credential(document)
            controller = issuer_id(document)
        if controller is not None and controller != signer_did:
            role = "holder" if presentation else "issuer"
            fail(f"the {role} {controller!r} is not the key's DID {signer_did!r}; a verifier "
                 f"would reject the proof (use --verification-method for a DID the key "
                 f"belongs to)")
        secured = add_proof(
            document,
            signer=pair.with_key_id(vm_id),
            cryptosuite=suite,
            created=SystemClock().now().replace(microsecond=0),
            proof_purpose="authentication" if presentation else "assertionMethod",
            challenge=challenge,
            domain=domain,
        )
    except PidmError as exc:
        fail(exc)
    emit(json_text(secured), out)


@vc_group.command("verify")
@click.argument("file")
@click.option("--proof-only", is_flag=True,
              help="Check the proof alone, not that the issuer controls its key (the W3C test "
                   "vectors are signed by keys that do not belong to their issuers).")
@click.option("--challenge", help="Expected presentation challenge (nonce).")
@click.option("--domain", help="Expected presentation domain (audience).")
@click.option("--skew", type=click.IntRange(0, 86400), default=300, show_default=True,
              help="Clock skew allowed, in seconds.")
@click.option("--at", "at", type=click.DateTime(["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S"]),
              help="Verify as of this time (ISO 8601, UTC if no offset) instead of now.")
@click.option("--allow-http", is_flag=True, help="did:web over http (local demos only).")
@click.option("--allow-private", is_flag=True,
              help="did:web on loopback/private addresses (local demos only).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def vc_verify(file: str, proof_only: bool, challenge: str | None, domain: str | None,
              skew: int, at: datetime | None, allow_http: bool, allow_private: bool,
              as_json: bool) -> None:
    """Verify the credential or presentation in FILE ('-' = stdin): structure (VCDM 2.0/1.1),
    every Data Integrity proof, that the issuer (holder) controls the signing key, and the
    validity window. Exit 0 valid, 1 invalid, 2 bad usage or unreadable input."""
    from pidm.cli import EXIT_INVALID, fail
    from pidm.cli_net import cli_resolver
    from pidm.cli_sdjwt import print_result
    from pidm.clock import SystemClock
    from pidm.vc import verify_credential, verify_presentation

    now = SystemClock().now() if at is None else at
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    try:
        document = read_document(file)
    except PidmError as exc:
        fail(exc)
    presentation = is_presentation(document)
    if presentation and proof_only:
        fail("--proof-only applies to credentials, not presentations")
    if not presentation and (challenge is not None or domain is not None):
        fail("--challenge and --domain are for presentations")
    resolver = cli_resolver(allow_private=allow_private, allow_http=allow_http)
    try:
        if presentation:
            result = asyncio.run(verify_presentation(
                document, resolver=resolver, now=now, challenge=challenge, domain=domain,
                skew=timedelta(seconds=skew)))
        else:
            result = asyncio.run(verify_credential(
                document, resolver=resolver, now=now, proof_only=proof_only,
                skew=timedelta(seconds=skew)))
    except PidmError as exc:
        fail(exc)
    print_result(result, as_json=as_json)
    if not result.valid:
        sys.exit(EXIT_INVALID)
