"""Field readers shared by the OpenID4VC message models.

Every reader takes the error class to raise, so each message reports its own code (a DCQL query
raises INVALID_DCQL_QUERY, a credential request INVALID_CREDENTIAL_REQUEST ...). JSON text is read
with a size limit, a nesting limit and duplicate member names refused (RFC 8259 §4 leaves them
undefined; two parsers that pick different ones are an attack).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from pidm.errors import PayloadTooLarge, PidmError, shorten

MAX_JSON_BYTES = 1_048_576
MAX_DEPTH = 64
_URL_SAFE = re.compile(r"^[A-Za-z0-9._~-]+$")

ErrorType = type[PidmError]


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate member {shorten(key)}")
        out[key] = value
    return out


def _depth(value: Any, limit: int) -> int:
    stack: list[tuple[Any, int]] = [(value, 1)]
    deepest = 0
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
    return deepest


def load_json(
    text: str | bytes, err: ErrorType, *, what: str, max_bytes: int = MAX_JSON_BYTES
) -> Any:
    """Parse JSON text: PAYLOAD_TOO_LARGE past ``max_bytes``, ``err`` on anything malformed."""
    size = len(text.encode() if isinstance(text, str) else text)
    if size > max_bytes:
        raise PayloadTooLarge(f"{what} is {size} bytes, limit {max_bytes}")
    try:
        value = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_bad_constant)
    except RecursionError as exc:
        raise PayloadTooLarge(f"{what} is nested too deeply") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise err(f"{what} is not valid JSON: {shorten(str(exc))}") from exc
    if _depth(value, MAX_DEPTH) > MAX_DEPTH:
        raise PayloadTooLarge(f"{what} is nested deeper than {MAX_DEPTH}")
    return value


def _bad_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def dump_json(value: Any) -> str:
    """Compact JSON, as sent in form parameters and URIs."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def as_object(value: Any, err: ErrorType, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise err(f"{what} must be a JSON object, got {type(value).__name__}")
    return value


def req_str(obj: Mapping[str, Any], name: str, err: ErrorType, *, max_len: int = 2048) -> str:
    """A required non-empty string member."""
    value = obj.get(name)
    if not isinstance(value, str) or not value:
        raise err(f"'{name}' must be a non-empty string, got {shorten(value)}")
    if len(value) > max_len:
        raise err(f"'{name}' is longer than {max_len} characters")
    return value


def opt_str(
    obj: Mapping[str, Any], name: str, err: ErrorType, *, max_len: int = 2048
) -> str | None:
    """An optional non-empty string member (absent -> None)."""
    if name not in obj:
        return None
    return req_str(obj, name, err, max_len=max_len)


def opt_bool(obj: Mapping[str, Any], name: str, err: ErrorType, default: bool) -> bool:
    value = obj.get(name, default)
    if not isinstance(value, bool):
        raise err(f"'{name}' must be a boolean, got {shorten(value)}")
    return value


def opt_int(
    obj: Mapping[str, Any], name: str, err: ErrorType, *, minimum: int = 0, maximum: int = 2**31
) -> int | None:
    if name not in obj:
        return None
    value = obj[name]
    if not isinstance(value, int) or isinstance(value, bool) or not minimum <= value <= maximum:
        raise err(f"'{name}' must be an integer in [{minimum}, {maximum}], got {shorten(value)}")
    return value


def limit(count: int, maximum: int, what: str) -> None:
    """Refuse oversized collections with PAYLOAD_TOO_LARGE."""
    if count > maximum:
        raise PayloadTooLarge(f"'{what}' has {count} entries, limit {maximum}")


def str_list(
    value: Any,
    name: str,
    err: ErrorType,
    *,
    max_items: int = 64,
    max_len: int = 2048,
    unique: bool = False,
) -> tuple[str, ...]:
    """A non-empty array of non-empty strings."""
    if not isinstance(value, list) or not value:
        raise err(f"'{name}' must be a non-empty array, got {shorten(value)}")
    limit(len(value), max_items, name)
    for item in value:
        if not isinstance(item, str) or not item or len(item) > max_len:
            raise err(f"'{name}' entries must be non-empty strings, got {shorten(item)}")
    if unique and len(set(value)) != len(value):
        raise err(f"'{name}' entries must be unique")
    return tuple(value)


def url_safe(obj: Mapping[str, Any], name: str, err: ErrorType, *, required: bool) -> str | None:
    """``nonce`` / ``state``: ASCII URL-safe characters only (OpenID4VP 1.0 §5.2)."""
    if name not in obj and not required:
        return None
    value = req_str(obj, name, err, max_len=512)
    if not _URL_SAFE.fullmatch(value):
        raise err(f"'{name}' must contain only ASCII URL-safe characters: {shorten(value)}")
    return value


def check_url(
    value: str,
    name: str,
    err: ErrorType,
    *,
    allow_http: bool = False,
    allow_query: bool = True,
    allow_fragment: bool = False,
) -> str:
    """An absolute https URL (http too when ``allow_http``) with a host (and no fragment)."""
    try:
        parts = urlsplit(value)
    except ValueError as exc:
        raise err(f"'{name}' is not a URL: {shorten(value)}") from exc
    schemes = ("https", "http") if allow_http else ("https",)
    if parts.scheme not in schemes or not parts.netloc or parts.fragment and not allow_fragment:
        raise err(f"'{name}' must be an absolute {'/'.join(schemes)} URL: {shorten(value)}")
    if not allow_query and parts.query:
        raise err(f"'{name}' must not have a query component: {shorten(value)}")
    if any(ch.isspace() for ch in value):
        raise err(f"'{name}' must not contain white space: {shorten(value)}")
    return value


def req_url(
    obj: Mapping[str, Any],
    name: str,
    err: ErrorType,
    *,
    allow_http: bool = False,
    allow_query: bool = True,
) -> str:
    return check_url(
        req_str(obj, name, err), name, err, allow_http=allow_http, allow_query=allow_query
    )


def opt_url(
    obj: Mapping[str, Any], name: str, err: ErrorType, *, allow_http: bool = False
) -> str | None:
    if name not in obj:
        return None
    return req_url(obj, name, err, allow_http=allow_http)


def parse_form(
    body: bytes | str | Mapping[str, str],
    err: ErrorType,
    *,
    what: str,
    max_bytes: int,
    max_fields: int = 16,
) -> dict[str, str]:
    """An ``application/x-www-form-urlencoded`` body (raw, or already decoded to a mapping).

    The size is checked before parsing (PAYLOAD_TOO_LARGE); non-UTF-8 text, malformed pairs, more
    than ``max_fields`` fields and repeated names raise ``err``.
    """
    if isinstance(body, Mapping):
        items = list(body.items())
        size = sum(len(str(k)) + len(str(v)) for k, v in items)
    else:
        size = len(body)
    if size > max_bytes:
        raise PayloadTooLarge(f"{what} is {size} bytes, limit {max_bytes}")
    if not isinstance(body, Mapping):
        try:
            text = body.decode("utf-8", "strict") if isinstance(body, bytes) else body
            items = parse_qsl(
                text, keep_blank_values=True, strict_parsing=True, max_num_fields=max_fields
            )
        except ValueError as exc:  # UnicodeDecodeError is a ValueError
            raise err(f"{what} is not a well-formed UTF-8 form") from exc
    limit(len(items), max_fields, what)
    form: dict[str, str] = {}
    for name, value in items:
        if not isinstance(name, str) or not isinstance(value, str):
            raise err(f"{what}: form parameter {shorten(name, 40)} must be a string")
        if name in form:
            raise err(f"{what}: form parameter '{shorten(name, 40)}' is repeated")
        form[name] = value
    return form
