"""What the ``pidm`` commands read and print: bounded, coded reads of FILE arguments ('-' =
stdin) and JSON text that any terminal or file can take.

A read never takes more than ``limit`` bytes (``/dev/zero`` is PAYLOAD_TOO_LARGE, not a full
memory); anything unreadable — missing, a directory, not UTF-8, not JSON, NaN or Infinity (not
JSON either, RFC 8259 §6), nested too deep — is MALFORMED_VALUE_ERROR naming the file.
"""

from __future__ import annotations

import json
import math
import re
import sys
from pathlib import Path
from typing import Any, NoReturn

from pidm.errors import MalformedValueError, PayloadTooLarge, shorten

__all__ = ["MAX_INPUT_BYTES", "emit", "json_text", "printable", "read_bytes", "read_json",
           "read_text"]

#: Largest file or stdin read by a command (the formats' own limits apply after).
MAX_INPUT_BYTES = 4 * 1024 * 1024
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def read_bytes(file: str | Path, *, limit: int = MAX_INPUT_BYTES) -> bytes:
    """Read at most ``limit`` bytes of ``file`` ('-' = stdin); PAYLOAD_TOO_LARGE past it."""
    try:
        if str(file) == "-":
            data = sys.stdin.buffer.read(limit + 1)
        else:
            with Path(file).open("rb") as handle:
                data = handle.read(limit + 1)
    except OSError as exc:
        raise MalformedValueError(f"cannot read {file}: {exc.strerror}") from exc
    if len(data) > limit:
        raise PayloadTooLarge(f"{file} is larger than {limit} bytes")
    return data


def read_text(file: str | Path, *, limit: int = MAX_INPUT_BYTES) -> str:
    """:func:`read_bytes` decoded as UTF-8."""
    data = read_bytes(file, limit=limit)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedValueError(f"{file} is not UTF-8 text: {exc.reason} at byte "
                                  f"{exc.start}") from exc


def _no_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a JSON value")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e999 overflows to inf
        raise ValueError(f"{shorten(text, 40)} is beyond the range of a double")
    return value


def read_json(file: str | Path, *, limit: int = MAX_INPUT_BYTES) -> Any:
    """:func:`read_bytes` parsed as strict JSON (UTF-8/16/32 as RFC 8259 allows; no NaN)."""
    data = read_bytes(file, limit=limit)
    try:
        return json.loads(data, parse_constant=_no_constant, parse_float=_finite)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise MalformedValueError(f"{file} is not JSON: {shorten(str(exc), 120)}") from exc


def json_text(data: Any, *, indent: int | None = 2) -> str:
    """JSON text of ``data`` with non-ASCII kept, lone surrogates escaped as ``\\udxxx``.

    A lone surrogate (from JSON input such as ``"\\ud800"``) cannot be encoded as UTF-8: it
    made printing a credential or a verification result a UnicodeEncodeError. It can only occur
    inside a JSON string, where its escape is exactly what ``ensure_ascii`` would write.
    """
    return printable(json.dumps(data, indent=indent, ensure_ascii=False))


def printable(text: str) -> str:
    """``text`` with each lone surrogate written as its escape ``\\udxxx`` (UTF-8 has none)."""
    if _LONE_SURROGATE.search(text) is None:
        return text
    return _LONE_SURROGATE.sub(lambda match: f"\\u{ord(match[0]):04x}", text)


def emit(text: str, out: Path | None) -> None:
    """Print ``text``, or write it (with a final newline) to ``out``; a file that cannot be
    written is a usage error naming it."""
    import click

    from pidm.cli import fail

    if out is None:
        click.echo(text)
        return
    try:
        out.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror}")
