"""A small, safe expression language for `branch` conditions.

Conditions use Python's expression syntax, so `ast` parses them, but only a whitelist of
nodes is accepted and each is compiled into a closure: nothing is ever `eval`ed, no
attribute, subscript or arbitrary call can be reached.
"""

from __future__ import annotations

import ast
import math
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

Env = tuple[Mapping[str, Any], date]  # (answers, today)
Evaluator = Callable[[Env], Any]

CONSTANTS = {"true": True, "false": False, "none": None, "yes": True, "no": False}


class ExpressionError(ValueError):
    """An expression that cannot be accepted; `column` is 1-based within the expression.

    `hint` says how to fix it in words an admin who is not a programmer understands.
    """

    def __init__(self, message: str, column: int = 1, hint: str = "") -> None:
        super().__init__(message)
        self.column = column
        self.hint = hint


_MISTYPED = {"=<": "<=", "=>": ">=", "=!": "!=", "<>": "!="}
_QUOTED = re.compile(r"\"[^\"]*\"?|'[^']*'?")
_SLIP = re.compile(r"=<|=>|=!|<>|(?<![=<>!])=(?!=)")


def _mistyped_operator(source: str) -> ExpressionError | None:
    """`age = 17`, `age =< 18`: the usual slips, named precisely (Python's own message
    would send a non-programmer elsewhere). Text inside quotes is skipped."""
    if "=" not in source and "<>" not in source:
        return None
    blanked = _QUOTED.sub(lambda match: " " * len(match.group(0)), source)
    match = _SLIP.search(blanked)
    if match is None:
        return None
    slip = match.group(0)
    if slip == "=":
        return ExpressionError("a single `=` does not compare", match.start() + 1,
                               "write `==` to test if two values are equal")
    return ExpressionError(f"`{slip}` is not a comparison", match.start() + 1,
                           f"write `{_MISTYPED[slip]}`")


def _to_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def months_between(earlier: date, later: date) -> int:
    """Whole months from `earlier` to `later` (negative when earlier is after later)."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    if later.day < earlier.day:
        months -= 1
    return months


def _months_since(today: date, value: Any) -> int | None:
    day = _to_date(value)
    return None if day is None else months_between(day, today)


def _days_since(today: date, value: Any) -> int | None:
    day = _to_date(value)
    return None if day is None else (today - day).days


def _years_since(today: date, value: Any) -> int | None:
    months = _months_since(today, value)
    return None if months is None else months // 12


def _has(_today: date, collection: Any, item: Any) -> bool:
    return isinstance(collection, list | tuple) and item in collection


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _round(_today: date, value: Any, digits: Any = 0) -> int | float | None:
    """Round half away from zero (2.5 -> 3, as people expect; Python's round gives 2).

    `round(x)` is a whole number; `round(x, 2)` keeps two decimals. Not a number: none.
    """
    if not _is_number(value) or not _is_number(digits) or not float(digits).is_integer():
        return None
    digits = int(digits)
    if not math.isfinite(value) or not -15 <= digits <= 15:
        return None
    # through the decimal written form: 1.005 is stored as 1.00499999…, yet people mean 1.01
    exact = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP)
    return int(exact) if digits <= 0 else float(exact)


def _extreme(pick: Callable[..., Any]) -> Callable[..., Any]:
    def run(_today: date, *values: Any) -> Any:
        numbers = [value for value in values if _is_number(value)]
        return pick(numbers) if len(numbers) == len(values) else None
    return run


# name -> (fewest arguments, most arguments, function(today, *arguments))
FUNCTIONS: dict[str, tuple[int, int, Callable[..., Any]]] = {
    "months_since": (1, 1, _months_since),
    "days_since": (1, 1, _days_since),
    "years_since": (1, 1, _years_since),
    "has": (2, 2, _has),
    "answered": (1, 1, lambda _today, value: value is not None and value != ""),
    "round": (1, 2, _round),
    "min": (2, 8, _extreme(min)),
    "max": (2, 8, _extreme(max)),
}

_COMPARE = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}
_ARITH = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
          ast.Div: operator.truediv}


def _safe_compare(op: Callable[[Any, Any], bool], left: Any, right: Any) -> bool:
    """Compare without raising: `none` or mismatched types compare false (except !=)."""
    if op is operator.ne:
        return left != right
    if op is operator.eq:
        return left == right
    if left is None or right is None:
        return False
    try:
        return bool(op(left, right))
    except TypeError:
        return False


def _safe_arith(op: Callable[[Any, Any], Any], left: Any, right: Any) -> Any:
    """Arithmetic on numbers only: anything else (none, text, lists) gives none.

    Text and lists are refused rather than left to Python, where `"a" * 10**9` would build
    a gigabyte; an overflow (a huge typed number divided) gives none instead of raising.
    """
    if not isinstance(left, int | float) or not isinstance(right, int | float):
        return None
    try:
        return op(left, right)
    except ArithmeticError:
        return None


@dataclass(frozen=True)
class Expression:
    """A compiled condition: `names` are the answers it reads."""

    source: str
    names: frozenset[str]
    _run: Evaluator
    # (answer name, the values it is compared with by == != in, 1-based column): the checker
    # warns when a value is not one of the answer's options
    comparisons: tuple[tuple[str, tuple[Any, ...], int], ...] = ()

    def evaluate(self, answers: Mapping[str, Any], today: date) -> Any:
        return self._run((answers, today))

    def is_true(self, answers: Mapping[str, Any], today: date) -> bool:
        return bool(self.evaluate(answers, today))


class _Compiler:
    def __init__(self) -> None:
        self.names: set[str] = set()
        self.comparisons: list[tuple[str, tuple[Any, ...], int]] = []

    def note_comparison(self, node: ast.Compare) -> None:
        if len(node.ops) != 1:
            return
        left, right, op = node.left, node.comparators[0], node.ops[0]
        if isinstance(left, ast.Constant) and isinstance(right, ast.Name):
            left, right = right, left
        if not isinstance(left, ast.Name) or left.id in CONSTANTS:
            return
        if isinstance(op, ast.Eq | ast.NotEq) and isinstance(right, ast.Constant):
            values = (right.value,)
        elif isinstance(op, ast.In | ast.NotIn) and isinstance(right, ast.List | ast.Tuple) and all(
                isinstance(item, ast.Constant) for item in right.elts):
            values = tuple(item.value for item in right.elts)
        else:
            return
        self.comparisons.append((left.id, values, right.col_offset + 1))

    def fail(self, node: ast.AST, message: str) -> ExpressionError:
        return ExpressionError(message, getattr(node, "col_offset", 0) + 1)

    def compile(self, node: ast.AST) -> Evaluator:
        if isinstance(node, ast.Constant):
            if not isinstance(node.value, int | float | str | bool) and node.value is not None:
                raise self.fail(node, f"unsupported literal {node.value!r}")
            value = node.value
            return lambda env: value
        if isinstance(node, ast.Name):
            return self._name(node)
        if isinstance(node, ast.List | ast.Tuple):
            parts = [self.compile(item) for item in node.elts]
            return lambda env: [part(env) for part in parts]
        if isinstance(node, ast.BoolOp):
            parts = [self.compile(value) for value in node.values]
            if isinstance(node.op, ast.And):
                return lambda env: all(part(env) for part in parts)
            return lambda env: any(part(env) for part in parts)
        if isinstance(node, ast.UnaryOp):
            operand = self.compile(node.operand)
            if isinstance(node.op, ast.Not):
                return lambda env: not operand(env)
            if isinstance(node.op, ast.USub):
                return lambda env: _safe_arith(operator.sub, 0, operand(env))
            raise self.fail(node, "only `not` and `-` may stand before a value")
        if isinstance(node, ast.BinOp):
            op = _ARITH.get(type(node.op))
            if op is None:
                raise self.fail(node, "only + - * / are allowed")
            left, right = self.compile(node.left), self.compile(node.right)
            return lambda env: _safe_arith(op, left(env), right(env))
        if isinstance(node, ast.Compare):
            return self._compare(node)
        if isinstance(node, ast.Call):
            return self._call(node)
        raise self.fail(node, f"`{ast.unparse(node)}` is not allowed in a condition")

    def _name(self, node: ast.Name) -> Evaluator:
        name = node.id
        if name in CONSTANTS:
            value = CONSTANTS[name]
            return lambda env: value
        if name.startswith("_"):
            raise self.fail(node, f"`{name}` is not a valid answer name")
        self.names.add(name)
        return lambda env: env[0].get(name)

    def _compare(self, node: ast.Compare) -> Evaluator:
        self.note_comparison(node)
        left = self.compile(node.left)
        pairs = []
        for op_node, right_node in zip(node.ops, node.comparators, strict=True):
            op = _COMPARE.get(type(op_node))
            if op is None:
                raise self.fail(node, "unsupported comparison")
            pairs.append((op, self.compile(right_node)))

        def run(env: Env) -> bool:
            current = left(env)
            for op, right in pairs:
                value = right(env)
                if not _safe_compare(op, current, value):
                    return False
                current = value
            return True

        return run

    def _call(self, node: ast.Call) -> Evaluator:
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            known = ", ".join(FUNCTIONS)
            raise self.fail(node, f"unknown function `{ast.unparse(node.func)}` (known: {known})")
        if node.keywords:
            raise self.fail(node, "functions take no keyword arguments")
        fewest, most, function = FUNCTIONS[node.func.id]
        if not fewest <= len(node.args) <= most:
            count = str(fewest) if fewest == most else (
                f"{fewest} or {most}" if most == fewest + 1 else f"{fewest} to {most}")
            raise self.fail(node, f"`{node.func.id}` takes {count} argument(s)")
        args = [self.compile(arg) for arg in node.args]
        return lambda env: function(env[1], *(arg(env) for arg in args))


@lru_cache(maxsize=4096)
def compile_expression(source: str) -> Expression:
    """Parse and compile a condition, or raise ExpressionError saying what is wrong and where.

    Remembered by source text: an Expression is frozen and its evaluator keeps no state, and
    flows repeat the same conditions (a reload compiles every one of them again otherwise)."""
    if not isinstance(source, str) or not source.strip():
        raise ExpressionError("empty condition")
    if len(source) > 500:
        raise ExpressionError("condition longer than 500 characters")
    mistake = _mistyped_operator(source)
    if mistake is not None:
        raise mistake
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"cannot parse the condition: {exc.msg}", exc.offset or 1,
                              "check the brackets, the quotes around texts, and the operators "
                              "(== != < <= > >=, and, or, not)") from exc
    compiler = _Compiler()
    run = compiler.compile(tree.body)
    return Expression(source, frozenset(compiler.names), run, tuple(compiler.comparisons))
