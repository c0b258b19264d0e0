"""Hostile JSON-LD: remote contexts, data loss, canonicalization bombs, injection, huge input.
Each case ends in a coded error, quickly, without touching the network."""

from __future__ import annotations

import json
import socket
from datetime import UTC, datetime
from typing import Any

import pytest
from pyld.identifier_issuer import IdentifierIssuer

from pidm.did.key import did_key_vm_id
from pidm.did.resolver import MethodRouter
from pidm.errors import PidmError
from pidm.integrity import add_proof, canonicalize_jcs, canonicalize_rdfc, verify_document
from pidm.integrity.proof import MAX_PROOFS
from pidm.jsonld.cache import cache_for
from pidm.jsonld.loader import StaticLoader
from pidm.jsonld.safe import SafeProcessor, expand
from pidm.keys import KeyPair

V2 = "https://www.w3.org/ns/credentials/v2"
EX = "https://www.w3.org/ns/credentials/examples/v2"
NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """Record and refuse any name lookup or outgoing connection. ``socket.socket`` itself stays:
    asyncio builds its self-pipe from a socket pair, and replacing the class breaks event loops."""
    attempts: list[tuple[Any, ...]] = []

    def refuse(*args: Any, **kwargs: Any) -> None:
        attempts.append(args)
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


def code(fn: Any, *args: Any, **kwargs: Any) -> str:
    with pytest.raises(PidmError) as info:
        fn(*args, **kwargs)
    return info.value.code


def doc(**extra: Any) -> dict[str, Any]:
    return {"@context": [V2, EX], "id": "urn:ex:c", "type": ["VerifiableCredential"],
            "issuer": "did:example:issuer", "credentialSubject": {"id": "did:example:s"},
            **extra}


def clique(n: int) -> dict[str, Any]:
    return {"@context": {"p": {"@id": "urn:ex:p", "@type": "@id"}},
            "@graph": [{"@id": f"_:n{i}", "p": [f"_:n{j}" for j in range(n)]}
                       for i in range(n)]}


def test_rejects_unknown_remote_context(no_network: list[tuple[Any, ...]]) -> None:
    hostile = doc()
    hostile["@context"] = [V2, "https://attacker.example/ctx.jsonld"]
    assert code(canonicalize_rdfc, hostile) == "UNKNOWN_CONTEXT"
    assert no_network == []


def test_the_network_guard_refuses_lookups(no_network: list[tuple[Any, ...]]) -> None:
    with pytest.raises(AssertionError):
        socket.getaddrinfo("attacker.example", 443)
    assert no_network == [("attacker.example", 443)]


def test_rejects_unknown_context_through_import() -> None:
    hostile = doc()
    hostile["@context"] = [V2, {"@version": 1.1, "@import": "https://attacker.example/x"}]
    assert code(expand, hostile) == "UNKNOWN_CONTEXT"


def test_rejects_unknown_scoped_context() -> None:
    hostile = doc(evidence={"type": "Thing", "x": 1})
    hostile["@context"] = [V2, {"Thing": {"@id": "urn:ex:Thing",
                                          "@context": "https://attacker.example/scoped"}}]
    assert code(expand, hostile) == "UNKNOWN_CONTEXT"


def test_rejects_a_context_that_includes_itself() -> None:
    url = "https://loop.example/ctx"
    loader = StaticLoader().with_context(url, {"@context": [url]})
    assert code(expand, {"@context": [url], "@id": "urn:x"}, loader=loader) == (
        "MALFORMED_VALUE_ERROR")


def test_rejects_undefined_term() -> None:
    hostile = doc(unsigned="x")
    hostile["@context"] = [V2]
    assert code(canonicalize_rdfc, hostile) == "DATA_LOSS_DETECTION_ERROR"


def test_rejects_relative_iri() -> None:
    assert code(canonicalize_rdfc, doc(id="../c/1")) == "DATA_LOSS_DETECTION_ERROR"


def test_rejects_iri_that_would_forge_statements() -> None:
    hostile = doc(id="urn:ex:a> <urn:ex:p> <urn:ex:b")
    assert code(canonicalize_rdfc, hostile) == "DATA_LOSS_DETECTION_ERROR"


@pytest.mark.parametrize("hostile", [
    doc(id="urn:ex:a\u00a0b"),
    doc(issuer="did:example:a\tb"),
    doc(credentialSubject={"id": "did:example:a b", "name": "x"}),
    {"@context": {"@vocab": "urn:ex:"}, "@id": "urn:ex:s", "@type": "urn:ex:T x"},
    {"@context": {"@vocab": "urn:ex: x/"}, "@id": "urn:ex:s", "p": "v"},
    {"@context": {"p": {"@id": "urn:ex:p", "@type": "@id"}}, "@id": "urn:ex:s", "p": "urn:o x"},
    {"@context": {"@vocab": "urn:ex:"}, "@id": "urn:ex:s", "p": {"@list": [{"@id": "urn:o x"}]}},
    {"@context": {"@vocab": "urn:ex:"}, "@id": "urn:ex:g x", "@graph": [{"@id": "urn:s", "p": 1}]},
], ids=["nbsp-subject", "tab-object", "space-subject", "type", "predicate", "object",
        "list-item", "graph-name"])
def test_rejects_invalid_iri_in_any_position(hostile: dict[str, Any]) -> None:
    # pyld drops the node or quad silently (the signature would cover nothing); refuse instead.
    assert code(canonicalize_rdfc, hostile) == "DATA_LOSS_DETECTION_ERROR"


def test_rejects_invalid_datatype_iri() -> None:
    typed = {"@context": {"@vocab": "urn:ex:"}, "@id": "urn:ex:s",
             "p": {"@value": "1", "@type": "urn:ex:t x"}}
    assert code(canonicalize_rdfc, typed) == "MALFORMED_VALUE_ERROR"  # pyld refuses this one


@pytest.mark.parametrize("hostile", [
    doc(id="urn:ex:a> <urn:ex:p> <urn:ex:b"),
    doc(credentialSubject={"id": "did:example:a b", "name": "x"}),
])
async def test_signing_and_verifying_refuse_invalid_iris(hostile: dict[str, Any]) -> None:
    pair = KeyPair.from_private_bytes("Ed25519", b"\x05" * 32)
    pair = pair.with_key_id(did_key_vm_id(pair.public))
    assert code(add_proof, hostile, signer=pair, cryptosuite="eddsa-rdfc-2022",
                created=NOW) == "DATA_LOSS_DETECTION_ERROR"
    secured = add_proof(doc(), signer=pair, cryptosuite="eddsa-rdfc-2022", created=NOW)
    tampered = {**secured, **{k: v for k, v in hostile.items() if k != "@context"}}
    with pytest.raises(PidmError) as info:
        await verify_document(tampered, resolver=MethodRouter(), now=NOW)
    assert info.value.code == "DATA_LOSS_DETECTION_ERROR"


def test_rejects_language_tag_injection() -> None:
    hostile = doc(name={"@value": "x", "@language": 'en" .\n<urn:a> <urn:b> "c'})
    assert code(canonicalize_rdfc, hostile) == "DATA_LOSS_DETECTION_ERROR"


def test_literal_injection_is_escaped_not_forged() -> None:
    forged = 'x" .\n<urn:ex:c> <https://www.w3.org/2018/credentials#issuer> <did:example:evil'
    assert canonicalize_rdfc(doc(name=forged)).splitlines() == [
        "<urn:ex:c> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        "<https://www.w3.org/2018/credentials#VerifiableCredential> .",
        '<urn:ex:c> <https://schema.org/name> "x\\" .\\n<urn:ex:c> '
        '<https://www.w3.org/2018/credentials#issuer> <did:example:evil" .',
        "<urn:ex:c> <https://www.w3.org/2018/credentials#credentialSubject> <did:example:s> .",
        "<urn:ex:c> <https://www.w3.org/2018/credentials#issuer> <did:example:issuer> .",
    ]


def test_rejects_blank_node_blowup() -> None:
    hostile = clique(8)
    assert len(json.dumps(hostile, separators=(",", ":"))) < 700
    assert code(canonicalize_rdfc, hostile) == "CANONICALIZATION_LIMIT"


async def test_rejects_blank_node_blowup_in_a_signed_document() -> None:
    pair = KeyPair.from_private_bytes("Ed25519", b"\x05" * 32)
    pair = pair.with_key_id(did_key_vm_id(pair.public))
    secured = add_proof(doc(), signer=pair, cryptosuite="eddsa-rdfc-2022", created=NOW)
    secured["@context"] = [V2, EX, {"p": {"@id": "urn:ex:p", "@type": "@id"}}]
    secured["credentialSubject"] = clique(8)["@graph"]
    with pytest.raises(PidmError) as info:
        await verify_document(secured, resolver=MethodRouter(), now=NOW)
    assert info.value.code == "CANONICALIZATION_LIMIT"


def test_rejects_long_chain_of_indistinguishable_blank_nodes() -> None:
    n = 300
    chain = {"@context": {"p": {"@id": "urn:ex:p", "@type": "@id"}},
             "@graph": [{"@id": f"_:n{i}", "p": f"_:n{(i + 1) % n}"} for i in range(n)]}
    assert code(canonicalize_rdfc, chain) == "CANONICALIZATION_LIMIT"


def test_rejects_deeply_nested_document() -> None:
    nested: dict[str, Any] = {"id": "did:example:s"}
    for _ in range(5000):
        nested = {"name": "x", "description": nested}
    assert code(canonicalize_rdfc, doc(credentialSubject=nested)) == "MALFORMED_VALUE_ERROR"


def test_rejects_oversized_document() -> None:
    assert code(expand, doc(name=["x"] * 250_000)) == "PAYLOAD_TOO_LARGE"


def test_rejects_too_many_values_on_one_property() -> None:
    # pyld de-duplicates each value against all earlier ones: n values cost n² comparisons.
    assert code(canonicalize_rdfc, doc(name=[str(i) for i in range(25_000)])) == (
        "CANONICALIZATION_LIMIT")


def test_rejects_many_values_on_one_node_spread_over_copies() -> None:
    subject = [{"id": "did:example:s", "name": [f"{j}.{i}" for i in range(100)]}
               for j in range(40)]
    assert code(canonicalize_rdfc, doc(credentialSubject=subject)) == "CANONICALIZATION_LIMIT"


def test_rejects_many_reverse_links_to_one_node() -> None:
    graph = {"@context": {"@vocab": "urn:ex:"},
             "@graph": [{"@id": f"urn:ex:s{i}", "@reverse": {"urn:ex:p": {"@id": "urn:ex:x"}}}
                        for i in range(3000)]}
    assert code(canonicalize_rdfc, graph) == "CANONICALIZATION_LIMIT"


def test_rejects_too_many_quads() -> None:
    graph = {"@context": {"@vocab": "urn:ex:"},
             "@graph": [{"@id": f"urn:ex:{i}", "p": "x"} for i in range(21_000)]}
    assert code(canonicalize_rdfc, graph) == "CANONICALIZATION_LIMIT"


def test_rejects_protected_term_override() -> None:
    hostile = doc()
    hostile["@context"] = [V2, {"VerifiableCredential": "urn:ex:NotACredential"}]
    assert code(expand, hostile) == "MALFORMED_VALUE_ERROR"


@pytest.mark.parametrize("value", [[doc()], "a string", None, 42])
def test_rejects_non_object_documents(value: Any) -> None:
    assert code(canonicalize_rdfc, value) == "MALFORMED_VALUE_ERROR"


@pytest.mark.parametrize("value", [float("nan"), float("-inf"), 2**80])
def test_rejects_numbers_jcs_cannot_carry(value: Any) -> None:
    assert code(canonicalize_jcs, doc(score=value)) == "MALFORMED_VALUE_ERROR"


async def test_rejects_too_many_proofs() -> None:
    proof = {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022",
             "verificationMethod": "did:example:x#1", "proofPurpose": "assertionMethod",
             "proofValue": "z1"}
    with pytest.raises(PidmError) as info:
        await verify_document(doc(proof=[proof] * (MAX_PROOFS + 1)), resolver=MethodRouter(),
                              now=NOW)
    assert info.value.code == "MALFORMED_PROOF_ERROR"


@pytest.mark.parametrize("bad", [{"@id": 5}, {"@type": {"x": 1}}, {"@context": 5},
                                 {"@reverse": "x"}, {"@graph": "x"}, {"@value": [1]},
                                 {"@list": {"@list": 1}, "@id": "urn:x"}])
def test_rejects_invalid_jsonld_keywords(bad: dict[str, Any]) -> None:
    assert code(expand, {"@context": {"@vocab": "urn:ex:"}, "p": bad}) in (
        "MALFORMED_VALUE_ERROR", "DATA_LOSS_DETECTION_ERROR")


@pytest.mark.parametrize("graph", [
    {"urn:ex:a b": {"@id": "urn:ex:a b", "urn:ex:p": [{"@value": "x"}]}},
    {"urn:ex:s": {"@id": "urn:ex:s", "urn:ex:p q": [{"@value": "x"}]}},
    {"urn:ex:s": {"@id": "urn:ex:s", "urn:ex:p": [{"@id": "o"}]}},
])
def test_rdf_conversion_refuses_what_pyld_would_skip(graph: dict[str, Any]) -> None:
    # A second line behind the expansion checks: pyld's quad builder never drops silently.
    processor = SafeProcessor(cache_for(StaticLoader()))
    options = {"produceGeneralizedRdf": False, "rdfDirection": None,
               "processingMode": "json-ld-1.1"}
    with pytest.raises(Exception) as info:
        processor._graph_to_rdf(graph, IdentifierIssuer("_:b"), options)
    assert info.value.error.code == "DATA_LOSS_DETECTION_ERROR"  # type: ignore[attr-defined]
