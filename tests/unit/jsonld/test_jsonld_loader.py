"""The offline loader: bundled contexts pinned by sha256, extra contexts from local files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pidm.errors import MalformedValueError, PidmError, UnknownContext
from pidm.jsonld import loader as loader_module
from pidm.jsonld.loader import PinnedContext, StaticLoader, bundled_contexts, default_loader
from tests.spec_vectors import load_vector

REQUIRED = [
    "https://www.w3.org/ns/credentials/v2",
    "https://www.w3.org/2018/credentials/v1",
    "https://w3id.org/security/data-integrity/v2",
    "https://w3id.org/security/multikey/v1",
    "https://www.w3.org/ns/did/v1",
    "https://w3id.org/security/suites/ed25519-2020/v1",
    "https://www.w3.org/ns/credentials/examples/v2",
    "https://www.w3.org/ns/credentials/status/v1",
    "https://w3id.org/vc/status-list/2021/v1",
    "https://w3id.org/citizenship/v4rc1",
]


def test_bundled_pins_equal_the_shared_vector_manifest() -> None:
    shared = {e["url"]: e["sha256"] for e in load_vector("jsonld-contexts", "contexts.json")
              if e.get("url")}
    assert {p.url: p.sha256 for p in bundled_contexts()} == shared


@pytest.mark.parametrize("url", REQUIRED)
def test_serves_the_contexts_the_standards_need(url: str) -> None:
    remote = default_loader()(url)
    assert remote["documentUrl"] == url
    assert remote["tag"] == "static"
    assert "@context" in remote["document"]


def test_every_bundled_context_matches_its_pin() -> None:
    loader = default_loader()
    assert len(loader.urls) == 19
    for url in loader:
        assert isinstance(loader.document(url)["@context"], (dict, list))


def test_pin_mismatch_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    url = "https://www.w3.org/ns/credentials/v2"
    real = next(p for p in bundled_contexts() if p.url == url)
    monkeypatch.setattr(loader_module, "bundled_contexts",
                        lambda: (PinnedContext(url, real.file, "00" * 32),))
    with pytest.raises(UnknownContext, match="pinned sha256"):
        loader_module._load_bundled.__wrapped__(url)


def test_unknown_url_is_an_error_not_a_fetch() -> None:
    with pytest.raises(UnknownContext) as info:
        default_loader()("https://contexts.example/v1")
    assert info.value.code == "UNKNOWN_CONTEXT"
    with pytest.raises(UnknownContext):
        default_loader()("https://www.w3.org/ns/credentials/v2/")  # exact URLs only


def test_returned_documents_are_copies() -> None:
    loader = StaticLoader()
    first = loader("https://w3id.org/security/multikey/v1")
    first["document"]["@context"]["id"] = "tampered"
    assert loader("https://w3id.org/security/multikey/v1")["document"]["@context"]["id"] == "@id"


def test_register_a_context_from_a_local_file(tmp_path: Path) -> None:
    path = tmp_path / "ctx.jsonld"
    path.write_text(json.dumps({"@context": {"shoeSize": "https://shoes.example#size"}}))
    base = StaticLoader()
    extended = base.with_file("https://shoes.example/v1", path)
    assert extended("https://shoes.example/v1")["document"]["@context"]["shoeSize"]
    assert "https://www.w3.org/ns/credentials/v2" in extended.urls
    with pytest.raises(UnknownContext):  # the original loader is unchanged
        base("https://shoes.example/v1")


def test_register_checks_the_given_sha256(tmp_path: Path) -> None:
    path = tmp_path / "ctx.jsonld"
    path.write_text(json.dumps({"@context": {}}))
    with pytest.raises(MalformedValueError, match="sha256"):
        StaticLoader().with_file("https://x.example/v1", path, sha256="ab" * 32)


@pytest.mark.parametrize("content", [b"not json", b"[1]", b'{"no": "context"}'])
def test_register_refuses_a_file_that_is_not_a_context(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.jsonld"
    path.write_bytes(content)
    with pytest.raises(MalformedValueError):
        StaticLoader().with_file("https://x.example/v1", path)


def test_register_cannot_replace_a_pinned_context() -> None:
    with pytest.raises(MalformedValueError, match="already registered"):
        StaticLoader().with_context("https://www.w3.org/ns/credentials/v2", {"@context": {}})


def test_missing_file_is_a_coded_error(tmp_path: Path) -> None:
    with pytest.raises(PidmError) as info:
        StaticLoader().with_file("https://x.example/v1", tmp_path / "absent.jsonld")
    assert info.value.code == "MALFORMED_VALUE_ERROR"


def test_empty_loader_serves_only_what_is_registered() -> None:
    loader = StaticLoader(bundled=False).with_context("https://x.example/v1", {"@context": {}})
    assert loader.urls == frozenset({"https://x.example/v1"})
    with pytest.raises(UnknownContext):
        loader("https://www.w3.org/ns/credentials/v2")
