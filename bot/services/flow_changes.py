"""What a proposal changes, told so a reviewer who is not a programmer can follow it.

Steps added and removed, steps whose structure changed (kind, buttons, next step...) and, for
each language, the steps whose wording changed; plus the line-by-line text diff, sent as a
document.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from .flow_texts import FileTexts, _get, _ident, _listed, file_texts, structure

FLOW_LEVEL = "(title)"


@dataclass
class Changes:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    restructured: list[str] = field(default_factory=list)
    reworded: dict[str, list[str]] = field(default_factory=dict)  # lang: step ids

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.restructured or self.reworded)

    def to_json(self) -> dict[str, Any]:
        return {"added": self.added, "removed": self.removed,
                "restructured": self.restructured, "reworded": self.reworded}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Changes:
        return cls(list(data.get("added", [])), list(data.get("removed", [])),
                   list(data.get("restructured", [])), dict(data.get("reworded", {})))


def _steps(texts: FileTexts) -> dict[str, Any]:
    """step id -> its structure with the texts blanked out."""
    skip = {id(site.value) for site in texts.sites}
    return {_ident(step, n): structure(step, skip)
            for n, step in enumerate(_listed(_get(texts.root, "steps")))}


def _wording(texts: FileTexts) -> dict[str, dict[str, dict[str, str]]]:
    """step id (or FLOW_LEVEL) -> text path -> language -> text."""
    out: dict[str, dict[str, dict[str, str]]] = {}
    for site in texts.sites:
        step = site.path.split(".", 1)[0] if "." in site.path else FLOW_LEVEL
        out.setdefault(step, {})[site.path] = site.by_lang(texts.fallback)
    return out


def compare(old_text: str, new_text: str) -> Changes:
    """Compare two versions of one flow file (both must parse as flows)."""
    old, new = file_texts(old_text), file_texts(new_text)
    changes = Changes()
    if old is None or new is None:
        return changes
    old_steps, new_steps = _steps(old), _steps(new)
    changes.added = [s for s in new_steps if s not in old_steps]
    changes.removed = [s for s in old_steps if s not in new_steps]
    changes.restructured = [s for s in new_steps
                            if s in old_steps and new_steps[s] != old_steps[s]]
    old_words, new_words = _wording(old), _wording(new)
    languages = dict.fromkeys((*new.languages, *old.languages))
    for lang in languages:
        steps = []
        for step in new_words:
            if step in changes.added:
                continue
            before, after = old_words.get(step, {}), new_words[step]
            paths = set(before) | set(after)
            if any(before.get(p, {}).get(lang) != after.get(p, {}).get(lang) for p in paths):
                steps.append(step)
        if steps:
            changes.reworded[lang] = steps
    return changes


def unified_diff(old_text: str, new_text: str, name: str) -> str:
    lines = difflib.unified_diff(old_text.splitlines(keepends=True),
                                 new_text.splitlines(keepends=True),
                                 fromfile=f"published/{name}", tofile=f"proposed/{name}")
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)

