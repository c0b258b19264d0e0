"""One HTTP/1.1 request written byte for byte, for what an HTTP client will not send (header
values that are not UTF-8)."""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import urlsplit


async def raw_request(url: str, method: str, path: str, headers: dict[str, bytes],
                      body: bytes = b"") -> tuple[int, dict[str, str], Any]:
    """Send one request to the server at ``url``; return (status, headers, JSON body)."""
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    head = [f"{method} {path} HTTP/1.1".encode(), f"Host: {parts.netloc}".encode(),
            b"Connection: close", f"Content-Length: {len(body)}".encode()]
    head += [name.encode() + b": " + value for name, value in headers.items()]
    writer.write(b"\r\n".join(head) + b"\r\n\r\n" + body)
    await writer.drain()
    raw = await reader.read()
    writer.close()
    await writer.wait_closed()
    header_block, _, payload = raw.partition(b"\r\n\r\n")
    status_line, *lines = header_block.decode("latin-1").split("\r\n")
    answer_headers = {k.strip(): v.strip() for k, _, v in (ln.partition(":") for ln in lines)}
    return int(status_line.split()[1]), answer_headers, json.loads(payload)
