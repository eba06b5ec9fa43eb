"""Telegram text: HTML escaping, the `**bold**` markup of flow texts, and splitting at 4096.

Splitting happens on plain text, before markup, so a tag can never be cut in half; Telegram
counts the length after parsing entities, so escapes do not count against the limit.
"""

from __future__ import annotations

import html
import re

MAX_MESSAGE = 4096
MAX_CAPTION = 1024
BOLD = re.compile(r"\*\*(.+?)\*\*", re.DOTALL)


def to_html(text: str) -> str:
    """Escape everything, then turn `**bold**` into <b>; user answers inside stay escaped."""
    return BOLD.sub(r"<b>\1</b>", html.escape(text, quote=False))


def bold(text: str) -> str:
    return f"<b>{html.escape(text, quote=False)}</b>"


def escape(text: str) -> str:
    return html.escape(text, quote=False)


def split_plain(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Split at paragraph boundaries, then lines, then spaces, so every part fits `limit`."""
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for separator, pieces in (("\n\n", text.split("\n\n")),):
        for piece in pieces:
            candidate = f"{current}{separator}{piece}" if current else piece
            if len(candidate) <= limit:
                current = candidate
                continue
            if current:
                parts.append(current)
            current = ""
            while len(piece) > limit:
                cut = piece.rfind("\n", 0, limit)
                if cut <= 0:
                    cut = piece.rfind(" ", 0, limit)
                if cut <= 0:
                    cut = limit
                parts.append(piece[:cut])
                piece = piece[cut:].lstrip("\n ")
            current = piece
    if current:
        parts.append(current)
    return parts
