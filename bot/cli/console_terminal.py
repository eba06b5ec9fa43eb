"""The console's terminal: printing, reading a line, reading the choice of a numbered entry.

A person at a terminal gets readline (arrow keys, history) through `input()`; a pipe, such as
the REPRO line `printf ... | python -m bot console`, is read as it comes and echoed, so the
transcript shows the answers next to the questions.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TextIO

from bot import i18n

PROMPT = "> "
QUIT_COMMANDS = frozenset({"/quit", "/exit", "/q"})


class Quit(Exception):
    """The admin asked to leave (/quit, end of input)."""


class Terminal:
    """Text in and out, in the admin's language (`self._`, which the console switches)."""

    def __init__(self, input: TextIO, output: TextIO, lang: str) -> None:
        self.editing = input is sys.stdin and output is sys.stdout and _isatty(input) and (
            _enable_line_editing())
        self.input = input
        self.output = output
        self.echo = not _isatty(input)
        self._ = i18n.gettext_for(lang)

    def say(self, text: str = "") -> None:
        print(text, file=self.output)

    def read(self) -> str:
        if self.editing:  # arrow keys, history: input() goes through readline
            try:
                line = input(PROMPT)
            except EOFError:
                raise Quit from None
            return line.strip()
        self.output.write(PROMPT)
        self.output.flush()
        line = self.input.readline()
        if not line:
            raise Quit
        line = line.rstrip("\r\n")
        if self.echo:
            self.say(line)
        return line.strip()

    def pick(self, count: int, names: list[str],
             other: Callable[[str], int | None] | None = None) -> int:
        """Read the number (or name) of one of `count` entries; /quit leaves. Any other line
        goes to `other` (a search) when given, which returns the entry it led to, or None."""
        _ = self._
        while True:
            answer = self.read()
            if answer.casefold() in QUIT_COMMANDS:
                raise Quit
            if answer.isdigit() and 1 <= int(answer) <= count:
                return int(answer) - 1
            folded = [name.casefold() for name in names]
            if answer.casefold() in folded:
                return folded.index(answer.casefold())
            if other is not None and answer:
                chosen = other(answer)
                if chosen is not None:
                    return chosen
            self.say(_("Type a number from 1 to {count}, or /quit.").format(count=count))


def _enable_line_editing() -> bool:
    """Load readline, which gives input() the arrow keys and a history (absent on Windows)."""
    try:
        import readline  # noqa: F401  (importing it is what enables line editing)
    except ImportError:
        return False
    return True


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
