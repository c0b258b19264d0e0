"""Read the sd-jwt generator's ``specification.yml`` files: ``!sd``-tagged claims become plain
claims plus the claim paths to make disclosable; holder choices become claim paths."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ClaimPath = tuple[str | int | None, ...]


@dataclass(frozen=True)
class Sd:
    value: Any


class _Loader(yaml.SafeLoader):
    pass


def _construct_sd(loader: yaml.SafeLoader, node: yaml.Node) -> Sd:
    if isinstance(node, yaml.ScalarNode):
        if node.style in ("'", '"'):
            return Sd(node.value)
        tag = loader.resolve(yaml.ScalarNode, node.value, (True, False))
        return Sd(loader.construct_object(yaml.ScalarNode(tag, node.value), deep=True))
    if isinstance(node, yaml.MappingNode):
        plain = yaml.MappingNode("tag:yaml.org,2002:map", node.value)
        return Sd(loader.construct_object(plain, deep=True))
    assert isinstance(node, yaml.SequenceNode)
    seq = yaml.SequenceNode("tag:yaml.org,2002:seq", node.value)
    return Sd(loader.construct_object(seq, deep=True))


_Loader.add_constructor("!sd", _construct_sd)


def load_spec(path: Path) -> dict[str, Any]:
    data = yaml.load(path.read_text(), Loader=_Loader)
    assert isinstance(data, dict)
    return data


def split_sd(value: Any, prefix: ClaimPath = ()) -> tuple[Any, list[ClaimPath]]:
    """Plain claims and the disclosable paths (parents before children)."""
    paths: list[ClaimPath] = []
    if isinstance(value, Sd):
        inner, sub = split_sd(value.value, prefix)
        return inner, [prefix, *sub]
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            name = key.value if isinstance(key, Sd) else key
            here = (*prefix, name)
            if isinstance(key, Sd):
                paths.append(here)
            out[name], sub = split_sd(item, here)
            paths.extend(sub)
        return out, paths
    if isinstance(value, list):
        items = []
        for index, item in enumerate(value):
            plain, sub = split_sd(item, (*prefix, index))
            items.append(plain)
            paths.extend(sub)
        return items, paths
    return value, paths


def holder_paths(choice: Any, prefix: ClaimPath = ()) -> list[ClaimPath]:
    """The claim paths a ``holder_disclosed_claims`` structure asks for (its true leaves)."""
    out: list[ClaimPath] = []
    if isinstance(choice, dict):
        for key, item in choice.items():
            out.extend(holder_paths(item, (*prefix, str(key))))
    elif isinstance(choice, list):
        for index, item in enumerate(choice):
            out.extend(holder_paths(item, (*prefix, index)))
    elif choice is True and prefix:
        out.append(prefix)
    return out
