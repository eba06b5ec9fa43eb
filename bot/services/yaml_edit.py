"""Changing one text of a flow file in place, leaving every other byte as it was.

Why not load and dump: PyYAML's dumper drops comments, reorders and re-wraps; admins' files
carry comments and a layout they chose. Instead each change is a replacement of a character
range found from the YAML node marks (see bot/services/flow_texts.py):

* the language is there: its scalar is replaced (plain stays plain when it reads back the same,
  else quotes are used);
* the language is missing: a `lang: text` entry is added to the mapping, on a new line at the
  mapping's indentation, or before the `}` of a `{...}` mapping;
* the text is a plain string (the flow's first language): it becomes a mapping of both.

Every rendered scalar is parsed back before use, so an edit never changes what a text means.
"""

from __future__ import annotations

import json
import re
import textwrap
from dataclasses import dataclass

import yaml

from .flow_texts import TextSite


@dataclass(frozen=True, order=True)
class Edit:
    start: int
    end: int
    replacement: str


def _reads_back(rendered: str, value: str, in_flow: bool) -> bool:
    document = f"k: {{x: {rendered}}}" if in_flow else f"k: {rendered}"
    try:
        loaded = yaml.safe_load(document)
    except yaml.YAMLError:
        return False
    got = loaded.get("k") if isinstance(loaded, dict) else None
    if in_flow:
        got = got.get("x") if isinstance(got, dict) else None
    return got == value and isinstance(got, str)


def scalar(value: str, *, in_flow: bool, style: str | None = None) -> str:
    """`value` as a one-line YAML scalar: plain when the original was and it reads back the
    same, single-quoted when the original was, else double-quoted."""
    candidates = []
    if not style:
        candidates.append(value)
    if style == "'" and "\n" not in value:
        candidates.append("'" + value.replace("'", "''") + "'")
    candidates.append(json.dumps(value, ensure_ascii=False))
    for rendered in candidates:
        if _reads_back(rendered, value, in_flow):
            return rendered
    raise ValueError(f"cannot write {value!r} as YAML")  # pragma: no cover - JSON always reads


def _line_end(text: str, index: int) -> int:
    """Where the line holding `index` ends, after its newline (for a new line after it)."""
    if index > 0 and text[index - 1] == "\n":
        return index
    found = text.find("\n", index)
    return len(text) if found < 0 else found + 1


def set_text(text: str, site: TextSite, lang: str, fallback: str, value: str, *,
             quoted: bool = False) -> list[Edit]:
    """The edits that make `site` say `value` in `lang` (see the module docstring);
    `quoted`: never plain or block style (the fallback when a file did not read back)."""
    node = site.lang_node(lang)
    if node is None and isinstance(site.value, yaml.ScalarNode) and lang == fallback:
        node = site.value
    if node is not None:
        in_flow = site.in_flow_mapping if node is site.value else bool(site.value.flow_style)
        block = _block(text, node, value) if node.style in ("|", ">") and not quoted else None
        style = node.style if node.style in ("'", '"') else (None if not node.style else '"')
        if quoted:
            style = '"'
        return [Edit(*_span(text, node), block or scalar(value, in_flow=in_flow, style=style))]
    if isinstance(site.value, yaml.MappingNode):
        return [_add_entry(text, site.value, lang, value)]
    return [_to_mapping(text, site, lang, fallback, value)]


def _add_entry(text: str, mapping: yaml.MappingNode, lang: str, value: str) -> Edit:
    last_key, last_value = mapping.value[-1]
    if mapping.flow_style:
        end = last_value.end_mark.index
        entry = f", {lang}: {scalar(value, in_flow=True)}"
        return Edit(end, end, entry)
    indent = " " * last_key.start_mark.column
    at = _line_end(text, last_value.end_mark.index)
    newline = "" if at == 0 or text[at - 1] == "\n" else "\n"
    return Edit(at, at, f"{newline}{indent}{lang}: {scalar(value, in_flow=False)}\n")


def _to_mapping(text: str, site: TextSite, lang: str, fallback: str, value: str) -> Edit:
    node = site.value
    assert isinstance(node, yaml.ScalarNode)
    original = str(node.value)
    style = node.style if node.style in ("'", '"') else None
    if site.in_flow_mapping:
        first = scalar(original, in_flow=True, style=style)
        return Edit(*_span(text, node),
                    f"{{{fallback}: {first}, {lang}: {scalar(value, in_flow=True)}}}")
    indent = " " * (site.key.start_mark.column + 2)
    colon = text.index(":", site.key.end_mark.index)
    _start, end = _span(text, node)
    first = scalar(original, in_flow=False, style=style)
    return Edit(colon + 1, end, f"\n{indent}{fallback}: {first}\n{indent}{lang}: "
                                f"{scalar(value, in_flow=False)}")


BLOCK_HEADER = re.compile(r"[|>][+-]?[1-9]?[+-]?")
FOLD_WIDTH = 100


def _block(text: str, node: yaml.ScalarNode, value: str) -> str | None:
    """`value` in the block style the original used (`|` or `>`), same header and indent;
    None when that style cannot say it simply (the caller then quotes it)."""
    start = node.start_mark.index
    header = BLOCK_HEADER.match(text, start)
    line_end = text.find("\n", start)
    if header is None or line_end < 0:
        return None
    following = text[line_end + 1:].split("\n", 1)[0]
    indent = " " * (len(following) - len(following.lstrip(" ")))
    if not indent:
        return None
    chomp = "-" if "-" in header.group() else ("+" if "+" in header.group() else "")
    body = value
    if chomp == "":
        if not body.endswith("\n") or body.endswith("\n\n"):
            return None
        body = body[:-1]
    elif chomp == "+":
        return None
    if node.style == "|":
        lines = body.split("\n")
    else:
        if "\n" in body or "  " in body or body != body.strip():
            return None
        lines = textwrap.wrap(body, max(20, FOLD_WIDTH - len(indent)), break_long_words=False,
                              break_on_hyphens=False)
    if not lines or not lines[0].strip() or lines[0][0] == " ":
        return None
    return header.group() + "\n" + "\n".join(indent + line if line else "" for line in lines)


def _span(text: str, node: yaml.ScalarNode) -> tuple[int, int]:
    """The scalar's characters; a block scalar (| or >) without the line breaks after it."""
    start, end = node.start_mark.index, node.end_mark.index
    if node.style in ("|", ">"):
        while end > start and text[end - 1] in " \n\r":
            end -= 1
    return start, end


def apply(text: str, edits: list[Edit]) -> str:
    """Apply non-overlapping edits (from the end, so earlier offsets stay right)."""
    for edit in sorted(edits, reverse=True):
        text = text[:edit.start] + edit.replacement + text[edit.end:]
    return text
