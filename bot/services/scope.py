"""A volunteer's scope: the countries and languages they cover, as admins type them.

The command line (`volunteer add`) and Telegram (`/invite`) read the same text the same way.
"""

from __future__ import annotations

import re

from bot.i18n import LANGUAGES

COUNTRY = re.compile(r"^[A-Z]{2}$")


class ScopeError(ValueError):
    """Countries or languages that cannot be used; the message is one line to act on."""


def _codes(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))


def parse_countries(text: str) -> tuple[str, ...]:
    """'KZ,KG' -> ('KZ', 'KG'): ISO 3166-1 alpha-2 codes, upper case, no duplicates."""
    codes = _codes(text)
    bad = [code for code in codes if not COUNTRY.match(code)]
    if not codes or bad:
        raise ScopeError(f"countries must be 2 capital letters separated by commas (e.g. KZ,KG), "
                         f"not {', '.join(bad) or repr(text)}")
    return codes


def parse_languages(text: str) -> tuple[str, ...]:
    """'ru,kk' -> ('ru', 'kk'): only languages the bot speaks (bot.i18n.LANGUAGES)."""
    codes = _codes(text)
    bad = [code for code in codes if code not in LANGUAGES]
    if not codes or bad:
        raise ScopeError(f"unknown language {', '.join(bad) or repr(text)}; "
                         f"use {', '.join(LANGUAGES)}")
    return codes
