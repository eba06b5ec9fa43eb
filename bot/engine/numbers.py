"""Reading numbers as people type them: any script's digits, grouping, decimals, units.

`١٥٠٬٠٠٠`, `150 000 тг`, `1 500 сом`, `5000元`, `100,000`, `3,5`, `2 ans`: a person on a cheap
phone types in their own script and habits, and must be understood. Which of `.` and `,` is the
decimal sign when the text alone cannot tell (`1,500`) follows the person's language (CLDR's
decimal symbol, from `locales`); a count (`integer`) never has decimals, so there it groups.
"""

from __future__ import annotations

import re
import unicodedata

from .locales import LanguageData

# Marks that orient text right-to-left or left-to-right: invisible, typed by RTL keyboards.
_INVISIBLE = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
_FULLWIDTH = {"，": ",", "．": ".", "／": "/", "－": "-", "＋": "+", "　": " ", "−": "-",
              "٪": "%"}
_GROUP_ONLY = frozenset(" \u00a0\u202f\u2009'’٬")  # never a decimal sign
MAX_DIGITS = 18  # more is no count nor sum a person has; float would round it


class _Digits(dict):
    """A `str.translate` table built as characters are met: every Unicode decimal digit
    (Arabic-Indic, Extended Arabic-Indic, Devanagari, Bengali, full-width, …) becomes 0-9."""

    def __missing__(self, code: int) -> str | int | None:
        char = chr(code)
        digit = unicodedata.decimal(char, None)
        value: str | int | None
        if digit is not None:
            value = str(digit)
        elif char in _INVISIBLE:
            value = None
        else:
            value = _FULLWIDTH.get(char, code)
        if len(self) < 4096:  # a bound, whatever strange text arrives
            self[code] = value
        return value


_TABLE = _Digits()


def ascii_digits(text: str) -> str:
    """`٠٥.٠٣.٢٠٢٦` -> `05.03.2026`; invisible direction marks removed; ASCII text as is."""
    return text if text.isascii() else text.translate(_TABLE)


_NUMBER = re.compile(r"(?P<prefix>[^\d+\-]*?)(?P<sign>[+\-]?)\s*"
                     r"(?P<body>\d(?:[\d\s.,'’٬٫]*\d)?)(?P<suffix>\D*)")
_SEPARATOR = re.compile(r"[^\d]")


def _is_unit(text: str) -> bool:
    """A currency or unit around a number (`тг`, `сом`, `元`, `ans`, `$`, `руб.`), not more
    numbers nor operators: letters, currency signs, spaces, and dots after letters."""
    text = text.strip()
    if not text:
        return True
    if len(text) > 24:
        return False
    seen_letter = False
    for char in text:
        category = unicodedata.category(char)
        if category[0] in "LM" or category == "Sc" or char == "%":
            seen_letter = True
        elif char not in " .\u00a0/":
            return False
    return seen_letter


def _grouped(groups: list[str]) -> bool:
    """`1 500 000` or Indian `1,00,000`: first group 1-3 digits, then 2-3, the last 3."""
    if len(groups) == 1:
        return True
    return (1 <= len(groups[0]) <= 3 and len(groups[-1]) == 3
            and all(len(group) in (2, 3) for group in groups[1:-1]))


def _decimal_sign(separators: list[str], groups: list[str], data: LanguageData,
                  whole: bool) -> str | bool | None:
    """Which separator is the decimal sign: a character, None (there is none), or False
    when the text is not a number."""
    kinds = set(separators)
    points = kinds & {".", ",", "٫"}
    if "٫" in points:
        return "٫" if len(points) == 1 else False
    if len(points) == 2:  # 1.500,25 or 1,500.25: the last one is the decimal sign
        return separators[-1] if separators.count(separators[-1]) == 1 else False
    if not points:
        return None
    point = points.pop()
    if separators.count(point) > 1 or separators[-1] != point:
        return None  # 1.000.000: grouping
    if len(groups[-1]) != 3 or kinds & _GROUP_ONLY:
        return point  # 3,5 / 1 000,50
    if whole or groups[-1] == "000":
        return None  # a count: 1,500 people is fifteen hundred; nobody writes 100,000 for 100
    return point if point == data.decimal else None


def parse_number(text: str, data: LanguageData, *, whole: bool = False) -> int | float | None:
    """The number in `text`, or None. `whole`: a count, read for grouping; a fraction of a
    count (`3,5`) is returned as a float for the caller to refuse precisely."""
    match = _NUMBER.fullmatch(ascii_digits(text).strip())
    if match is None or not _is_unit(match["prefix"]) or not _is_unit(match["suffix"]):
        return None
    body = match["body"]
    separators = _SEPARATOR.findall(body)
    groups = _SEPARATOR.split(body)
    fraction = ""
    if separators:
        if "" in groups:  # two separators in a row: `1,,5`, `1 . 5`
            return None
        sign = _decimal_sign(separators, groups, data, whole)
        if sign is False:
            return None
        if sign:
            fraction = groups.pop()
            separators.pop()
        if len(set(separators) - {" ", "\u00a0", "\u202f", "\u2009"}) > 1 or (
            len({" " if s.isspace() else s for s in separators}) > 1
        ):
            return None  # grouping with two different signs
        if not _grouped(groups):
            return None
    digits = "".join(groups)
    if len(digits) + len(fraction) > MAX_DIGITS:
        return None
    negative = match["sign"] == "-"
    if fraction.strip("0"):
        value = float(f"{digits}.{fraction}")
        return -value if negative else value
    number = int(digits)
    return -number if negative else number
