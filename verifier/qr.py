"""QR codes of the wallet invocation URI (``openid4vp://…``), as PNG or SVG, via segno."""

from __future__ import annotations

import io

import segno

#: media type per output kind.
MEDIA_TYPES = {"png": "image/png", "svg": "image/svg+xml"}


def qr_code(data: str, kind: str, *, scale: int = 5, border: int = 4) -> bytes:
    """Render ``data`` as a QR code (error correction M) in ``kind`` (``png`` or ``svg``)."""
    if kind not in MEDIA_TYPES:
        raise TypeError(f"kind must be one of {sorted(MEDIA_TYPES)}")
    code = segno.make(data, error="m", micro=False)
    out = io.BytesIO()
    code.save(out, kind=kind, scale=scale, border=border)
    return out.getvalue()
