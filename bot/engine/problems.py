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
        hint = f" ({self.hint})" if self.hint else ""
        return (
            f"{self.file}:{self.line}:{self.column}: {self.severity.value}: "
            f"{self.message}{hint}"
        )

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR
