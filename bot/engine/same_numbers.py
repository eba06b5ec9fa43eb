"""Every language says the same numbers: the `numbers-differ` warning.

A translation that says 15 000 where the original says 150 000, "within 3 days" where the
others say 5, or drops a phone number, misleads exactly the people who cannot compare it with
another language. So every translated text is compared with the flow's first language: the
multiset of numbers written in each must be the same.

Numbers are compared by value, written however the language writes them: digits of any script
(`١٥٠`, `１５٠`, `१५०`), grouping (`150 000`, `150,000`, `150.000`, `150'000`), a decimal
comma or point (`3,5` = `3.5`), leading zeros (`05` = `5`). A date is compared by its day and
its year, in whatever order and form it is written (`05.03.2026`, `05/03/2026`, `2026-03-05`,
`2026年3月5日`, `3/5/2026` in a month-first language, `5 марта 2026`, `2026-жылдын
5-марты`): its month is not compared, because many languages write it as a word. A time is
compared by its hour and minutes: `9:00`, `9h` and `9 AM` are 9; `18:30`, `18h30` and
`6:30 PM` are 18:30. A phone number is one number whatever its spacing (`+961 1 234 567`,
`+9611234567`, `04 726111`, `04726111`). What is not written for people is skipped: the
answer names of `{placeholders}` (`{name_2}`) and web addresses. A small number written as a
word where a language writes it so ("moins d'un an", "شهر واحد", "一个月", `number_words`)
counts as that number when another language has it in digits; larger numbers are digits.

The work is one regular-expression pass per text, and only texts with a digit in some
language are read at all: the check adds little to loading 1,000 flows (benchmarks/engine.py).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from .fields import Reporter
from .locales import language
from .located import Pos
from .model import Text
from .number_words import word_numbers
from .numbers import ascii_digits

# A text with a digit read from a file, with where it came from: (text, the YAML marks of its
# languages' keys, its key, the id of the step or item holding it, if any).
Translated = tuple[Text, dict[str, Any], str, str | None]

_ANY_DIGIT = re.compile(r"\d")  # any script's decimal digits (Python's \d is Unicode)
_SKIPPED = re.compile(r"https?://\S+|www\.\S+|\{\{|\}\}|\{[A-Za-z_][A-Za-z0-9_]*\}")
_GROUP = r"[ \u00a0\u202f\u2009,.'’٬]"
_TOKEN = re.compile(
    r"(?P<phone>\+\s?\d(?:[\s\-.()]{0,2}\d){5,})"
    r"|(?:(?P<cy>\d{4})\s?年\s?)?(?P<cm>\d{1,2})\s?月(?:\s?(?P<cd>\d{1,2})\s?日)?"
    r"|(?<![\d.,/\-])(?P<d1>\d{1,4})(?P<ds>[./\-])(?P<d2>\d{1,2})(?P=ds)(?P<d3>\d{2,4})"
    r"(?![\d]|[./\-]\d)"
    r"|(?<![\d.,/\-])(?P<mm>\d{1,2})[./](?P<my>\d{4})(?![\d]|[./\-]\d)"
    r"|(?<![\d.,:])(?P<th>\d{1,2})(?:\s?(?::|h(?=\s?\d{2}(?!\d)))\s?(?P<tm>\d{2}))?"
    r"\s?(?P<ampm>[aApP])\.?\s?[mM]\.?(?![^\W\d_])"
    r"|(?<![\d.,:])(?P<hh>\d{1,2})\s?(?::|h(?=\s?\d{2}(?!\d)))\s?(?P<hm>\d{2})(?![\d:])"
    r"|(?<![\d.,])(?P<tel>0\d{1,3}(?:[ \-]\d{2,}){1,4})(?![\d.,]\d)"
    rf"|(?<!\d)(?P<int>[1-9]\d{{0,2}}(?P<g>{_GROUP})\d{{3}}(?!\d)(?:(?P=g)\d{{3}}(?!\d))*"
    r"|\d+)(?:[.,٫](?P<frac>\d+))?"
)


def _date(year: str, month: str, day: str | None) -> list[str] | None:
    """The numbers a date is compared by: its day and its year (a month is a word in many
    languages, `5 марта`, `mai 2024`, so it is not compared); None when it is no date."""
    y, m = int(year), int(month)
    if len(year) == 2:
        y += 2000
    elif len(year) != 4:
        return None
    if not 1 <= m <= 12 or (day is not None and not 1 <= int(day) <= 31):
        return None
    return [str(y)] if day is None else [str(int(day)), str(y)]


def _time(hour: int, minute: int) -> list[str] | None:
    """`9:00` is the number 9 (as `9h` and `9 AM`), `18:30` is `18:30`."""
    if hour > 24 or minute > 59:
        return None
    return [str(hour) if minute == 0 else f"{hour}:{minute:02d}"]


def _number(match: re.Match[str]) -> str:
    digits = match["int"]
    if not digits.isdigit():
        digits = _NOT_DIGIT.sub("", digits)
    if digits[0] == "0" and len(digits) >= 6 and not match["frac"]:
        return digits  # a phone number written without spaces: `04726111`
    whole = str(int(digits))
    fraction = match["frac"]
    if fraction:
        fraction = fraction.rstrip("0")
        return f"{whole}.{fraction}" if fraction else whole
    return whole


_NOT_DIGIT = re.compile(r"\D")
_CACHE_SIZE = 8192  # distinct texts remembered between calls and reloads; a bound
_cache: dict[tuple[str, str], tuple[str, ...]] = {}


def numbers_in(text: str, order: str = "dmy") -> tuple[str, ...]:
    """The numbers `text` says, each as one normalised token, sorted; `order` ("dmy", "mdy"
    or "ymd", the language's CLDR order) says which is the day in a numeric date whose year
    is last."""
    key = (text, order)
    found = _cache.get(key)
    if found is None:
        found = tuple(sorted(_read(text, order)))
        if len(_cache) >= _CACHE_SIZE:
            _cache.clear()
        _cache[key] = found
    return found


def _read(text: str, order: str) -> list[str]:
    found: list[str] = []
    if _ANY_DIGIT.search(text) is None:
        return found
    if "{" in text or "}" in text or "://" in text or "www." in text:
        text = _SKIPPED.sub(" ", text)
    text = ascii_digits(text)
    for match in _TOKEN.finditer(text):
        if match["int"] is not None:  # the common case first
            found.append(_number(match))
            continue
        tokens = _tokens(match, order)
        if tokens is None:  # shaped like a date or time but is none: its numbers one by one
            found.extend(str(int(n)) for n in re.findall(r"\d+", match.group(0)))
        else:
            found.extend(tokens)
    return found


def _tokens(match: re.Match[str], order: str) -> list[str] | None:
    """The numbers one match says, or None when it is shaped like a date or a time but is
    none (then each of its numbers counts on its own)."""
    if match["phone"] is not None or match["tel"] is not None:
        phone = match["phone"] or match["tel"]
        return [("+" if phone.startswith("+") else "") + re.sub(r"\D", "", phone)]
    if match["cm"] is not None:  # 2026年3月5日, 3月5日, 2026年3月
        if match["cd"] is None:
            return _date(match["cy"], match["cm"], None) if match["cy"] else None
        day = int(match["cd"])
        if match["cy"] is None:
            return [str(day)] if 1 <= int(match["cm"]) <= 12 and 1 <= day <= 31 else None
        return _date(match["cy"], match["cm"], match["cd"])
    if match["d1"] is not None:
        first, middle, last = match["d1"], match["d2"], match["d3"]
        if len(first) == 4:
            return _date(first, middle, last)
        if len(first) > 2:
            return None
        if order == "mdy":
            return _date(last, first, middle)
        return _date(last, middle, first)
    if match["mm"] is not None:  # 03.2026: a month and a year
        return _date(match["my"], match["mm"], None)
    if match["ampm"] is not None:
        hour = int(match["th"])
        if hour > 12:
            return None
        return _time(hour % 12 + (12 if match["ampm"] in "pP" else 0), int(match["tm"] or 0))
    if match["hh"] is not None:
        return _time(int(match["hh"]), int(match["hm"]))
    return [_number(match)]


def _shown(tokens: Counter[str]) -> str:
    """`4, 18, 2026`: the numbers, smallest first (as people read a list)."""
    return ", ".join(token for token in sorted(tokens.elements(), key=_sort_key))


def _sort_key(token: str) -> tuple[int, str]:
    return (len(token), token)


def check_same_numbers(report: Reporter, translated: list[Translated],
                       languages: tuple[str, ...]) -> None:
    """Warn, at the line of each language whose numbers differ from the first language's.

    `translated` holds only the texts with a digit in some language (`TextReader` keeps
    them), so the many texts without numbers cost nothing here."""
    for text, marks, key, named in translated:
        by_lang = text.by_lang
        reference = text.fallback if text.fallback in by_lang else next(
            (lang for lang in languages if lang in by_lang), next(iter(by_lang)))
        for lang, differences in _differences(reference, tuple(by_lang.items())):
            where = f" of `{named}`" if named else ""
            mark = marks.get(lang)
            report.warning(Pos(mark.line + 1, mark.column + 1) if mark else Pos(1, 1),
                           "numbers-differ",
                           f"the `{lang}` text of `{key}`{where} does not say the same "
                           f"numbers as the `{reference}` text ({differences})",
                           "every language must give the same amounts, deadlines and phone "
                           "numbers: check the right figure in the flow's sources and write "
                           "it, in digits, in every language")


_compared: dict[tuple[str, tuple[tuple[str, str], ...]], list[tuple[str, str]]] = {}


def _differences(reference: str, texts: tuple[tuple[str, str], ...]) -> list[tuple[str, str]]:
    """(language, what differs) for each language whose numbers are not the reference's;
    remembered (bounded), as the same texts come back at every reload."""
    key = (reference, texts)
    found = _compared.get(key)
    if found is not None:
        return found
    counts = {lang: numbers_in(body, language(lang).order) for lang, body in texts}
    expected = counts[reference]
    found = []
    for lang, numbers in counts.items():
        if lang == reference or numbers == expected:
            continue
        extra = Counter(numbers) - Counter(expected)
        missing = Counter(expected) - Counter(numbers)
        bodies = dict(texts)
        if missing:  # "un an" where the reference says "1 year"
            missing -= word_numbers(bodies[lang], lang)
        if extra:  # "1 an" where the reference says "one year"
            extra -= word_numbers(bodies[reference], reference)
        if not extra and not missing:
            continue
        parts = []
        if extra:
            parts.append(f"only in {lang}: {_shown(extra)}")
        if missing:
            parts.append(f"only in {reference}: {_shown(missing)}")
        found.append((lang, "; ".join(parts)))
    if len(_compared) >= _CACHE_SIZE:
        _compared.clear()
    _compared[key] = found
    return found
