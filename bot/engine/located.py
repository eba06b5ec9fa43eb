"""YAML loading that remembers where every value came from.

The checker must point at `file:line:column`, so mappings and lists keep the position of
each key and item. Duplicate keys, which PyYAML silently overwrites, are reported instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

try:  # libyaml is several times faster; fall back to the pure-Python parser where absent
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


@dataclass(frozen=True)
class Pos:
    """A 1-based line and column in a file."""

    line: int
    column: int


class LocatedDict(dict):
    """A dict that also knows where it and each of its keys start."""

    pos: Pos
    key_pos: dict[str, Pos]


class LocatedList(list):
    """A list that also knows where it and each item start."""

    pos: Pos
    item_pos: list[Pos]


@dataclass
class YamlResult:
    data: Any
    duplicates: list[tuple[str, Pos]] = field(default_factory=list)


class YamlSyntaxError(Exception):
    def __init__(self, message: str, pos: Pos) -> None:
        super().__init__(message)
        self.pos = pos


def _pos(node: yaml.Node) -> Pos:
    return Pos(node.start_mark.line + 1, node.start_mark.column + 1)


_scalar_loader = _Loader("")


def _convert(node: yaml.Node, duplicates: list[tuple[str, Pos]]) -> Any:
    if isinstance(node, yaml.MappingNode):
        result = LocatedDict()
        result.pos = _pos(node)
        result.key_pos = {}
        for key_node, value_node in node.value:
            key = _convert(key_node, duplicates)
            if not isinstance(key, str):
                key = str(key)
            if key in result:
                duplicates.append((key, _pos(key_node)))
                continue
            result[key] = _convert(value_node, duplicates)
            result.key_pos[key] = _pos(key_node)
        return result
    if isinstance(node, yaml.SequenceNode):
        items = LocatedList(_convert(item, duplicates) for item in node.value)
        items.pos = _pos(node)
        items.item_pos = [_pos(item) for item in node.value]
        return items
    return _scalar_loader.construct_object(node)


def load_yaml(text: str) -> YamlResult:
    """Parse one YAML document, keeping positions; raise YamlSyntaxError with a position."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = Pos(mark.line + 1, mark.column + 1) if mark else Pos(1, 1)
        raise YamlSyntaxError(str(exc.problem or exc), pos) from exc
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(str(exc), Pos(1, 1)) from exc
    duplicates: list[tuple[str, Pos]] = []
    data = None if node is None else _convert(node, duplicates)
    return YamlResult(data, duplicates)


def pos_of(container: Any, key: str | int | None = None) -> Pos:
    """Where a key or item of a located container starts; the container's own start otherwise."""
    if isinstance(container, LocatedDict) and isinstance(key, str) and key in container.key_pos:
        return container.key_pos[key]
    if isinstance(container, LocatedList) and isinstance(key, int) and key < len(
        container.item_pos
    ):
        return container.item_pos[key]
    return getattr(container, "pos", Pos(1, 1))
