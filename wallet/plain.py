"""Table rows of plain text: names, purposes, claim labels and values come from issuers and
verifiers, so they are never read as rich markup (``[/]`` would crash the screen, ``[conceal]``
could hide a line), as emoji codes (``did:key:`` is not a picture) nor as terminal controls
(an escape sequence could clear or overwrite the consent screen)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text


def printable(text: str) -> str:
    """``text`` with each character a terminal would act on (ESC and other controls, bidi
    overrides: they can clear the screen, move the cursor or hide and reorder text) written as
    its escape (``\\x1b``); line breaks stay."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch == "\n" else ascii(ch)[1:-1] for ch in text)


def plain(text: str, style: str = "") -> Text:
    """A rich Text showing ``text`` literally: no markup, no emoji, no terminal controls."""
    return Text(printable(text), style=style)


def add_plain_row(table: Table, *cells: str) -> None:
    """``table.add_row`` with every cell taken literally."""
    table.add_row(*(plain(cell) for cell in cells))
