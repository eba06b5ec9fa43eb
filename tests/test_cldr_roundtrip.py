"""Every date and number Babel writes in a language's CLDR formats is read back by the engine.

The engine reads typed answers without Babel (bot/engine/cldr.json); this checks that what
CLDR says people write (short, medium and long dates with month names and year signs, grouped
numbers with the language's decimal sign) is understood, for every language of the table.
"""

from __future__ import annotations

from datetime import date

import pytest
from babel.dates import format_date
from babel.numbers import format_decimal

from bot.cldr_export import LANGUAGES, REPRESENTATIVE
from bot.engine.inputs import parse_answer

TODAY = date(2026, 6, 1)
DAYS = [date(2026, 3, 5), date(1999, 12, 31), date(2011, 1, 1), date(2026, 5, 31)]
NUMBERS = [1500, 150000, 3.5, 1234567.25]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_dates_in_every_cldr_format_are_read_back(lang: str) -> None:
    locale = REPRESENTATIVE.get(lang, lang)
    for day in DAYS:
        for width in ("short", "medium", "long"):
            written = format_date(day, width, locale=locale)
            assert parse_answer("date", written, languages=(lang,), today=TODAY) == (
                day.isoformat()), (width, written)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_numbers_as_cldr_writes_them_are_read_back(lang: str) -> None:
    locale = REPRESENTATIVE.get(lang, lang)
    for number in NUMBERS:
        written = format_decimal(number, locale=locale)
        assert parse_answer("number", written, languages=(lang,), today=TODAY) == number, written
