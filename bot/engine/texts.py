"""Inserting stored answers into texts.

A single regular-expression pass replaces `{name}`: unlike `str.format`, it cannot reach
attributes or indexes, and an answer containing braces is inserted as it is, never re-read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}")
MISSING_ANSWER = "—"


def placeholders(template: str) -> list[tuple[str, int]]:
    """The answer names a text inserts, each with its offset in the text."""
    return [(m.group(1), m.start()) for m in PLACEHOLDER.finditer(template) if m.group(1)]


def interpolate(
    template: str,
    answers: Mapping[str, Any],
    render: Callable[[str, Any], str] = lambda _name, value: str(value),
) -> str:
    """Fill `{name}` with answers (rendered by `render(name, value)`); `{{`/`}}` are braces."""
    if "{" not in template and "}" not in template:
        return template

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name is None:
            return match.group(0)[0]
        value = answers.get(name)
        return MISSING_ANSWER if value is None else render(name, value)

    return PLACEHOLDER.sub(substitute, template)
