"""``pidm demo``: the main job, narrated. Until the services land it runs the signing round trip."""

from __future__ import annotations

import click

from pidm.keys import KeyPair


def run_demo() -> int:
    """Run the demo; return the process exit code (0 when every step behaved as described)."""
    issuer = KeyPair.generate("Ed25519")
    message = b"over 18: yes"
    signature = issuer.sign(message)
    click.echo(f"1. issuer key {issuer.public.to_multikey()} signs {message!r}")
    ok = issuer.public.verify(message, signature)
    click.echo(f"2. verifier checks the signature: {'valid' if ok else 'INVALID'}")
    tampered = issuer.public.verify(b"over 18: no", signature)
    click.echo(f"3. a tampered claim is {'ACCEPTED' if tampered else 'refused'}")
    return 0 if ok and not tampered else 1
