"""What crossed the wire: a server-side tap that records every HTTP exchange of the demo's
services, and helpers that abridge those exchanges for a reader (secrets redacted)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

#: JSON members whose values are bearer secrets: never printed.
SECRETS = frozenset({"access_token", "pre-authorized_code", "tx_code", "refresh_token"})


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request and its answer, as seen by the service that served it."""

    service: str
    method: str
    path: str
    request_type: str
    request_body: bytes
    status: int
    response_type: str
    response_body: bytes

    def request_json(self) -> Any:
        """The request body decoded (JSON, or a form as a dict)."""
        if self.request_type == "application/x-www-form-urlencoded":
            return dict(parse_qsl(self.request_body.decode(), keep_blank_values=True))
        return _json(self.request_body)

    def response_json(self) -> Any:
        return _json(self.response_body)


def _json(body: bytes) -> Any:
    try:
        return json.loads(body) if body else None
    except ValueError:
        return body.decode("utf-8", "replace")


@dataclass
class WireLog:
    """Every exchange of the tapped services, in order, while :attr:`recording` (``--keep``
    turns it off after the scenario, so hand-made traffic does not pile up)."""

    exchanges: list[Exchange] = field(default_factory=list)
    recording: bool = True

    def mark(self) -> int:
        """A position to read from later with :meth:`since`."""
        return len(self.exchanges)

    def since(self, mark: int) -> list[Exchange]:
        return self.exchanges[mark:]

    def find(self, mark: int, method: str, path_prefix: str) -> list[Exchange]:
        """Exchanges since ``mark`` with this method whose path starts with ``path_prefix``."""
        return [e for e in self.since(mark) if e.method == method
                and e.path.startswith(path_prefix)]

    def middleware(self, service: str) -> Middleware:
        """An aiohttp middleware recording every exchange of ``service`` (put it outermost)."""

        @web.middleware
        async def tap(request: web.Request, handler: Handler) -> web.StreamResponse:
            if not self.recording:
                return await handler(request)
            try:
                body = await request.read() if request.can_read_body else b""
            except web.HTTPException:
                body = b""  # the handler meets the same problem and answers it
            response = await handler(request)
            answer = response.body if isinstance(response, web.Response) else b""
            self.exchanges.append(Exchange(
                service, request.method, request.path_qs, request.content_type, body,
                response.status, response.content_type,
                answer if isinstance(answer, bytes) else b"",
            ))
            return response

        return tap


def redact(value: Any) -> Any:
    """``value`` with every secret member replaced by a marker (recursively)."""
    if isinstance(value, dict):
        return {k: "«secret»" if k in SECRETS and isinstance(v, str) else redact(v)
                for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


def abridge(value: Any, width: int = 48) -> Any:
    """Long strings cut to ``width`` characters (``…`` and the full length appended)."""
    if isinstance(value, str):
        return value if len(value) <= width else f"{value[:width]}… ({len(value)} chars)"
    if isinstance(value, dict):
        return {k: abridge(v, width) for k, v in value.items()}
    if isinstance(value, list):
        return [abridge(v, width) for v in value]
    return value


def show(value: Any, width: int = 48) -> str:
    """Compact JSON of ``value``, secrets redacted and long strings abridged."""
    return json.dumps(abridge(redact(value), width), ensure_ascii=False)


def offer_from_uri(uri: str) -> Any:
    """The credential offer carried by value in an ``openid-credential-offer://`` URI."""
    _, _, query = uri.partition("?")
    params = dict(parse_qsl(query))
    raw = params.get("credential_offer")
    return json.loads(raw) if raw else params
