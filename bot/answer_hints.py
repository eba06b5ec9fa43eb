"""What the bot and the console say about a typed answer that does not fit, and how a
"label: value" line is punctuated: one place, so both say exactly the same.

The hint names what was wrong ("between 1 and 30", "not a date", "in the future"), with an
example in the person's language's own date format (CLDR's short pattern, four-digit year).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import cache

from babel.dates import format_date

from bot.engine import events as ev
from bot.engine.locales import language
from bot.i18n import babel_locale, format_number

EXAMPLE_DAY = date(2026, 3, 5)
# French puts a no-break space before : ; ! ? (Imprimerie nationale rules); so does Wolof
# written the French way. Other languages put none.
SPACED_PUNCTUATION = frozenset({"fr", "wo"})
NBSP = "\u00a0"


@cache
def date_example(lang: str) -> str:
    """5 March 2026 the way `lang` writes a short date, with the full year (05.03.2026).

    The pattern is the one the engine reads dates with (`bot/engine/cldr.json`), so the
    example is always understood; the engine's choice of world English (day first) included.
    """
    locale = babel_locale(lang)
    data = language(lang)
    pattern = data.patterns[0] if data.patterns else "dd.MM.y"
    if "yyyy" not in pattern:
        pattern = pattern.replace("yy", "y")
    return format_date(EXAMPLE_DAY, pattern, locale=locale).replace("\u200f", "")


def colon(label: str, lang: str) -> str:
    """`Adresse :` in French, `Address:` elsewhere: the label before a value."""
    return f"{label}{NBSP}:" if lang.split("_")[0] in SPACED_PUNCTUATION else f"{label}:"


def label_value(label: str, value: str, lang: str) -> str:
    return f"{colon(label, lang)} {value}"


def _range(_: Callable[[str], str], lang: str, low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return _("Please type a number between {low} and {high}.").format(
            low=format_number(low, lang), high=format_number(high, lang))
    if low is not None:
        return _("Please type a number of at least {low}.").format(low=format_number(low, lang))
    return _("Please type a number of at most {high}.").format(high=format_number(high, lang))


def invalid_hint(_: Callable[[str], str], kind: str, lang: str = "en", *, reason: str = "",
                 minimum: float | None = None, maximum: float | None = None) -> str:
    """What to type, saying what was wrong when `reason` (from the engine) tells it."""
    if reason == "out-of-range" and (minimum is not None or maximum is not None):
        return _range(_, lang, minimum, maximum)
    if reason == "future":
        return _("The date cannot be in the future. Please check it.")
    if reason == "not-date":
        return _("That is not a date. Please type it like {example}.").format(
            example=date_example(lang))
    if reason == "too-long":
        return _("That answer is too long: at most 1000 characters.")
    if reason == "not-integer" or kind == "integer":
        return _("Please type a whole number, for example 4.")
    return {
        "text": _("Please type your answer as a message."),
        "number": _("Please type a number, for example 3."),
        "date": _("Please type a date like {example}, not in the future.").format(
            example=date_example(lang)),
        "phone": _("Please type a phone number: digits, with + and the country code first."),
        "yesno": _("Please answer yes or no (or use the buttons)."),
        "choice": _("Please choose one of the buttons above."),
        "checklist": _("Tick what you have with the buttons, then press Done."),
    }.get(kind, _("Please answer the question above."))


# a value that does fit the format yet is refused: say so even when the flow has a retry text
_VALUE_REASONS = frozenset({"out-of-range", "future", "not-integer"})


def invalid_text(_: Callable[[str], str], event: ev.Invalid, lang: str) -> str:
    """The whole answer to an Invalid event: the precise reason, and the flow's own retry
    text (which usually shows the expected format) when it has one."""
    hint = invalid_hint(_, event.input, lang, reason=event.reason, minimum=event.minimum,
                        maximum=event.maximum)
    if not event.text:
        return hint
    return f"{hint} {event.text}" if event.reason in _VALUE_REASONS else event.text
