"""Where each translatable text of a flow file is, down to the characters.

A text is either a plain string (the flow's first language) or a mapping `language: text`.
Each one gets a stable context path (`intro.say`, `med_cert.options.1.label`,
`offices.police_station.name`) and keeps its YAML nodes, whose marks give exact line, column
and character offsets: the translators' import (bot/services/translations.py) edits the file
text in place there, and the change summary compares texts per language by path.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from bot.engine.located import Pos

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

STEP_TEXTS = ("say", "choose", "ask", "checklist", "escalate", "end", "label", "retry", "note")
OFFICE_TEXTS = ("name", "address", "hours", "caution")
_BOOL = "tag:yaml.org,2002:bool"


@dataclass(frozen=True)
class TextSite:
    """One translatable text: its context path, and the YAML nodes of its key and value."""

    path: str
    key: yaml.ScalarNode
    value: yaml.Node
    in_flow_mapping: bool  # the parent is written `{a: b, ...}`: quoting rules differ

    @property
    def pos(self) -> Pos:
        return Pos(self.key.start_mark.line + 1, self.key.start_mark.column + 1)

    def by_lang(self, fallback: str) -> dict[str, str]:
        """The text in each language written (a plain string is the `fallback` language)."""
        if isinstance(self.value, yaml.ScalarNode):
            return {fallback: str(self.value.value)}
        return {str(k.value): str(v.value) for k, v in self.value.value
                if isinstance(k, yaml.ScalarNode) and isinstance(v, yaml.ScalarNode)}

    def lang_node(self, lang: str) -> yaml.ScalarNode | None:
        if isinstance(self.value, yaml.MappingNode):
            for k, v in self.value.value:
                if isinstance(k, yaml.ScalarNode) and k.value == lang and isinstance(
                        v, yaml.ScalarNode):
                    return v
        return None


@dataclass(frozen=True)
class FileTexts:
    """The texts of one file; `owner` is the flow id, or `country:CC` for country.yaml."""

    owner: str
    languages: tuple[str, ...]
    sites: list[TextSite]
    root: yaml.MappingNode

    @property
    def fallback(self) -> str:
        return self.languages[0] if self.languages else "en"


def compose(text: str) -> yaml.Node | None:
    return yaml.compose(text, Loader=_Loader)


def _items(node: yaml.Node) -> Iterator[tuple[str, yaml.Node, yaml.ScalarNode]]:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                yield str(key.value), value, key


def _get(node: yaml.Node, name: str) -> yaml.Node | None:
    return next((v for k, v, _ in _items(node) if k == name), None)


def _is_text(node: yaml.Node) -> bool:
    if isinstance(node, yaml.ScalarNode):
        return node.tag != _BOOL and node.value != ""
    return isinstance(node, yaml.MappingNode) and bool(node.value) and all(
        isinstance(v, yaml.ScalarNode) for _, v in node.value)


def _texts(node: yaml.Node, names: tuple[str, ...], prefix: str) -> Iterator[TextSite]:
    flow_style = bool(getattr(node, "flow_style", False))
    for name, value, key in _items(node):
        if name in names and _is_text(value):
            yield TextSite(prefix + name, key, value, flow_style)


def _listed(node: yaml.Node | None) -> list[yaml.Node]:
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


def _ident(node: yaml.Node, index: int) -> str:
    found = _get(node, "id")
    return str(found.value) if isinstance(found, yaml.ScalarNode) else str(index)


def _step_sites(step: yaml.Node, index: int) -> Iterator[TextSite]:
    sid = _ident(step, index)
    yield from _texts(step, STEP_TEXTS, f"{sid}.")
    place = _get(step, "place")
    if isinstance(place, yaml.MappingNode):
        yield from _texts(place, OFFICE_TEXTS, f"{sid}.place.")
    for number, option in enumerate(_listed(_get(step, "options"))):
        yield from _texts(option, ("label",), f"{sid}.options.{number}.")
    for number, item in enumerate(_listed(_get(step, "items"))):
        yield from _texts(item, ("label", "where"), f"{sid}.items.{_ident(item, number)}.")


def file_texts(text: str) -> FileTexts | None:
    """Every text of a flow file or a country.yaml; None when it is neither."""
    root = compose(text)
    if not isinstance(root, yaml.MappingNode):
        return None
    languages_node = _get(root, "languages")
    languages = tuple(str(n.value) for n in _listed(languages_node)
                      if isinstance(n, yaml.ScalarNode))
    flow_id, country = _get(root, "id"), _get(root, "country")
    sites: list[TextSite] = []
    if isinstance(flow_id, yaml.ScalarNode) and _get(root, "steps") is not None:
        sites += _texts(root, ("title", "description"), "")
        for index, step in enumerate(_listed(_get(root, "steps"))):
            sites += _step_sites(step, index)
        return FileTexts(str(flow_id.value), languages, sites, root)
    if isinstance(country, yaml.ScalarNode):
        sites += _texts(root, ("name",), "")
        for index, office in enumerate(_listed(_get(root, "offices"))):
            sites += _texts(office, OFFICE_TEXTS, f"offices.{_ident(office, index)}.")
        for index, contact in enumerate(_listed(_get(root, "contacts"))):
            sites += _texts(contact, ("name",), f"contacts.{index}.")
        return FileTexts(f"country:{country.value}", languages, sites, root)
    return None


def structure(node: yaml.Node, skip: set[int]) -> Any:
    """A node as plain data, texts (`skip`: ids of their value nodes) left out: what the
    change summary compares to tell a structural change from a wording change."""
    if id(node) in skip:
        return "<text>"
    if isinstance(node, yaml.MappingNode):
        return {str(getattr(k, "value", k)): structure(v, skip) for k, v in node.value}
    if isinstance(node, yaml.SequenceNode):
        return [structure(item, skip) for item in node.value]
    return getattr(node, "value", None)
