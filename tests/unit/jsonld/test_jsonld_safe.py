"""Safe-mode JSON-LD: data-loss detection, null base, offline contexts, per-loader caching."""

from __future__ import annotations

from typing import Any

import pytest

from pidm.errors import DataLossDetected, MalformedValueError, PayloadTooLarge, UnknownContext
from pidm.jsonld.cache import cache_for
from pidm.jsonld.loader import RemoteDocument, StaticLoader
from pidm.jsonld.safe import MAX_DEPTH, expand, to_rdf

V2 = "https://www.w3.org/ns/credentials/v2"
V1 = "https://www.w3.org/2018/credentials/v1"
EX = "https://www.w3.org/ns/credentials/examples/v2"


def credential(**extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "@context": [V2, EX],
        "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
        "type": ["VerifiableCredential"],
        "issuer": "https://vc.example/issuers/5678",
        "credentialSubject": {"id": "did:example:abc", "alumniOf": "Example U"},
    }
    doc.update(extra)
    return doc


def test_expands_a_vcdm2_credential() -> None:
    [node] = expand(credential())
    assert node["@id"] == "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33"
    assert node["@type"] == ["https://www.w3.org/2018/credentials#VerifiableCredential"]
    subject = node["https://www.w3.org/2018/credentials#credentialSubject"][0]
    assert subject["https://www.w3.org/ns/credentials/examples#alumniOf"] == [
        {"@value": "Example U"}]


def test_undefined_term_under_v2_is_data_loss() -> None:
    doc = credential(shoeSize=42)
    doc["@context"] = [V2]
    with pytest.raises(DataLossDetected, match="undefined term"):
        expand(doc)


def test_undefined_terms_context_maps_them_to_its_vocab() -> None:
    doc = credential(shoeSize=42)
    doc["@context"] = [V2, "https://www.w3.org/ns/credentials/undefined-terms/v2"]
    [node] = expand(doc)
    assert node["https://www.w3.org/ns/credentials/undefined-term#shoeSize"] == [
        {"@value": 42}]


def test_undefined_term_is_data_loss() -> None:
    doc = {"@context": [V1], "id": "urn:x", "type": ["VerifiableCredential"],
           "issuer": "did:example:1", "shoeSize": 42}
    with pytest.raises(DataLossDetected) as info:
        expand(doc)
    assert info.value.code == "DATA_LOSS_DETECTION_ERROR"


def test_undefined_term_after_vocab_reset_is_data_loss() -> None:
    doc = credential(shoeSize=42)
    doc["@context"] = [V2, EX, {"@vocab": None}]
    with pytest.raises(DataLossDetected, match="undefined term"):
        to_rdf(doc)


def test_term_mapped_to_null_is_data_loss() -> None:
    doc = credential(secret="x")
    doc["@context"] = [V2, EX, {"secret": None}]
    with pytest.raises(DataLossDetected):
        expand(doc)


def test_keyword_lookalike_is_data_loss() -> None:
    with pytest.raises(DataLossDetected):
        expand(credential(**{"@unsigned": "x"}))


@pytest.mark.parametrize("field, value", [
    ("id", "relative/path"),
    ("issuer", "issuers/5678"),
    ("type", ["VerifiableCredential", "relative#Type"]),
    ("credentialSubject", {"id": "../subject"}),
])
def test_relative_iris_are_not_resolved_against_an_invented_base(field: str, value: Any) -> None:
    doc = credential(credentialSubject={"id": "did:example:abc"})
    doc["@context"] = [V2]
    doc[field] = value
    with pytest.raises(DataLossDetected, match="relative IRI"):
        to_rdf(doc)


def test_null_values_are_data_loss() -> None:
    with pytest.raises(DataLossDetected):
        expand(credential(description=None))
    with pytest.raises(DataLossDetected):
        expand(credential(name=["a", None]))


def test_value_object_with_null_value_is_data_loss() -> None:
    with pytest.raises(DataLossDetected):
        expand(credential(name={"@value": None}))


def test_direction_is_data_loss_without_rdf_direction() -> None:
    with pytest.raises(DataLossDetected, match="@direction"):
        expand(credential(name={"@value": "abc", "@direction": "rtl"}))


@pytest.mark.parametrize("tag", ["en us", "en\n"])
def test_bad_language_tag_is_data_loss(tag: str) -> None:
    with pytest.raises(DataLossDetected, match="BCP 47"):
        expand(credential(name={"@value": "abc", "@language": tag}))


def test_free_floating_node_is_data_loss() -> None:
    doc = {"@context": [V2], "@graph": [{"id": "urn:a"}]}
    with pytest.raises(DataLossDetected):
        expand(doc)


def test_unknown_context_is_refused_without_fetching() -> None:
    calls: list[str] = []
    base = StaticLoader()

    class Spy:
        def __call__(self, url: str, options: Any = None) -> RemoteDocument:
            calls.append(url)
            return base(url)

    doc = credential()
    doc["@context"] = [V2, "https://contexts.example/unknown"]
    with pytest.raises(UnknownContext):
        expand(doc, loader=Spy())
    assert calls == [V2, "https://contexts.example/unknown"]


def test_unknown_scoped_context_is_refused() -> None:
    doc = credential()
    doc["@context"] = [V2, {"thing": {"@id": "https://e.example/thing",
                                      "@context": "https://contexts.example/scoped"}}]
    doc["thing"] = {"name": "x"}
    with pytest.raises(UnknownContext):
        expand(doc)


def test_invalid_jsonld_is_a_coded_error() -> None:
    with pytest.raises(MalformedValueError, match="not valid JSON-LD"):
        expand(credential(id=5))
    with pytest.raises(MalformedValueError):
        expand({"@context": 7})


def test_protected_terms_cannot_be_redefined() -> None:
    doc = credential()
    doc["@context"] = [V2, {"VerifiableCredential": "https://evil.example#VC"}]
    with pytest.raises(MalformedValueError, match="protected"):
        expand(doc)


def test_depth_and_size_are_bounded() -> None:
    nested: dict[str, Any] = {"name": "leaf"}
    for _ in range(MAX_DEPTH + 1):
        nested = {"name": "x", "description": nested}
    with pytest.raises(MalformedValueError, match="nested"):
        expand(credential(credentialSubject=nested))
    with pytest.raises(PayloadTooLarge):
        expand(credential(name=["x"] * 200_001))


def test_contexts_are_loaded_once_per_loader() -> None:
    calls: list[str] = []
    base = StaticLoader()

    class Counting:
        def __call__(self, url: str, options: Any = None) -> RemoteDocument:
            calls.append(url)
            return base(url)

    loader = Counting()
    first = to_rdf(credential(), loader=loader)
    second = to_rdf(credential(), loader=loader)
    assert first == second
    assert sorted(calls) == sorted([V2, EX])


def test_loaders_do_not_share_processed_contexts() -> None:
    url = "https://contexts.example/shoes"
    a = StaticLoader().with_context(url, {"@context": {"size": "https://a.example#size"}})
    b = StaticLoader().with_context(url, {"@context": {"size": "https://b.example#size"}})
    doc = {"@context": [url], "@id": "urn:x", "size": "9"}
    assert "https://a.example#size" in expand(doc, loader=a)[0]
    assert "https://b.example#size" in expand(doc, loader=b)[0]


def test_iri_expansions_are_memoized_per_loader_and_bounded() -> None:
    loader = StaticLoader()
    cache = cache_for(loader)
    cache.max_iris = 16
    claims = {f"claim{i}": str(i) for i in range(100)}  # undefined terms: examples v2 @vocab
    doc = credential(credentialSubject={"id": "did:example:abc", **claims})
    first = expand(doc, loader=loader)
    assert 0 < len(cache.iris) <= 16
    again = expand(doc, loader=loader)
    assert again == first == expand(doc)
    subject = first[0]["https://www.w3.org/2018/credentials#credentialSubject"][0]
    assert subject["https://www.w3.org/ns/credentials/examples#claim42"] == [{"@value": "42"}]


def test_iri_memo_keeps_no_long_strings() -> None:
    # Entries outlive the operation: a long IRI memoized per request would pin body-sized strings
    # (up to max_iris of them) across requests.
    loader = StaticLoader()
    cache = cache_for(loader)
    long_id = "urn:x:" + "a" * 100_000
    expanded = expand(credential(id=long_id), loader=loader)
    assert expanded[0]["@id"] == long_id
    assert len(cache.iris) > 0
    assert max(len(value) for _, value, _, _ in cache.iris) <= 1024


def test_iri_memo_pins_a_bounded_number_of_active_contexts() -> None:
    # Each embedded context makes a new active context; the memo must not pin more of them than
    # the processed-context LRU does.
    loader = StaticLoader()
    cache = cache_for(loader)
    for i in range(cache.processed.maxsize + 20):
        doc = credential(credentialSubject={"id": "did:example:abc", "@context": {
            f"t{i}": f"https://t.example/{i}"}, f"t{i}": "x"})
        expand(doc, loader=loader)
    pinned = {id(ctx) for ctx, _ in cache.iris.values()}
    assert 0 < len(pinned) <= cache.processed.maxsize
