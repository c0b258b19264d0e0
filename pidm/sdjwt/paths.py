"""Claim paths: which claim a selective-disclosure choice is about.

A claim path is a non-empty list, exactly like a DCQL ``claims[].path`` (OpenID4VP §7): a string
selects an object member, a non-negative integer an array element, and ``None`` every element
of an array (at issuance also every member of an object). An integer applied to an object
selects the member named by its decimal form, so ``age_equal_or_over.18`` works.

Text form, used by the command line:

* dotted: ``address.postal_code``, ``nationalities.0``, ``nationalities.*`` (``*`` is ``None``;
  a segment of digits is an integer);
* JSON: a string starting with ``[`` is parsed as the DCQL array itself, for names holding dots
  or other awkward characters: ``'["a.b", "*", 0]'`` selects member ``"*"``, not every element.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from pidm.errors import MalformedValueError, shorten

PathSegment = str | int | None
ClaimPath = Sequence[PathSegment]
MAX_PATH_LENGTH = 32


def check_claim_path(path: ClaimPath) -> list[PathSegment]:
    """Validate a DCQL-style path and return it as a list."""
    if isinstance(path, str | bytes) or not isinstance(path, Sequence):
        raise MalformedValueError(f"a claim path is an array, got {shorten(path)}")
    if not path or len(path) > MAX_PATH_LENGTH:
        raise MalformedValueError(f"a claim path has 1 to {MAX_PATH_LENGTH} segments")
    out: list[PathSegment] = []
    for segment in path:
        if isinstance(segment, bool) or not (
            segment is None or isinstance(segment, str) or isinstance(segment, int)
        ):
            raise MalformedValueError(f"bad claim path segment {shorten(segment)}")
        if isinstance(segment, int) and segment < 0:
            raise MalformedValueError(f"negative array index in claim path: {segment}")
        out.append(segment)
    return out


def parse_claim_path(text: str) -> list[PathSegment]:
    """Parse the dotted or JSON text form of a claim path (see the module docstring)."""
    if not isinstance(text, str) or not text:
        raise MalformedValueError("empty claim path")
    if text.startswith("["):
        try:
            value = json.loads(text)
        except ValueError as exc:
            raise MalformedValueError(f"claim path {shorten(text)} is not JSON") from exc
        return check_claim_path(value)
    out: list[PathSegment] = []
    for segment in text.split("."):
        if not segment:
            raise MalformedValueError(f"empty segment in claim path {shorten(text)}")
        if segment == "*":
            out.append(None)
        elif segment.isascii() and segment.isdigit():
            out.append(int(segment))
        else:
            out.append(segment)
    return check_claim_path(out)


def format_claim_path(path: ClaimPath) -> str:
    """The dotted text form when it parses back to ``path``, else the JSON form."""
    parts: list[str] = []
    for segment in check_claim_path(path):
        if segment is None:
            parts.append("*")
        elif isinstance(segment, int):
            parts.append(str(segment))
        elif (
            not segment
            or "." in segment
            or segment == "*"
            or segment.startswith("[")
            or (segment.isascii() and segment.isdigit())
        ):
            return json.dumps(list(path), ensure_ascii=False)
        else:
            parts.append(segment)
    return ".".join(parts)
