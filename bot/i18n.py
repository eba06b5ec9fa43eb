"""UI strings and locale data: gettext catalogues compiled at start, names and dates from CLDR.

Catalogues are read from `locales/<lang>/LC_MESSAGES/messages.po` and compiled in memory
when first used, so a stale `.mo` can never be served. Flow texts are translated inside the
flow files; only the bot's own words live here.
"""

from __future__ import annotations

import gettext
import io
import unicodedata
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

LANGUAGES = ("en", "fr", "ru", "ar", "zh_Hans", "kk", "ky", "wo",
             "am", "bn", "ne", "si", "fil", "uz", "uz_Cyrl", "ff", "tg")
DEFAULT_LANGUAGE = "en"
RTL_LANGUAGES = frozenset(lang for lang in LANGUAGES
                          if Locale.parse(lang).character_order == "right-to-left")
# Telegram's language_code values that name one of our languages by another code.
LANGUAGE_ALIASES = {"tl": "fil"}  # Tagalog: Filipino is its standard form (commands.py too)
# Where the people of a language were schooled in another script than the one Babel gives
# the bare code, that script is offered first in that country (the person can switch back):
# Uzbeks in southern Kyrgyzstan learned Uzbek in Cyrillic (content-review-2, G6).
REGIONAL_LANGUAGES = {("uz", "KG"): "uz_Cyrl"}
LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"


@cache
def translator(lang: str) -> gettext.NullTranslations:
    """The compiled catalogue for `lang` (English, the source language, needs none)."""
    path = LOCALES_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if lang == DEFAULT_LANGUAGE or not path.is_file():
        return gettext.NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def gettext_for(lang: str):
    return translator(lang).gettext


def N_(message: str) -> str:
    """Mark a string for extraction (Babel knows `N_`); it is translated later, in the reader's
    language, which may not be the language of the person who caused it."""
    return message


@cache
def babel_locale(lang: str) -> Locale:
    try:
        return Locale.parse(lang)
    except (ValueError, UnknownLocaleError):
        return Locale.parse(DEFAULT_LANGUAGE)


def language_name(lang: str) -> str:
    """The language's own name for itself, from CLDR (e.g. "қазақ тілі", "Wolof")."""
    name = babel_locale(lang).get_display_name(babel_locale(lang)) or lang
    return name[:1].upper() + name[1:]


def sort_key(title: str) -> str:
    """Alphabetical as people expect it: "École" beside "Ecole", not after "Zèbre"."""
    decomposed = unicodedata.normalize("NFKD", title.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def territory_name(code: str, lang: str) -> str:
    return babel_locale(lang).territories.get(code, code)


def match_language(telegram_code: str | None, offered: tuple[str, ...] = LANGUAGES) -> str | None:
    """Map Telegram's `language_code` (an IETF tag like "ru", "zh-hans", "pt-br") to ours."""
    if not telegram_code:
        return None
    tag = telegram_code.replace("_", "-").lower()
    primary = tag.split("-")[0]
    primary = LANGUAGE_ALIASES.get(primary, primary)
    if primary == "zh":
        traditional = any(part in tag.split("-") for part in ("hant", "tw", "hk", "mo"))
        return None if traditional or "zh_Hans" not in offered else "zh_Hans"
    for lang in offered:
        if lang.lower() == primary:
            return lang
    return None


def regional_language(lang: str | None, country: str | None) -> str | None:
    """The language to offer first to a `lang` speaker in `country`, when it is not `lang`."""
    return REGIONAL_LANGUAGES.get((lang or "", country or ""))


def same_language(first: str, second: str) -> bool:
    """Two codes of one language in different scripts (`uz`, `uz_Cyrl`)."""
    return first.split("_")[0] == second.split("_")[0]


def format_day(value: date | str, lang: str) -> str:
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return format_date(day, format="long", locale=babel_locale(lang))


def format_number(value: float, lang: str) -> str:
    return format_decimal(value, locale=babel_locale(lang))


def format_answer(value: Any, kind: str, lang: str) -> str:
    """Show a stored answer the way the person's locale writes it (the engine's formatter)."""
    _ = gettext_for(lang)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if kind == "date" and isinstance(value, str):
        try:
            return format_day(value, lang)
        except ValueError:
            return value
    if isinstance(value, int | float):
        return format_number(value, lang)
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)
