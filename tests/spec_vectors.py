"""The one helper that reads ../shared/vectors (pyca's load_vectors_from_file)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

_DEFAULT = Path(__file__).parents[1] / ".." / "shared" / "vectors"
VECTORS = Path(os.environ.get("PIDM_VECTORS", _DEFAULT))


def vector_path(*parts: str) -> Path:
    """Path of a file under ../shared/vectors; a missing vector fails the test, never skips."""
    path = VECTORS.joinpath(*parts)
    if not path.exists():
        pytest.fail(f"spec vector missing: {path}")
    return path


def load_vector(*parts: str) -> Any:
    """Load a JSON vector, or the text of a non-JSON one."""
    path = vector_path(*parts)
    text = path.read_text()
    if path.suffix in (".json", ".jsonld"):
        return json.loads(text)
    return text.strip()
