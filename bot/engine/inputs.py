"""Validation of typed answers: what a person may type for each input kind.

Yes/no words are data about languages, kept here so that the console, the tests and the bot
accept exactly the same answers.
"""

from __future__ import annotations

import re
from datetime import date

from .dates import parse_date
from .locales import GENERIC, language
from .model import NUMERIC_INPUTS
from .numbers import ascii_digits, parse_number

MAX_TEXT_ANSWER = 1000

YES_NO_WORDS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "en": (frozenset({"yes", "y"}), frozenset({"no", "n"})),
    "fr": (frozenset({"oui", "o"}), frozenset({"non"})),
    "ru": (frozenset({"да", "д"}), frozenset({"нет", "н"})),
    "kk": (frozenset({"иә", "ия", "иа"}), frozenset({"жоқ", "жок"})),
    "ky": (frozenset({"ооба", "ооба."}), frozenset({"жок", "жоқ"})),
    "ar": (frozenset({"نعم", "اي", "أيوه", "ايوه"}), frozenset({"لا", "كلا"})),
    "zh_Hans": (frozenset({"是", "是的", "对", "有"}), frozenset({"否", "不", "不是", "没有"})),
    "wo": (frozenset({"waaw", "wàaw", "waaw waaw"}), frozenset({"déedéet", "deedeet", "dédéet"})),
    "am": (frozenset({"አዎ", "አዎን", "እሺ"}), frozenset({"አይ", "አይደለም", "የለም"})),
    "bn": (frozenset({"হ্যাঁ", "হ্যা", "হাঁ", "জি"}), frozenset({"না"})),
    "ne": (frozenset({"हो", "हजुर", "छ"}), frozenset({"होइन", "छैन", "हैन"})),
    "si": (frozenset({"ඔව්", "ඔව්."}), frozenset({"නැහැ", "නෑ", "නැත"})),
    "fil": (frozenset({"oo", "opo", "oho", "oo po"}), frozenset({"hindi", "hinde", "hindi po"})),
    "uz": (frozenset({"ha", "xa", "ҳа", "ha'"}),
           frozenset({"yo‘q", "yo'q", "yoq", "йўқ", "yoʻq", "yo’q", "yo`q"})),
    # Uzbek in Cyrillic; the Latin spellings too, people switch scripts when typing.
    "uz_Cyrl": (frozenset({"ҳа", "ха", "ha", "xa"}),
                frozenset({"йўқ", "йук", "йуқ", "yoʻq", "yo'q", "yo‘q", "yoq"})),
    "ff": (frozenset({"eey", "ey", "eeyi", "eyyo"}), frozenset({"alaa", "ala", "alla"})),
    "tg": (frozenset({"ҳа", "ха", "бале", "ha"}), frozenset({"не", "нест", "ne"})),
}

PHONE = re.compile(r"^\+?[0-9][0-9 ()\-.]{4,24}$")
REASONS = ("empty", "too-long", "not-number", "not-integer", "out-of-range", "not-date",
           "future", "not-phone", "not-yesno")


class InvalidAnswer(ValueError):
    """The answer does not fit; `reason` says why, so the hint can say what was wrong."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_yes_no(text: str, languages: tuple[str, ...]) -> bool | None:
    word = text.strip().lower().rstrip("!.")
    for lang in (*languages, "en"):
        yes, no = YES_NO_WORDS.get(lang, (frozenset(), frozenset()))
        if word in yes:
            return True
        if word in no:
            return False
    return None


def _number(kind: str, text: str, languages: tuple[str, ...], minimum: float | None,
            maximum: float | None) -> int | float:
    data = language(languages[0]) if languages else GENERIC
    number = parse_number(text, data, whole=kind == "integer")
    if number is None:
        raise InvalidAnswer("not-number")
    if kind == "integer" and not isinstance(number, int):
        raise InvalidAnswer("not-integer")
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise InvalidAnswer("out-of-range")
    return number


def parse_answer(
    kind: str,
    text: str,
    *,
    languages: tuple[str, ...],
    today: date,
    minimum: float | None = None,
    maximum: float | None = None,
) -> str | int | float | bool:
    """Turn typed text into a stored value (JSON-serialisable) or raise InvalidAnswer.

    `languages`: the person's language first, then the flow's; numbers and the order of day
    and month follow the first, month names and yes/no words are read in all of them.
    """
    text = text.strip()
    if not text:
        raise InvalidAnswer("empty")
    if kind == "text":
        if len(text) > MAX_TEXT_ANSWER:
            raise InvalidAnswer("too-long")
        return text
    if kind in NUMERIC_INPUTS:
        return _number(kind, text, languages, minimum, maximum)
    if kind == "date":
        day = parse_date(text, languages, today)
        if day is None:
            raise InvalidAnswer("not-date")
        if day > today:
            raise InvalidAnswer("future")
        return day.isoformat()
    if kind == "phone":
        text = ascii_digits(text)
        digits = re.sub(r"\D", "", text)
        if not PHONE.match(text) or not 6 <= len(digits) <= 15:
            raise InvalidAnswer("not-phone")
        return ("+" if text.startswith("+") else "") + digits
    if kind == "yesno":
        answer = parse_yes_no(text, languages)
        if answer is None:
            raise InvalidAnswer("not-yesno")
        return answer
    raise InvalidAnswer(f"unknown input kind {kind}")
