"""YAML syntax errors in plain words: what an admin who is not a programmer should change.

The parser's own words ("mapping values are not allowed in this context") are kept at the end
for whoever knows YAML; the problem points at the line, shown with a caret under the column.
"""

from __future__ import annotations

# parser message (start) -> what it means in practice
EXPLAINED = (
    ("mapping values are not allowed", "a `: ` (colon and space) inside a text: put the whole "
     "text in quotes \"…\""),
    ("did not find expected ',' or '}'", "a text inside `{…}` holds a `:` or a `,`: put it in "
     "quotes \"…\", or close the `}`"),
    ("did not find expected ',' or ']'", "a text inside `[…]` holds a `,` or a `:`: put it in "
     "quotes \"…\", or close the `]`"),
    ("did not find expected '-' indicator", "this line is not indented like the lines around "
     "it: line it up with the other `- id:` lines or fields of the same step"),
    ("did not find expected key", "this line is not indented like the lines around it: line "
     "it up with the other fields of the same step"),
    ("found character that cannot start any token", "a tab or a special character (`@`, "
     "`` ` ``, `%`) starts a value: indent with spaces, and put such a text in quotes \"…\""),
    ("found unexpected end of stream", "a quote \"…\" is opened and never closed"),
    ("found undefined alias", "a value starts with `*`: put it in quotes \"…\""),
    ("while scanning a quoted scalar", "a quote \"…\" is opened and never closed"),
    ("found unknown escape character", "a `\\` inside \"…\": write `\\\\`, or use single "
     "quotes '…'"),
    ("could not find expected ':'", "a line is missing the `:` after its field name, or a "
     "quoted text goes on after its closing quote"),
)


def explain(message: str) -> str:
    """The plain-words reading of a parser message ("" when there is none)."""
    for start, meaning in EXPLAINED:
        if message.startswith(start):
            return meaning
    return ""


def excerpt(text: str, line: int, column: int) -> str:
    """The offending line and a caret under its column, indented for a terminal."""
    lines = text.splitlines()
    if not 1 <= line <= len(lines):
        return ""
    source = lines[line - 1].expandtabs(1)
    return f"\n    {source}\n    {' ' * (max(column, 1) - 1)}^"
