"""Dates typed by people are stored as YYYY-MM-DD text; flows compare them with date literals.

docs/flows.md promises this (the Lebanon flow's 2011-2019 late-registration window relies on it).
"""

from datetime import date

from bot.engine.expressions import compile_expression
from bot.engine.inputs import parse_answer

WINDOW = compile_expression('birth_date >= "2011-01-01" and birth_date <= "2019-02-08"')


def stored(typed: str) -> str:
    value = parse_answer("date", typed, languages=("ar",), today=date(2026, 11, 20))
    assert isinstance(value, str)
    return value


def test_typed_dates_are_stored_as_iso_text() -> None:
    assert stored("15.03.2015") == "2015-03-15"
    assert stored("15/03/2015") == "2015-03-15"
    assert stored("2015-03-15") == "2015-03-15"


def test_iso_text_compares_with_date_literals() -> None:
    today = date(2026, 11, 20)
    assert WINDOW.is_true({"birth_date": stored("15.03.2015")}, today)
    assert WINDOW.is_true({"birth_date": stored("08.02.2019")}, today)
    assert not WINDOW.is_true({"birth_date": stored("09.02.2019")}, today)
    assert not WINDOW.is_true({"birth_date": stored("31.12.2010")}, today)
