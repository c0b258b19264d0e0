"""Table rows of plain text: names, purposes, claim labels and values come from issuers and
verifiers, so they are never read as rich markup (``[/]`` would crash the screen, ``[conceal]``
could hide a line) nor as emoji codes (``did:key:`` is not a picture)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text


def add_plain_row(table: Table, *cells: str) -> None:
    """``table.add_row`` with every cell taken literally."""
    table.add_row(*(Text(cell) for cell in cells))
