"""What each translation was made from: a mark in the flow file, beside the text.

When the translators' import writes a text in language `kk` from a source text in `ru`, it
writes a YAML comment at the end of the line of that text::

    kk: Баланың тууын тіркеу тегін.  # kk from ru 3f2a1b2c

(`3f2a1b2c`: the first 8 hex digits of the SHA-256 of the Russian text it was made from).
In a `{ru: ..., kk: ...}` mapping written on one line the mark follows the closing brace; a
folded text (`kk: >-`) carries it after the `>-`. Several marks share a comment, split by `;`.

Why a comment in the file and not a table in the database: it travels with the text (copied,
reviewed, published from Telegram, edited by hand on the server, restored from git) and
needs nothing but the file to be checked. When the source text changes later, its hash no
longer matches: the translation is **stale** (a checker warning naming both languages, and
fuzzy in the next export) until it is translated again. Editing the translation itself by
hand leaves the mark true: it still says which source it follows.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

import yaml

from .fields import Reporter
from .located import Pos

MARK = re.compile(r"([A-Za-z]{2,3}(?:_[A-Za-z]+)?) from ([A-Za-z]{2,3}(?:_[A-Za-z]+)?)"
                  r" ([0-9a-f]{8})")
COMMENT = re.compile(r"\s+#\s*((?:[A-Za-z_]+ from [A-Za-z_]+ [0-9a-f]{8}\s*;?\s*)+)$")


def source_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


@dataclass(frozen=True)
class Mark:
    lang: str      # the translation
    source: str    # the language it was made from
    digest: str    # source_hash of that source text then
    line: int      # 0-based line of the file holding the mark


def marks_on(line: str) -> dict[str, tuple[str, str]]:
    """The marks at the end of one line: {translated language: (source language, hash)}."""
    found = COMMENT.search(line)
    if found is None:
        return {}
    return {m.group(1): (m.group(2), m.group(3)) for m in MARK.finditer(found.group(1))}


def strip_marks(line: str) -> str:
    return COMMENT.sub("", line)


def with_marks(line: str, marks: dict[str, tuple[str, str]]) -> str:
    """The line with exactly these marks (sorted by language) at its end."""
    bare = strip_marks(line)
    if not marks:
        return bare
    written = "; ".join(f"{lang} from {src} {digest}" for lang, (src, digest)
                        in sorted(marks.items()))
    return f"{bare}  # {written}"


def mark_line(mapping: yaml.MappingNode, lang: str) -> int | None:
    """Where the mark of `lang` in a text mapping goes (0-based line), None when absent."""
    if getattr(mapping, "flow_style", False):
        return int(mapping.end_mark.line)
    for key, value in mapping.value:
        if isinstance(key, yaml.ScalarNode) and key.value == lang:
            if isinstance(value, yaml.ScalarNode) and value.style in ("|", ">"):
                return int(key.start_mark.line)
            return int(value.end_mark.line)
    return None


def text_mappings(node: yaml.Node) -> Iterator[yaml.MappingNode]:
    """Every mapping whose values are all plain texts (candidates for `lang: text`)."""
    if isinstance(node, yaml.MappingNode):
        if node.value and all(isinstance(k, yaml.ScalarNode) and isinstance(v, yaml.ScalarNode)
                              for k, v in node.value):
            yield node
        for _key, value in node.value:
            yield from text_mappings(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from text_mappings(item)


def marks_of(lines: list[str], mapping: yaml.MappingNode) -> list[Mark]:
    """The marks that belong to this text mapping."""
    texts = {str(k.value) for k, _v in mapping.value}
    found = []
    for lang in sorted(texts):
        line = mark_line(mapping, lang)
        if line is None or line >= len(lines):
            continue
        mark = marks_on(lines[line]).get(lang)
        if mark is not None:
            found.append(Mark(lang, mark[0], mark[1], line))
    return found


def stale(lines: list[str], mapping: yaml.MappingNode) -> list[Mark]:
    """Marks whose source text changed since the translation was made."""
    texts = {str(k.value): str(v.value) for k, v in mapping.value}
    return [m for m in marks_of(lines, mapping)
            if m.source in texts and source_hash(texts[m.source]) != m.digest]


def check_stale(report: Reporter, text: str) -> None:
    """A warning for each stale translation of a file, at the translated text."""
    if " from " not in text:  # no mark at all: the usual case, nothing to parse again
        return
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return  # the loader already reported it
    lines = text.splitlines()
    for mapping in text_mappings(root) if root is not None else ():
        keys = {str(k.value): k for k, _v in mapping.value}
        for mark in stale(lines, mapping):
            key = keys[mark.lang]
            report.warning(Pos(key.start_mark.line + 1, key.start_mark.column + 1),
                           "stale-translation",
                           f"the {mark.lang} text was translated from the {mark.source} text,"
                           f" which has changed since",
                           f"translate it again from {mark.source} (the next "
                           f"export-translations --lang {mark.lang} marks it fuzzy), or "
                           f"remove the `{mark.lang} from {mark.source}` mark if it still "
                           "says the same")
