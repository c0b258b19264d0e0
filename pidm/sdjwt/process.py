"""Verifier-side processing of an SD-JWT payload (RFC 9901 §7.1 step 3-5): replace digests by
the disclosed claims, refusing duplicates, orphans, ``_sd`` / ``...`` misuse and overwrites."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pidm.errors import DisclosureDuplicate, DisclosureInvalid, DisclosureOrphan, shorten
from pidm.sdjwt.disclosure import ELLIPSIS, SD_ALG_KEY, SD_KEY, Disclosure, check_sd_alg
from pidm.sdjwt.paths import PathSegment

#: Deepest nesting of objects, arrays and disclosures the processor follows.
MAX_DEPTH = 128

Path = tuple[PathSegment, ...]


@dataclass(frozen=True, slots=True)
class Processed:
    """The processed claims and the paths (in ``claims``) that came from a disclosure."""

    claims: dict[str, Any]
    disclosed: tuple[Path, ...]


class _Processor:
    def __init__(self, disclosures: Sequence[Disclosure]) -> None:
        self.by_digest: dict[str, Disclosure] = {}
        for disclosure in disclosures:
            if disclosure.digest in self.by_digest:
                raise DisclosureDuplicate(f"disclosure {shorten(disclosure.encoded, 40)} twice")
            self.by_digest[disclosure.digest] = disclosure
        self.seen: set[str] = set()
        self.disclosed: list[Path] = []

    def _take(self, digest: Any) -> Disclosure | None:
        if not isinstance(digest, str):
            raise DisclosureInvalid(f"digest {shorten(digest)} is not a string")
        if digest in self.seen:
            raise DisclosureDuplicate(f"digest {shorten(digest)} appears more than once")
        self.seen.add(digest)
        return self.by_digest.get(digest)

    def value(self, node: Any, path: Path, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise DisclosureInvalid(f"claims nested deeper than {MAX_DEPTH} levels")
        if type(node) is dict:
            return self.object(node, path, depth)
        if type(node) is list:
            return self.array(node, path, depth)
        return node

    def object(self, node: dict[str, Any], path: Path, depth: int) -> dict[str, Any]:
        if ELLIPSIS in node:
            raise DisclosureInvalid(f"'...' outside an array element at {list(path)}")
        out: dict[str, Any] = {}
        for key, item in node.items():
            if key == SD_KEY:
                continue
            if key == SD_ALG_KEY:
                if depth:
                    raise DisclosureInvalid(f"_sd_alg below the top level at {list(path)}")
                continue
            kind = type(item)
            if kind is dict or kind is list:
                out[key] = self.value(item, (*path, key), depth + 1)
            else:
                out[key] = item
        digests = node.get(SD_KEY)
        if digests is None:
            return out
        if type(digests) is not list:
            raise DisclosureInvalid(f"_sd at {list(path)} is not an array")
        seen, by_digest = self.seen, self.by_digest
        for digest in digests:
            if type(digest) is not str:
                raise DisclosureInvalid(f"digest {shorten(digest)} is not a string")
            if digest in seen:
                raise DisclosureDuplicate(f"digest {shorten(digest)} appears more than once")
            seen.add(digest)
            disclosure = by_digest.get(digest)
            if disclosure is None:
                continue
            name = disclosure.name
            if name is None:
                raise DisclosureInvalid("an array-element disclosure is referenced from _sd")
            if name in out:
                raise DisclosureInvalid(f"disclosure would overwrite claim {shorten(name)}")
            here = (*path, name)
            value = disclosure.value
            kind = type(value)
            if kind is dict or kind is list:
                value = self.value(value, here, depth + 1)
            out[name] = value
            self.disclosed.append(here)
        return out

    def array(self, node: list[Any], path: Path, depth: int) -> list[Any]:
        out: list[Any] = []
        for item in node:
            if type(item) is dict and ELLIPSIS in item:
                if len(item) != 1:
                    raise DisclosureInvalid("an array element with '...' must have no other key")
                disclosure = self._take(item[ELLIPSIS])
                if disclosure is None:
                    continue
                if disclosure.name is not None:
                    raise DisclosureInvalid("an object-property disclosure is used in an array")
                here = (*path, len(out))
                out.append(self.value(disclosure.value, here, depth + 1))
                self.disclosed.append(here)
            else:
                out.append(self.value(item, (*path, len(out)), depth + 1))
        return out


def process_payload(payload: dict[str, Any], disclosures: Sequence[Disclosure]) -> Processed:
    """Return the claims with every disclosure in place and ``_sd`` / ``_sd_alg`` removed.

    Raises ``SD_ALG_UNSUPPORTED``, ``DISCLOSURE_DUPLICATE`` (a disclosure or digest twice),
    ``DISCLOSURE_INVALID`` (misplaced ``_sd`` / ``...``, overwrite, wrong disclosure kind) and
    ``DISCLOSURE_ORPHAN`` (a disclosure no digest in the processed claims refers to).
    """
    check_sd_alg(payload)
    processor = _Processor(disclosures)
    claims = processor.object(payload, (), 0)
    orphans = [d for d in processor.by_digest.values() if d.digest not in processor.seen]
    if orphans:
        raise DisclosureOrphan(
            f"{len(orphans)} disclosure(s) not referenced, e.g. {shorten(orphans[0].to_json())}"
        )
    return Processed(claims, tuple(processor.disclosed))
