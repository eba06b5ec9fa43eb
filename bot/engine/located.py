"""YAML loading that remembers where every value came from.

The checker must point at `file:line:column`, so mappings and lists keep the position of
each key and item. Duplicate keys, which PyYAML silently overwrites, are reported instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, NamedTuple

import yaml

# libyaml (PyYAML's C parser, which keeps line and column marks) is several times faster;
# the pure-Python parser gives the same nodes and marks where PyYAML was built without it.
_Loader = yaml.CSafeLoader if getattr(yaml, "__with_libyaml__", False) else yaml.SafeLoader


class Pos(NamedTuple):
    """A 1-based line and column in a file (a tuple: cheap to build for every YAML node)."""

    line: int
    column: int


class LocatedDict(dict):
    """A dict that also knows where it and each of its keys start (see `pos_of`)."""

    __slots__ = ("key_marks", "pos")
    pos: Pos
    key_marks: dict[str, Any]  # YAML marks (0-based), turned into a Pos only when asked for


class LocatedList(list):
    """A list that also knows where it and each item start (see `pos_of`)."""

    __slots__ = ("item_marks", "pos")
    pos: Pos
    item_marks: list[Any]


@dataclass
class YamlResult:
    data: Any
    duplicates: list[tuple[str, Pos]] = field(default_factory=list)


class YamlSyntaxError(Exception):
    def __init__(self, message: str, pos: Pos) -> None:
        super().__init__(message)
        self.pos = pos


def _pos(node: yaml.Node) -> Pos:
    mark = node.start_mark
    return Pos(mark.line + 1, mark.column + 1)


_STR_TAG = "tag:yaml.org,2002:str"
_ScalarNode, _MappingNode, _SequenceNode = yaml.ScalarNode, yaml.MappingNode, yaml.SequenceNode


class _FastLoader(_Loader):  # type: ignore[misc, valid-type]
    """The same tags as the safe loader, without running its regexes on plain text.

    Only a plain scalar whose first character starts one of the implicit types (null, bool,
    int, float, timestamp, merge, value) can be anything but a string.
    """

    _typed_starts = frozenset(k for k in _Loader.yaml_implicit_resolvers if k)
    _short_plain: ClassVar[dict[str, str]] = {}  # tags of short plain words; bounded cache

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is _ScalarNode and value:
            if not implicit[0] or value[0] not in self._typed_starts:
                return _STR_TAG
            tag = self._short_plain.get(value)
            if tag is None:
                tag = super().resolve(kind, value, implicit)
                if len(value) <= 16 and len(self._short_plain) < 4096:
                    self._short_plain[value] = tag
            return tag
        return super().resolve(kind, value, implicit)

    # No path resolvers are registered on the safe loader, so the composer's bookkeeping of
    # the path to each node is dead work: two Python calls per node (a third of composing).
    def descend_resolver(self, current_parent: Any, current_index: Any) -> None:
        return None

    def ascend_resolver(self) -> None:
        return None


# Scalars are built by the safe loader's own constructor functions, called directly: going
# through `construct_object` would cache every node in this module-level loader forever.
_scalar_loader = _Loader("")
_constructors = _Loader.yaml_constructors


def _construct_scalar(node: yaml.ScalarNode) -> Any:
    constructor = _constructors.get(node.tag) or _constructors[None]  # None: unknown tag
    return constructor(_scalar_loader, node)


def _convert(node: yaml.Node, duplicates: list[tuple[str, Pos]]) -> Any:
    kind = node.__class__
    if kind is _ScalarNode:
        return node.value if node.tag == _STR_TAG else _construct_scalar(node)
    if kind is _MappingNode:
        result = LocatedDict()
        mark = node.start_mark
        result.pos = Pos(mark.line + 1, mark.column + 1)
        result.key_marks = key_marks = {}
        for key_node, value_node in node.value:
            if key_node.__class__ is _ScalarNode and key_node.tag == _STR_TAG:
                key = key_node.value
            else:
                key = _convert(key_node, duplicates)
                if not isinstance(key, str):
                    key = str(key)
            if key in result:
                duplicates.append((key, _pos(key_node)))
                continue
            if value_node.__class__ is _ScalarNode and value_node.tag == _STR_TAG:
                result[key] = value_node.value  # the common case, without a call
            else:
                result[key] = _convert(value_node, duplicates)
            key_marks[key] = key_node.start_mark
        return result
    if kind is _SequenceNode:
        items = LocatedList([
            item.value if item.__class__ is _ScalarNode and item.tag == _STR_TAG
            else _convert(item, duplicates) for item in node.value
        ])
        items.pos = _pos(node)
        items.item_marks = [item.start_mark for item in node.value]
        return items
    return _construct_scalar(node)


def load_yaml(text: str) -> YamlResult:
    """Parse one YAML document, keeping positions; raise YamlSyntaxError with a position."""
    duplicates: list[tuple[str, Pos]] = []
    try:
        node = yaml.compose(text, Loader=_FastLoader)
        data = None if node is None else _convert(node, duplicates)
    except yaml.MarkedYAMLError as exc:  # syntax, or a tag such as `!foo` no constructor knows
        mark = exc.problem_mark or exc.context_mark
        pos = Pos(mark.line + 1, mark.column + 1) if mark else Pos(1, 1)
        raise YamlSyntaxError(str(exc.problem or exc), pos) from exc
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(str(exc), Pos(1, 1)) from exc
    except RecursionError as exc:  # an alias inside its own anchor, or absurdly deep nesting
        raise YamlSyntaxError("the document nests too deeply (is an alias inside itself?)",
                              Pos(1, 1)) from exc
    return YamlResult(data, duplicates)


def pos_of(container: Any, key: str | int | None = None) -> Pos:
    """Where a key or item of a located container starts; the container's own start otherwise."""
    mark = None
    if isinstance(container, LocatedDict) and isinstance(key, str):
        mark = container.key_marks.get(key)
    elif isinstance(container, LocatedList) and isinstance(key, int) and 0 <= key < len(
        container.item_marks
    ):
        mark = container.item_marks[key]
    if mark is not None:
        return Pos(mark.line + 1, mark.column + 1)
    return getattr(container, "pos", Pos(1, 1))
