"""Typed answers as people in each shipped language write them (issue 9, items 1-3).

Every string here is one a person could type on their phone; `languages` is what the runner
passes: the person's language first, then the flow's.
"""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.engine.inputs import InvalidAnswer, parse_answer
from bot.engine.locales import language, pattern_order

TODAY = date(2026, 6, 1)


def answer(kind: str, typed: str, *languages: str, **limits: float) -> object:
    return parse_answer(kind, typed, languages=languages, today=TODAY, **limits)


def reason(kind: str, typed: str, *languages: str, **limits: float) -> str:
    with pytest.raises(InvalidAnswer) as caught:
        answer(kind, typed, *languages, **limits)
    return caught.value.reason


# -- 1. digits in every script -------------------------------------------------------------
@pytest.mark.parametrize(("typed", "langs"), [
    ("٠٥.٠٣.٢٠٢٦", ("ar", "en")),          # Arabic-Indic
    ("۰۵.۰۳.۲۰۲۶", ("ar",)),               # Extended Arabic-Indic (Persian, Urdu keyboards)
    ("２０２６年３月５日", ("zh_Hans",)),     # full-width
    ("०५.०३.२०२६", ("ne",)),               # Devanagari
    ("০৫/০৩/২০২৬", ("bn",)),               # Bengali
    ("\u200f٠٥\u200f/٠٣\u200f/٢٠٢٦", ("ar",)),  # with the right-to-left marks phones insert
])
def test_dates_in_every_script(typed: str, langs: tuple[str, ...]) -> None:
    assert answer("date", typed, *langs) == "2026-03-05"


@pytest.mark.parametrize(("typed", "stored"), [
    ("+٩٦١ ٣ ١٢٣ ٤٥٦", "+9613123456"), ("０７０１ １２３ ４５６７", "07011234567"),
    ("+७७ ७०१ १२३ ४५६७", "+777011234567"),
])
def test_phone_numbers_in_every_script(typed: str, stored: str) -> None:
    assert answer("phone", typed, "ar") == stored


@pytest.mark.parametrize(("typed", "lang", "value"), [
    ("١٥٠٬٠٠٠", "ar", 150000), ("٣٫٥", "ar", 3.5), ("४", "ne", 4), ("৩", "bn", 3),
    ("５０００元", "zh_Hans", 5000),
])
def test_numbers_in_every_script(typed: str, lang: str, value: float) -> None:
    assert answer("number", typed, lang) == value


# -- 2. dates as people write them ----------------------------------------------------------
@pytest.mark.parametrize(("typed", "langs"), [
    ("2026年3月5日", ("zh_Hans",)), ("2026-03-05", ("zh_Hans",)), ("2026/3/5", ("zh_Hans",)),
    ("5 марта 2026", ("ru", "kk")), ("5 марта 2026 года", ("ru",)), ("05.03.2026 г.", ("ru",)),
    ("5 март 2026", ("ru",)), ("5 мар. 2026", ("ru",)),
    ("5 آذار 2026", ("ar",)), ("5 مارس 2026", ("ar",)), ("٥ آذار ٢٠٢٦", ("ar",)),
    ("5 mars 2026", ("fr", "wo")), ("05/03/2026", ("fr",)), ("5-3-2026", ("wo", "fr")),
    ("5 mars 2026", ("wo",)), ("5 Mar 2026", ("wo",)),
    ("5 наурыз 2026", ("kk", "ru")), ("2026 ж. 5 наурыз", ("kk",)),
    ("5-март 2026", ("ky", "ru")), ("2026-ж., 5-март", ("ky",)),
    ("5.3.26", ("ru",)), ("05.03.26", ("kk",)), ("2026-03-05", ("fr",)),
    ("5 March 2026", ("en",)), ("05/03/2026", ("en",)),  # world English: day first
    ("03/05/2026", ("fil",)),  # Filipino writes the month first (CLDR M/d/yy)
])
def test_dates_as_people_write_them(typed: str, langs: tuple[str, ...]) -> None:
    assert answer("date", typed, *langs) == "2026-03-05"


def test_levantine_and_standard_month_names_for_every_month() -> None:
    levantine = ["كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب",
                 "أيلول", "تشرين الأول", "تشرين الثاني", "كانون الأول"]
    standard = ["يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر",
                "أكتوبر", "نوفمبر", "ديسمبر"]
    for month, (name, other) in enumerate(zip(levantine, standard, strict=True), start=1):
        assert answer("date", f"1 {name} 2025", "ar") == f"2025-{month:02}-01"
        assert answer("date", f"1 {other} 2025", "ar") == f"2025-{month:02}-01"


@pytest.mark.parametrize(("lang", "names"), [
    ("kk", ["қаңтар", "ақпан", "наурыз", "сәуір", "мамыр", "маусым", "шілде", "тамыз",
            "қыркүйек", "қазан", "қараша", "желтоқсан"]),
    ("ky", ["январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август",
            "сентябрь", "октябрь", "ноябрь", "декабрь"]),
])
def test_kazakh_and_kyrgyz_month_names(lang: str, names: list[str]) -> None:
    for month, name in enumerate(names, start=1):
        assert answer("date", f"2 {name} 2025", lang) == f"2025-{month:02}-02"


def test_ambiguous_day_and_month_follow_the_language() -> None:
    assert answer("date", "04/05/2026", "fr") == "2026-05-04"
    assert answer("date", "04/05/2026", "fil") == "2026-04-05"
    assert answer("date", "26/5/4", "zh_Hans") == "2026-05-04"  # year first in Chinese


def test_two_digit_years_are_never_in_the_future() -> None:
    assert answer("date", "5.3.85", "ru") == "1985-03-05"
    assert answer("date", "5.3.26", "ru") == "2026-03-05"
    assert reason("date", "5.7.26", "ru") == "future"


@pytest.mark.parametrize("typed", ["abc", "5 марта", "31.02.2026", "5.3", "5 mars avril 2026",
                                   "завтра", "05.03.1850"])
def test_what_is_not_a_date_says_so(typed: str) -> None:
    assert reason("date", typed, "ru", "fr") == "not-date"


def test_a_date_in_the_future_says_so() -> None:
    assert reason("date", "02.06.2026", "ru") == "future"


# -- 3. numbers as people write them -----------------------------------------------------------
@pytest.mark.parametrize(("typed", "lang", "value"), [
    ("100 000", "ru", 100000), ("100\u00a0000", "kk", 100000), ("100\u202f000", "fr", 100000),
    ("100,000", "en", 100000), ("100,000", "zh_Hans", 100000), ("100,000", "ru", 100000),
    ("1 500", "ky", 1500), ("150 000 тг", "kk", 150000), ("150 000 тг.", "ru", 150000),
    ("1 500 сом", "ky", 1500), ("5000元", "zh_Hans", 5000), ("2 ans", "fr", 2),
    ("3,5", "ru", 3.5), ("3,5", "fr", 3.5), ("3.5", "ru", 3.5), ("1.500", "ru", 1500),
    ("1,5", "en", 1.5), ("1.500,50", "fr", 1500.5), ("1,500.50", "en", 1500.5),
    ("$100", "en", 100), ("25 000 FCFA", "fr", 25000), ("1,00,000", "bn", 100000),
    ("1 500 000 ₸", "kk", 1500000), ("٢٠٠ دولار", "ar", 200), ("−5", "ru", -5),
    ("50%", "fr", 50), ("٥٠٪", "ar", 50),
])
def test_numbers_as_people_write_them(typed: str, lang: str, value: float) -> None:
    assert answer("number", typed, lang) == value


def test_the_language_decides_an_ambiguous_separator() -> None:
    assert answer("number", "1,500", "en") == 1500  # English groups with a comma
    assert answer("number", "1,500", "ru") == 1.5  # Russian writes decimals with it
    assert answer("integer", "1,500", "ru") == 1500  # but a count has no decimals


@pytest.mark.parametrize("typed", ["abc", "1e3", "3.", "4 2", "5 or 6", "1,,5", "12 34",
                                   "1" * 400, "2+2", "3-4"])
def test_what_is_not_a_number_says_so(typed: str) -> None:
    assert reason("number", typed, "en") == "not-number"


def test_integer_for_counts() -> None:
    assert answer("integer", "4", "ru") == 4
    assert answer("integer", "1 500", "ky") == 1500
    assert answer("integer", "3 человека", "ru") == 3
    assert reason("integer", "3,5", "ru") == "not-integer"
    assert reason("integer", "3.5", "fr") == "not-integer"
    assert reason("integer", "abc", "fr") == "not-number"


def test_out_of_range_is_told_as_such() -> None:
    assert reason("integer", "31", "ru", minimum=1, maximum=30) == "out-of-range"
    assert reason("number", "0", "fr", minimum=1, maximum=30) == "out-of-range"
    assert answer("integer", "30", "ru", minimum=1, maximum=30) == 30


# -- the CLDR data behind it -------------------------------------------------------------------
def test_orders_come_from_cldr_patterns() -> None:
    assert pattern_order("dd.MM.y") == "dmy"
    assert pattern_order("M/d/yy") == "mdy"
    assert pattern_order("y年M月d日") == "ymd"
    assert language("ru").order == "dmy" and language("zh_Hans").order == "ymd"
    assert language("fil").order == "mdy"
    assert language("zh_Hans").year_marks == ("年",)
    assert language("ru").year_marks == ("г",) and language("kk").year_marks == ("ж",)
    assert language("ar_LB").months["آذار"] == 3  # a regional code uses its language's data


# -- any Unicode decimal digit -----------------------------------------------------------------
ZEROS = [chr(code) for code in range(0x110000)
         if unicodedata.category(chr(code)) == "Nd" and unicodedata.decimal(chr(code)) == 0]


def test_every_script_with_decimal_digits_is_covered() -> None:
    assert len(ZEROS) > 60  # Arabic-Indic, Devanagari, Bengali, Thai, Myanmar, full-width…


@settings(max_examples=300, deadline=None)
@given(number=st.integers(min_value=0, max_value=10**12), zero=st.sampled_from(ZEROS))
def test_a_count_in_any_script_is_read(number: int, zero: str) -> None:
    typed = "".join(chr(ord(zero) + int(digit)) for digit in str(number))
    assert answer("integer", typed, "en") == number
