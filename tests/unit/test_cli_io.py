"""pidm.cli_io: bounded, coded reads of command inputs and JSON text any stream can take."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pidm.cli_io import json_text, printable, read_bytes, read_json, read_text
from pidm.errors import MalformedValueError, PayloadTooLarge


def test_reads_are_bounded_even_on_an_endless_file() -> None:
    with pytest.raises(PayloadTooLarge, match="larger than 1000 bytes"):
        read_bytes("/dev/zero", limit=1000)
    assert read_bytes("/dev/null", limit=1000) == b""


def test_a_file_at_the_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"x" * 1000)
    assert read_bytes(path, limit=1000) == b"x" * 1000
    path.write_bytes(b"x" * 1001)
    with pytest.raises(PayloadTooLarge):
        read_bytes(path, limit=1000)


@pytest.mark.parametrize("content, message", [
    (b"\xff\xfe~", "is not UTF-8 text: invalid start byte at byte 0"),
    (b"ok\xc3", "is not UTF-8 text: unexpected end of data at byte 2"),
])
def test_text_that_is_not_utf8_is_a_coded_error(tmp_path: Path, content: bytes,
                                                message: str) -> None:
    path = tmp_path / "f"
    path.write_bytes(content)
    with pytest.raises(MalformedValueError, match=message):
        read_text(path)


@pytest.mark.parametrize("content, message", [
    (b'{"n": NaN}', "NaN is not a JSON value"),
    (b'{"n": -Infinity}', "-Infinity is not a JSON value"),
    (b'{"n": 1e999}', "'1e999' is beyond the range of a double"),
    (b"[" * 100_000, "maximum recursion depth"),
    (b'{"a": "\xff"}', "codec can't decode"),
])
def test_what_is_not_json_is_a_coded_error(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "f.json"
    path.write_bytes(content)
    with pytest.raises(MalformedValueError, match=message):
        read_json(path)


def test_missing_file_is_a_coded_error(tmp_path: Path) -> None:
    with pytest.raises(MalformedValueError, match="No such file or directory"):
        read_json(tmp_path / "missing.json")


@pytest.mark.parametrize("value", [
    {"name": "\ud800"}, {"\udfff": ["a\udbffb", "Köln 🌃"]}, "\ud83d\ude00",
])
def test_json_text_escapes_lone_surrogates_and_round_trips(value: Any) -> None:
    text = json_text(value)
    text.encode("utf-8")  # raised UnicodeEncodeError before
    assert json.loads(text) == json.loads(json.dumps(value))


def test_json_text_keeps_other_characters() -> None:
    assert json_text({"a": "Köln 🌃"}, indent=None) == '{"a": "Köln 🌃"}'
    assert json_text(["\ud800x"], indent=None) == '["\\ud800x"]'
    assert printable("no \udc00 here") == "no \\udc00 here"
