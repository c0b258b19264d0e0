"""The minimum strength of a new passphrase (wallet creation, passphrase change, backup export).

The rule, :data:`RULE`: at least :data:`MIN_CHARS` characters, and not one character repeated
(``aaaaaaaa``). Only new passphrases are checked: a wallet or backup made under an older rule
still opens with its passphrase. A weak passphrase is MALFORMED_VALUE_ERROR naming the rule.
"""

from __future__ import annotations

from pidm.errors import MalformedValueError

#: Fewest characters (Unicode code points) a new passphrase may have.
MIN_CHARS = 8
#: The rule in words, for error messages and ``--help``.
RULE = f"at least {MIN_CHARS} characters, not all the same character"


def check_new_passphrase(passphrase: str, what: str = "passphrase") -> None:
    """Raise MALFORMED_VALUE_ERROR unless ``passphrase`` follows :data:`RULE`; TypeError if it
    is not a str. ``what`` names it in the message ("backup passphrase")."""
    if not isinstance(passphrase, str):
        raise TypeError(f"{what} must be a str")
    if not passphrase:
        raise MalformedValueError(f"the {what} must not be empty; use {RULE}")
    if len(passphrase) < MIN_CHARS:
        count = f"{len(passphrase)} character{'s' if len(passphrase) > 1 else ''}"
        raise MalformedValueError(f"the {what} is too short ({count}); use {RULE}")
    if len(set(passphrase)) == 1:
        raise MalformedValueError(f"the {what} repeats one character; use {RULE}")
