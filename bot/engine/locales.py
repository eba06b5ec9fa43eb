"""How each language writes dates and numbers, from CLDR: the data behind typed answers.

The figures come from `cldr.json`, generated from Babel by `python -m bot.cldr_export` (the
engine itself never imports Babel). This module reads that file once, on first use, and derives
what the parsers and the checker need: the order of day, month and year, the month names, the
signs written after a year, a month or a day (`2026 ж.`, `2026年3月5日`), the decimal and group
symbols. A language without data (any code Babel knows may appear in a flow) gets the neutral
`GENERIC`: day first, no month names, and numbers read from their own shape.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).with_name("cldr.json")
_FIELD = re.compile(r"'(?:[^']|'')*'|([a-zA-Z])\1*|[^a-zA-Z']+")


@dataclass(frozen=True)
class LanguageData:
    """What one language's people write; see the module docstring."""

    code: str
    order: str  # "dmy", "mdy" or "ymd": the order of the short date pattern
    patterns: tuple[str, ...]  # CLDR short, medium, long
    months: dict[str, int]  # every written form of a month name -> 1..12
    year_marks: tuple[str, ...]  # "г", "ж", "年": written after the year
    month_marks: tuple[str, ...]  # "月"
    day_marks: tuple[str, ...]  # "日"
    decimal: str
    group: str
    script: str = ""  # ISO 15924 ("Latn", "Cyrl"), from CLDR's likely subtags


def _pattern_parts(pattern: str) -> list[tuple[str, str]]:
    """A CLDR pattern as (field letter or "", text) parts: `d MMM y 'г'.` ->
    [("d", "d"), ("", " "), ("M", "MMM"), ("", " "), ("y", "y"), ("", "г."), ...]."""
    parts = []
    for match in _FIELD.finditer(pattern):
        token = match.group(0)
        if match.group(1):
            parts.append((match.group(1), token))
        elif token.startswith("'"):
            parts.append(("", token[1:-1].replace("''", "'")))
        else:
            parts.append(("", token))
    return parts


def pattern_order(pattern: str) -> str:
    """The order of day, month and year in a pattern: "dmy", "mdy" or "ymd"."""
    order = "".join(dict.fromkeys(letter.lower() for letter, _ in _pattern_parts(pattern)
                                  if letter in "dMLy"))
    order = order.replace("l", "m")
    return order if order in {"dmy", "mdy", "ymd", "ydm"} else "dmy"


def _marks(patterns: tuple[str, ...], field: str) -> tuple[str, ...]:
    """The letters written right after a field (`y 'ж'.` -> "ж"), in any of the patterns."""
    found: list[str] = []
    for pattern in patterns:
        parts = _pattern_parts(pattern)
        for index, (letter, token) in enumerate(parts):
            if letter == field and (field != "M" or len(token) <= 2):
                after = []
                for other, text in parts[index + 1:]:
                    if other:
                        break
                    after.append(text)
                mark = "".join(ch for ch in "".join(after) if ch.isalpha()).casefold()
                if mark and mark not in found:
                    found.append(mark)
    return tuple(found)


@cache
def _raw() -> dict:
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


GENERIC = LanguageData("", "dmy", (), {}, (), (), (), ".", ",")


@cache
def language(code: str) -> LanguageData:
    """The data for a language code (`ru`, `zh_Hans`, `ar_LB` -> `ar`), or GENERIC."""
    languages = _raw()["languages"]
    entry = languages.get(code) or languages.get(code.split("_")[0])
    if entry is None:
        return GENERIC
    patterns = (entry["short"], entry["medium"], entry["long"])
    return LanguageData(
        code=code, order=pattern_order(entry["short"]), patterns=patterns,
        months=dict(entry["months"]), year_marks=_marks(patterns, "y"),
        month_marks=_marks(patterns, "M"), day_marks=_marks(patterns, "d"),
        decimal=entry["decimal"], group=entry["group"], script=entry.get("script", ""))


@cache
def known_locales() -> frozenset[str]:
    """Every locale identifier Babel knows (`kk`, `zh_Hans`, `ar_LB`), for the checker."""
    return frozenset(_raw()["known_locales"])
