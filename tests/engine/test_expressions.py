"""The condition language of `branch`: parsed and compiled, never evaluated by Python."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from bot.engine.expressions import ExpressionError, compile_expression, months_between

TODAY = date(2026, 6, 15)
ANSWERS: dict[str, Any] = {
    "age": 30,
    "height": 1.75,
    "name": "Ann",
    "channel": "office",
    "married": True,
    "single": False,
    "documents": ["med_cert", "passport"],
    "born": "2026-03-20",  # dates are stored as ISO text
    "long_ago": "2000-06-16",
    "empty": "",
    "nothing": [],
}


def ev(source: str, answers: dict[str, Any] | None = None, today: date = TODAY) -> Any:
    return compile_expression(source).evaluate(ANSWERS if answers is None else answers, today)


@pytest.mark.parametrize(("source", "expected"), [
    # comparisons, including chained ones
    ("age == 30", True), ("age != 30", False), ("age < 31", True), ("age <= 30", True),
    ("age > 30", False), ("age >= 30", True), ("18 <= age < 65", True), ("1 < age < 2", False),
    ("height > 1.7", True), ('name == "Ann"', True), ("name == 'Ann'", True),
    ('name < "Bob"', True),
    # booleans and their words
    ("married", True), ("not married", False), ("married and single", False),
    ("married or single", True), ("not (married and single)", True),
    ("married == true", True), ("single == false", True), ("married == yes", True),
    ("single == no", True),
    # arithmetic and parentheses
    ("age + 5 == 35", True), ("age - 40 == -10", True), ("age * 2 == 60", True),
    ("age / 4 == 7.5", True), ("(age + 10) * 2 == 80", True), ("-age < 0", True),
    ("age + height > 31", True),
    # membership
    ('channel in ["office", "online"]', True), ('channel in ["post"]', False),
    ('channel not in ["post"]', True), ('"passport" in documents', True),
    ('"visa" in documents', False), ('channel in ("office",)', True),
    # functions
    ('has(documents, "med_cert")', True), ('has(documents, "visa")', False),
    ('has(nothing, "visa")', False), ('has(name, "A")', False),  # only on checklists
    ("answered(age)", True), ("answered(empty)", False), ("answered(unknown)", False),
    ("answered(nothing)", True), ("answered(single)", True),
    ("months_since(born)", 2), ("days_since(born)", 87), ("years_since(born)", 0),
    ("years_since(long_ago)", 25), ("months_since(long_ago)", 311),
    ("months_since(born) <= 2", True), ("days_since(born) > 90", False),
])
def test_operators_and_functions(source: str, expected: Any) -> None:
    assert ev(source) == expected


def test_months_between_counts_whole_months() -> None:
    assert months_between(date(2026, 1, 31), date(2026, 2, 28)) == 0
    assert months_between(date(2026, 1, 31), date(2026, 3, 1)) == 1
    assert months_between(date(2026, 3, 5), date(2026, 3, 5)) == 0
    assert months_between(date(2026, 3, 5), date(2025, 3, 5)) == -12
    assert months_between(date(2024, 2, 29), date(2025, 2, 28)) == 11


def test_today_is_injected() -> None:
    condition = compile_expression("months_since(born) < 2")
    assert condition.is_true({"born": "2026-03-20"}, date(2026, 5, 19)) is True
    assert condition.is_true({"born": "2026-03-20"}, date(2026, 5, 20)) is False
    assert compile_expression("days_since(born) == 0").is_true(
        {"born": "2026-03-20"}, date(2026, 3, 20))


def test_date_functions_accept_date_objects() -> None:
    assert ev("days_since(d)", {"d": date(2026, 6, 14)}) == 1


@pytest.mark.parametrize("source", [
    "unknown == 1", "unknown < 1", "unknown > 1", "unknown >= 0",
    '"x" in unknown', "unknown in [1, 2]", "months_since(unknown) < 2",
    "months_since(unknown) >= 0", "days_since(name) > 0", "years_since(age) > 0",
    "unknown + 1 > 0", "-unknown < 0", "has(unknown, \"x\")", "answered(unknown)",
])
def test_none_compares_false(source: str) -> None:
    assert compile_expression(source).is_true(ANSWERS, TODAY) is False


def test_none_details() -> None:
    assert ev("unknown") is None
    assert ev("unknown == none") is True  # equality with none itself is allowed
    # `==` and `!=` are plain equality: `!=` with none is true (the engine's choice; the
    # docs' "a comparison with none is false" holds for the ordering comparisons and `in`)
    assert ev("age != unknown") is True
    assert ev("unknown != 1") is True
    assert ev("age / 0 == none") is True  # a failed calculation is none
    assert ev("not unknown") is True
    assert ev("months_since(unknown)") is None


@pytest.mark.parametrize("source", [
    'age < "30"', 'name > 3', "documents > 1", 'age in "30"', "married < documents",
    '"a" - 1 > 0', '"a" * 3 == "aaa"', 'name + "x" == "Annx"', "documents * 2 == 0",
    "age / 0 > 0",
])
def test_type_mismatches_are_false(source: str) -> None:
    assert compile_expression(source).is_true(ANSWERS, TODAY) is False


def test_arithmetic_never_raises_on_huge_numbers() -> None:
    huge = int("9" * 300)  # a 300-digit typed number is accepted as an int
    assert ev("n * n / 3 > 1", {"n": huge}) is False  # OverflowError inside: none
    # text repetition would build gigabytes; it gives none instead
    assert ev('"x" * 1000000000000 == "x"') is False


def test_names_are_collected() -> None:
    expression = compile_expression(
        'age > 3 and has(documents, "x") or months_since(born) < 2 and not married '
        'and channel in ["a", other] and true')
    assert expression.names == {"age", "documents", "born", "married", "channel", "other"}
    assert expression.source.startswith("age > 3")


FORBIDDEN = [
    "__import__('os')",
    "__import__('os').system('echo pwned')",
    "a.b",
    "a.__class__",
    "().__class__.__bases__[0].__subclasses__()",
    "x[0]",
    "documents[0] == 'a'",
    "lambda: 1",
    "(lambda: 1)()",
    "[x for x in y]",
    "{x for x in y}",
    "(x for x in y)",
    "{'a': 1}",
    "{1, 2}",
    "f'{a}'",
    'f"{name.__class__}" == "x"',
    "x := 1",
    "(x := 1)",
    "a if b else c",
    "a ** 2",
    "a % 2",
    "a // 2",
    "a << 1",
    "a & b",
    "~a",
    "+a",
    "a is None",
    "a is not b",
    "print(1)",
    "eval('1')",
    "open('/etc/passwd')",
    "len(documents)",
    "has(documents, item='x')",
    "has(documents)",
    "months_since()",
    "months_since(a, b)",
    "*a",
    "[*a]",
    "b'bytes'",
    "1j",
    "...",
    "_private",
    "__name__",
    "a = 1",
    "import os",
    "a; b",
    "",
    "   ",
    "age >",
    "(age",
    "x" * 501,
    "await a",
    "yield a",
]


@pytest.mark.parametrize("source", FORBIDDEN)
def test_forbidden_inputs(source: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        compile_expression(source)
    assert str(caught.value)
    assert caught.value.column >= 1


@pytest.mark.parametrize(("source", "column"), [
    ("age > > 3", 7),
    ("age == 1 or a.__class__", 13),
    ("x[0]", 1),
    ("has(a, 'x') and len(b)", 17),
    ("age > 1 and (lambda: 1)()", 13),
])
def test_error_columns(source: str, column: int) -> None:
    with pytest.raises(ExpressionError) as caught:
        compile_expression(source)
    assert caught.value.column == column


def test_non_string_source() -> None:
    with pytest.raises(ExpressionError):
        compile_expression(None)  # type: ignore[arg-type]
