"""What parsing one flow file collects for the cross-file checks, and the helpers that fill it.

Step references, flow and office references, expressions and their comparisons can only be
judged once every file is read, so the parsers record them here with their positions and
`checker` reads them back through `ParsedFlow`. Kept apart from the per-kind parsers so each of
those stays about one part of the flow format.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from .expressions import Expression, ExpressionError, compile_expression
from .fields import Reporter, TextReader, read_languages
from .located import LocatedDict, LocatedList, Pos, pos_of
from .model import Text
from .same_numbers import Translated

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
STEP_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_]{0,31}$")
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


class ParseState:
    """One file's parse: the reporter, the text reader and everything left to `checker`."""

    def __init__(self, report: Reporter, data: LocatedDict, country: str, raw: bytes) -> None:
        self.report, self.data, self.country, self.raw = report, data, country, raw
        self.languages = read_languages(report, data)
        self.parsed_texts: list[tuple[Text, Pos]] = []
        self.translated: list[Translated] = []
        self.text = TextReader(report, self.languages, self.parsed_texts, self.translated)
        self.step_refs: list[tuple[str, Pos]] = []
        self.flow_refs: list[tuple[str, str | None, Pos]] = []
        self.office_refs: list[tuple[str, Pos]] = []
        self.expressions: list[tuple[Expression, Pos]] = []
        self.comparisons: list[tuple[str, tuple[Any, ...], Pos]] = []
        self._lines: list[str] | None = None  # the file's lines, read when first needed

    def ref(self, container: LocatedDict, key: str) -> str | None:
        value = container.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            self.report.error(pos_of(container, key), "bad-reference",
                              f"`{key}` must name a step id")
            return None
        self.step_refs.append((value, pos_of(container, key)))
        return value

    def listed(self, container: LocatedDict, key: str, message: str,
               hint: str = "") -> LocatedList | None:
        """`container[key]` if it is a non-empty list; otherwise None, reported if it is there."""
        value = container.get(key)
        if isinstance(value, LocatedList) and value:
            return value
        if key in container:
            self.report.error(pos_of(container, key), "bad-field", message, hint)
        return None

    def entries(self, values: LocatedList, allowed: set[str], required: tuple[str, ...],
                what: str) -> Iterator[tuple[int, LocatedDict]]:
        """Each mapping of `values` with its index, if it has its required fields; others reported.

        `what` is "an option", "a source"...: the messages say what the entry needs. Lazy, so
        the problems come in file order with those the caller finds in each entry.
        """
        noun = what.split(" ", 1)[1]
        for index, entry in enumerate(values):
            if not isinstance(entry, LocatedDict):
                needs = " and ".join(f"`{name}:`" for name in required)
                self.report.error(pos_of(values, index), "bad-field", f"{what} needs {needs}")
                continue
            self.report.unknown_fields(entry, allowed, what)
            if self.report.require(entry, required, f"this {noun}"):
                yield index, entry

    def expression(self, container: LocatedDict, key: str, what: str) -> Expression | None:
        """Compile `container[key]`, reporting a mistake at its exact column."""
        source = container[key]
        where = pos_of(container, key)
        try:
            expression = compile_expression(str(source) if source is not None else "")
        except ExpressionError as exc:
            column = self._value_column(where, len(key) + 1) + exc.column - 1
            self.report.error(Pos(where.line, column), "bad-expression",
                              f"invalid {what} `{source}`: {exc}",
                              exc.hint or "see Expressions in docs/flows.md")
            return None
        self.expressions.append((expression, where))
        if expression.comparisons:
            start = self._value_column(where, len(key) + 1)
            for name, values, column in expression.comparisons:
                self.comparisons.append((name, values, Pos(where.line, start + column - 1)))
        return expression

    def _value_column(self, key: Pos, key_length: int) -> int:
        """The column where a one-line value starts after its key, inside any quote."""
        if self._lines is None:
            self._lines = self.raw.decode("utf-8", "replace").splitlines()
        lines = self._lines
        line = lines[key.line - 1] if key.line <= len(lines) else ""
        index = key.column - 1 + key_length
        while index < len(line) and line[index] in " \t":
            index += 1
        if index < len(line) and line[index] in "\"'":
            index += 1
        return index + 1
