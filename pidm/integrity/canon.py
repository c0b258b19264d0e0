"""Canonicalization: RDF Dataset Canonicalization (RDFC-1.0, W3C REC 2024) over pyld, and the
JSON Canonicalization Scheme (RFC 8785) via ``rfc8785``.

pyld's ``URDNA2015`` is reused for the hard part (Hash N-Degree Quads, the permutation search); two
things are replaced:

* **Serialization.** RDFC-1.0 §A ("A Canonical form of N-Quads") escapes BS, HT, LF, FF, CR, ``"``
  and ``\\`` as ECHAR and U+0000–U+0007, VT, U+000E–U+001F, DEL and non-XML-1.1 characters as
  ``\\uXXXX``; pyld writes the older URDNA2015 form (no ``\\b``/``\\f``, raw control characters),
  which changes both the output bytes and the first-degree hashes. IRIs that cannot be written as
  an N-Quads IRIREF and malformed language tags are refused (a conforming processor drops them).
* **Work limit** (RDFC-1.0 §6.1 "Dataset Poisoning"). Quads, blank nodes and the number of
  Hash N-Degree Quads calls plus permutations tried are bounded by :class:`Limits`; going over
  raises ``CANONICALIZATION_LIMIT`` instead of running for minutes.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import rfc8785
from pyld.canon import URDNA2015
from pyld.identifier_issuer import IdentifierIssuer

from pidm.errors import CanonicalizationLimit, DataLossDetected, MalformedValueError, shorten
from pidm.jsonld.loader import DocumentLoader
from pidm.jsonld.safe import Dataset, to_rdf

__all__ = [
    "DEFAULT_LIMITS",
    "Limits",
    "canonicalize_jcs",
    "canonicalize_rdfc",
    "nquad",
    "rdfc10",
]

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on one canonicalization: quads, blank nodes, deep-hashing work and recursion depth.

    A work unit is one Hash N-Degree Quads call or one permutation it may try, weighted by the
    size of the identifier issuer that step copies (pyld deep-copies it per permutation).
    """

    max_quads: int = 20_000
    max_blank_nodes: int = 5_000
    max_work: int = 10_000
    max_depth: int = 100


DEFAULT_LIMITS = Limits()

# --- canonical N-Quads (RDFC-1.0 §A) -----------------------------------------------------------
_ECHAR = {0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r", 0x22: '\\"',
          0x5C: "\\\\"}
_UCHAR_POINTS = [*range(0x00, 0x08), 0x0B, *range(0x0E, 0x20), 0x7F, *range(0xD800, 0xE000),
                 0xFFFE, 0xFFFF]
_LITERAL_ESCAPES: dict[int, str] = {cp: f"\\u{cp:04X}" for cp in _UCHAR_POINTS} | _ECHAR
# Lone surrogates (Python strings from JSON ``"\ud800"``) are not characters: no IRIREF holds one.
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\\ud800-\udfff]')
_BCP47 = re.compile(r"^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$")


def _iri(value: str) -> str:
    if _IRI_FORBIDDEN.search(value):
        raise DataLossDetected(f"IRI {shorten(value)} cannot be written in N-Quads and would be "
                               f"dropped")
    return "<" + value + ">"


def _term(component: Mapping[str, Any], label: Callable[[str], str]) -> str:
    kind = component["type"]
    if kind == "IRI":
        return _iri(component["value"])
    if kind == "blank node":
        return label(component["value"])
    value: str = component["value"]
    out = '"' + value.translate(_LITERAL_ESCAPES) + '"'
    datatype: str = component.get("datatype") or XSD_STRING
    if datatype == RDF_LANGSTRING:
        language: str = component.get("language") or ""
        if not _BCP47.fullmatch(language):  # fullmatch: "en\n" would split the quad's line
            raise DataLossDetected(f"language tag {shorten(language)} is not BCP 47")
        return out + "@" + language
    if datatype != XSD_STRING:
        return out + "^^" + _iri(datatype)
    return out


def _same(label: str) -> str:
    return label


def nquad(quad: Mapping[str, Any], label: Callable[[str], str] = _same) -> str:
    """Serialize one quad in canonical N-Quads form; ``label`` maps blank node labels."""
    parts = [_term(quad["subject"], label), _term(quad["predicate"], label),
             _term(quad["object"], label)]
    name = quad.get("name")
    if name is not None:
        parts.append(_term(name, label))
    return " ".join(parts) + " .\n"


# --- RDFC-1.0 ----------------------------------------------------------------------------------
class _RDFC10(URDNA2015):  # type: ignore[misc]
    """pyld's URDNA2015 with RDFC-1.0 serialization, a selectable hash and a work budget."""

    def __init__(self, limits: Limits, hash_name: str) -> None:
        super().__init__()
        self._limits = limits
        self._hash_name = hash_name
        self._work = 0
        self._depth = 0

    def _spend(self, units: int) -> None:
        self._work += units
        if self._work > self._limits.max_work:
            raise CanonicalizationLimit(
                f"RDF canonicalization needs more than {self._limits.max_work} deep-hashing "
                f"steps (blank nodes built to defeat canonical labelling?)")

    def create_hash(self) -> Any:
        return hashlib.new(self._hash_name)

    def hash_first_degree_quads(self, id_: str) -> str:
        info = self.blank_node_info[id_]
        if "hash" not in info:
            def mark(label: str) -> str:
                return "_:a" if label == id_ else "_:z"
            lines = sorted(nquad(q, mark) for q in info["quads"])
            info["hash"] = self.hash_nquads(lines)
        result: str = info["hash"]
        return result

    def hash_n_degree_quads(self, id_: str, issuer: Any) -> Any:
        if self._depth >= self._limits.max_depth:
            raise CanonicalizationLimit(
                f"RDF canonicalization recursion deeper than {self._limits.max_depth} "
                f"(a long chain of indistinguishable blank nodes?)")
        self._spend(1 + len(self.blank_node_info[id_]["quads"]) // 64 + _weight(issuer))
        self._depth += 1
        try:
            return super().hash_n_degree_quads(id_, issuer)
        finally:
            self._depth -= 1

    def create_hash_to_related(self, id_: str, issuer: Any) -> Any:
        related: dict[str, list[str]] = super().create_hash_to_related(id_, issuer)
        cap = self._limits.max_work + 1
        for group in related.values():
            self._spend(min(cap, _bounded_factorial(len(group), cap) * (1 + _weight(issuer))))
        return related

    def run(self, dataset: Dataset) -> str:
        """Canonicalize ``dataset`` and return the sorted canonical N-Quads."""
        self._collect(dataset)
        pending = set(self.blank_node_info)
        # RDFC-1.0 §4.4.3 step 5: label blank nodes with a unique first-degree hash.
        by_hash: dict[str, list[str]] = {}
        for id_ in pending:
            by_hash.setdefault(self.hash_first_degree_quads(id_), []).append(id_)
        for _hash, ids in sorted(by_hash.items()):
            if len(ids) == 1:
                self.canonical_issuer.get_id(ids[0])
        # Step 6: the rest, through Hash N-Degree Quads.
        for _hash, ids in sorted(by_hash.items()):
            if len(ids) == 1:
                continue
            paths = []
            for id_ in ids:
                if self.canonical_issuer.has_id(id_):
                    continue
                issuer = IdentifierIssuer("_:b")
                issuer.get_id(id_)
                paths.append(self.hash_n_degree_quads(id_, issuer))
            for result in sorted(paths, key=lambda r: r["hash"]):
                for existing in result["issuer"].order:
                    self.canonical_issuer.get_id(existing)
        # Step 7: relabel and serialize.
        lines = sorted(nquad(q, self.canonical_issuer.get_id) for q in self.quads)
        return "".join(lines)

    def _collect(self, dataset: Dataset) -> None:
        limits = self._limits
        for graph_name, triples in dataset.items():
            name = None
            if graph_name != "@default":
                kind = "blank node" if graph_name.startswith("_:") else "IRI"
                name = {"type": kind, "value": graph_name}
            for triple in triples:
                quad = {**triple, "name": name} if name else triple
                self.quads.append(quad)
                for key in ("subject", "object", "name"):
                    component = quad.get(key)
                    if component is not None and component["type"] == "blank node":
                        info = self.blank_node_info.setdefault(component["value"], {"quads": []})
                        info["quads"].append(quad)
        if len(self.quads) > limits.max_quads:
            raise CanonicalizationLimit(f"dataset has {len(self.quads)} quads "
                                        f"(limit {limits.max_quads})")
        if len(self.blank_node_info) > limits.max_blank_nodes:
            raise CanonicalizationLimit(f"dataset has {len(self.blank_node_info)} blank nodes "
                                        f"(limit {limits.max_blank_nodes})")


def _weight(issuer: Any) -> int:
    """Extra work units for copying an identifier issuer of this size."""
    return len(issuer.order) // 8


def _bounded_factorial(n: int, cap: int) -> int:
    """``n!``, or ``cap`` as soon as the product reaches it."""
    product = 1
    for k in range(2, n + 1):
        product *= k
        if product >= cap:
            return cap
    return product


def rdfc10(dataset: Dataset, *, limits: Limits = DEFAULT_LIMITS, hash_name: str = "sha256",
           ) -> str:
    """RDFC-1.0 canonical N-Quads of a pyld-shaped RDF dataset.

    ``hash_name`` is the internal hash (``sha384`` for P-384 suites). Raises
    CANONICALIZATION_LIMIT past ``limits``, DATA_LOSS_DETECTION_ERROR for an IRI or language tag
    that cannot be serialized.
    """
    if hash_name not in ("sha256", "sha384"):
        raise MalformedValueError(f"unsupported RDFC-1.0 hash {shorten(hash_name)}")
    return _RDFC10(limits, hash_name).run(dataset)


def canonicalize_rdfc(document: Mapping[str, Any], *, loader: DocumentLoader | None = None,
                      limits: Limits = DEFAULT_LIMITS, hash_name: str = "sha256") -> str:
    """Safe-mode JSON-LD → RDF → RDFC-1.0 canonical N-Quads.

    Raises DATA_LOSS_DETECTION_ERROR, UNKNOWN_CONTEXT, CANONICALIZATION_LIMIT,
    MALFORMED_VALUE_ERROR (not JSON-LD) or PAYLOAD_TOO_LARGE.
    """
    dataset = to_rdf(document, loader=loader)
    return rdfc10(dataset, limits=limits, hash_name=hash_name)


_JCS_SAFE_INT = 2**53 - 1
_JCS_MAX_VALUES = 1_000_000


def _plain_json(value: Any) -> bool:
    """True when ``json.dumps(sort_keys=True)`` writes ``value`` exactly as RFC 8785 does: only
    dicts, lists, strings, ``None``, bools and integers within ±(2**53 - 1) (no floats, whose
    ECMAScript form differs from Python's), and no key holding a character beyond U+FFFF (code
    point order is UTF-16 order only within the BMP). Both escape strings the same way: quote,
    backslash and the short forms of BS, HT, LF, FF, CR; other controls as lowercase
    ``u00xx`` escapes; nothing else."""
    stack = [value]
    seen = 0
    while stack:
        item = stack.pop()
        seen += 1
        if seen > _JCS_MAX_VALUES:  # also stops on a cyclic structure
            return False
        kind = type(item)
        if kind is str or kind is bool or item is None:
            continue
        if kind is int:
            if -_JCS_SAFE_INT <= item <= _JCS_SAFE_INT:
                continue
            return False
        if kind is dict:
            for key in item:
                if type(key) is not str or (not key.isascii() and max(key) > "\uffff"):
                    return False
            stack.extend(item.values())
        elif kind is list:
            stack.extend(item)
        else:
            return False
    return True


def canonicalize_jcs(value: Any) -> bytes:
    """RFC 8785 canonical JSON bytes. Raises MALFORMED_VALUE_ERROR for values JSON cannot carry
    exactly (NaN, infinities, integers beyond IEEE 754 doubles, non-string keys).

    Plain JSON (see :func:`_plain_json`) goes through the C ``json`` encoder, byte-identical to
    RFC 8785 for such values; everything else (floats, lone surrogates, odd types) through
    ``rfc8785``.
    """
    if _plain_json(value):
        try:
            return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True,
                              allow_nan=False).encode("utf-8")
        except (UnicodeEncodeError, ValueError, RecursionError):
            pass  # lone surrogates, too deep: let rfc8785 refuse it with its own message
    try:
        return bytes(rfc8785.dumps(value))
    except (rfc8785.CanonicalizationError, TypeError, ValueError, RecursionError) as exc:
        raise MalformedValueError(f"value cannot be JCS-canonicalized: {exc}") from exc
