"""Problems found while loading flows: one type, so the checker, the bot and the tests agree."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """A problem in a flow file, pointing at the exact place an admin must look.

    `code` is a stable short name (tests and tools match on it); `hint` says what to do.
    """

    file: str
    line: int
    column: int
    severity: Severity
    code: str
    message: str
    hint: str = ""

    def __str__(self) -> str:
        # a hint may end with the offending line and a caret: those go below, not in brackets
        hint, _, shown = self.hint.partition("\n")
        hint = f" ({hint})" if hint else ""
        shown = f"\n{shown}" if shown else ""
        return (
            f"{self.file}:{self.line}:{self.column}: {self.severity.value}: "
            f"{self.message}{hint}{shown}"
        )

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR
