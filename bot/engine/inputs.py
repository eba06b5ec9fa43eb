"""Validation of typed answers: what a person may type for each input kind.

Yes/no words are data about languages, kept here so that the console, the tests and the bot
accept exactly the same answers.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime

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
}

DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%d-%m-%Y")
PHONE = re.compile(r"^\+?[0-9][0-9 \-]{4,20}$")
NUMBER = re.compile(r"^[+-]?\d+([.,]\d+)?$")


class InvalidAnswer(ValueError):
    """The answer does not fit; the flow's retry text (or the UI default) is shown."""


def parse_yes_no(text: str, languages: tuple[str, ...]) -> bool | None:
    word = text.strip().lower().rstrip("!.")
    for lang in (*languages, "en"):
        yes, no = YES_NO_WORDS.get(lang, (frozenset(), frozenset()))
        if word in yes:
            return True
        if word in no:
            return False
    return None


def parse_answer(
    kind: str,
    text: str,
    *,
    languages: tuple[str, ...],
    today: date,
    minimum: float | None = None,
    maximum: float | None = None,
) -> str | int | float | bool:
    """Turn typed text into a stored value (JSON-serialisable) or raise InvalidAnswer."""
    text = text.strip()
    if not text:
        raise InvalidAnswer("empty")
    if kind == "text":
        if len(text) > MAX_TEXT_ANSWER:
            raise InvalidAnswer("too long")
        return text
    if kind == "number":
        if not NUMBER.match(text):
            raise InvalidAnswer("not a number")
        number = float(text.replace(",", "."))
        if not math.isfinite(number):  # hundreds of digits: `inf` is no answer, nor valid JSON
            raise InvalidAnswer("not a number")
        if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
            raise InvalidAnswer("out of range")
        return int(number) if number.is_integer() else number
    if kind == "date":
        for fmt in DATE_FORMATS:
            try:
                day = datetime.strptime(text, fmt).date()
            except ValueError:
                continue
            if day > today:
                raise InvalidAnswer("in the future")
            return day.isoformat()
        raise InvalidAnswer("not a date")
    if kind == "phone":
        digits = re.sub(r"\D", "", text)
        if not PHONE.match(text) or not 6 <= len(digits) <= 15:
            raise InvalidAnswer("not a phone number")
        return ("+" if text.startswith("+") else "") + digits
    if kind == "yesno":
        answer = parse_yes_no(text, languages)
        if answer is None:
            raise InvalidAnswer("not yes or no")
        return answer
    raise InvalidAnswer(f"unknown input kind {kind}")
