"""Reading dates as people write them: `05.03.2026`, `5.3.26`, `٠٥.٠٣.٢٠٢٦`, `2026年3月5日`,
`5 марта 2026 года`, `5 آذار 2026`, `5 mars 2026`, `2026-03-05`.

The text is cut into numbers and words. A month name (any form CLDR knows in the person's or
the flow's languages, `locales`) gives the month; the signs CLDR writes after a year, a month or
a day (`г`, `ж`, `年`, `月`, `日`) say which number is which. Otherwise a four-digit first number
is a year (ISO, Chinese), and the order of day and month is the language's own (CLDR's short
pattern: day first in Russian, month first in Filipino). A two-digit year is the most recent
year that ends with those digits and is not in the future (`26` -> 2026, `85` -> 1985).
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache

from .locales import LanguageData, language, pattern_order
from .numbers import ascii_digits

_TOKEN = re.compile(r"\d+|[^\W\d_]+")
_MONTH = "\x00"  # stands for the month name found in the text
OLDEST_YEAR = 1900


@cache
def _month_names(codes: tuple[str, ...]) -> tuple[re.Pattern[str] | None, dict[str, int]]:
    names: dict[str, int] = {}
    for code in codes:  # the person's language first: its meaning wins
        for name, month in language(code).months.items():
            names.setdefault(name, month)
    if not names:
        return None, names
    alternation = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<![^\W\d_])(?:{alternation})\.?(?![^\W\d_])"), names


@cache
def _marks(codes: tuple[str, ...]) -> dict[str, str]:
    """word -> "y", "m" or "d": the signs written after a year, month or day number."""
    marks: dict[str, str] = {}
    for code in codes:
        data = language(code)
        for field, words in (("y", data.year_marks), ("m", data.month_marks),
                             ("d", data.day_marks)):
            for word in words:
                marks.setdefault(word, field)
    return marks


def _mark(word: str, marks: dict[str, str]) -> str | None:
    """`г`, `года`, `ж.`, `жылы` -> "y": a mark, or a word that starts with one (its
    inflections); None for any other word."""
    found = marks.get(word)
    if found is None:
        for mark, field in marks.items():
            if word.startswith(mark):
                return field
    return found


def _year(digits: str, today: date) -> int | None:
    if len(digits) == 4:
        year = int(digits)
    elif len(digits) == 2:
        year = 2000 + int(digits)
        if year > today.year:
            year -= 100
    else:
        return None
    return year if year >= OLDEST_YEAR else None


def _tokens(text: str, codes: tuple[str, ...]) -> tuple[list[str], int | None] | None:
    """The numbers and words of `text`, the month name replaced by _MONTH, and its number."""
    pattern, names = _month_names(codes)
    month = None
    if pattern is not None:
        found = pattern.findall(text)
        if len(found) > 1:
            return None  # two month names: not one date
        if found:
            month = names[found[0].rstrip(".")]
            text = pattern.sub(f" {_MONTH} ", text)
    tokens = _TOKEN.findall(text)
    if month is not None:
        tokens = []
        for part in re.split(f"({_MONTH})", text):
            tokens.extend([part] if part == _MONTH else _TOKEN.findall(part))
    return tokens, month


def parse_date(text: str, codes: tuple[str, ...], today: date) -> date | None:
    """The date `text` stands for, read in the languages `codes` (the person's first)."""
    text = " ".join(ascii_digits(text).casefold().split())
    found = _tokens(text, codes)
    if found is None:
        return None
    tokens, month = found
    marks = _marks(codes)
    numbers: list[tuple[str, str | None]] = []
    for index, token in enumerate(tokens):
        if token.isdigit():
            following = tokens[index + 1] if index + 1 < len(tokens) else ""
            mark = _mark(following, marks) if following and not following.isdigit() else None
            numbers.append((token, mark))
        elif token != _MONTH and month is None and _mark(token, marks) is None:
            return None  # a word that is no month and no mark: not a date ("abc", "soon")
    data = language(codes[0]) if codes else language("")
    fields = _fields(numbers, month, data)
    if fields is None:
        return None
    year_digits, month_digits, day_digits = fields
    year = _year(year_digits, today)
    if year is None or len(month_digits) > 2 or len(day_digits) > 2:
        return None
    try:
        return date(year, int(month_digits), int(day_digits))
    except ValueError:
        return None


def _fields(numbers: list[tuple[str, str | None]], month: int | None,
            data: LanguageData) -> tuple[str, str, str] | None:
    """(year, month, day) digits, from the marks, the shapes, then the language's order."""
    marked = {mark: digits for digits, mark in numbers if mark}
    if month is not None:
        if len(numbers) != 2:
            return None
        (first, first_mark), (second, second_mark) = numbers
        if first_mark == "y" or second_mark == "d" or len(first) == 4 or (
            len(second) <= 2 and len(first) <= 2
            and pattern_order(data.patterns[1] if data.patterns else "d M y")[0] == "y"
        ):
            return first, str(month), second
        return second, str(month), first
    if len(numbers) != 3:
        return None
    if len(marked) == 3:
        return marked["y"], marked["m"], marked["d"]
    first, middle, last = (digits for digits, _mark in numbers)
    if len(first) == 4:
        return first, middle, last  # 2026-03-05, 2026/3/5
    if len(last) <= 2 and data.order.startswith("y"):
        return first, middle, last  # 26/3/5 in a year-first language
    if data.order == "mdy":
        return last, first, middle
    return last, middle, first
