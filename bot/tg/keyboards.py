"""Inline keyboards as plain Bot API JSON (they are stored in the outbox as they are sent)."""

from __future__ import annotations

from typing import Any

from . import callbacks

Keyboard = dict[str, Any]


def button(text: str, data: str) -> dict[str, str]:
    return {"text": text, "callback_data": data}


def keyboard(rows: list[list[dict[str, str]]]) -> Keyboard:
    return {"inline_keyboard": [row for row in rows if row]}


def nav_row(_: Any, *, back: bool = True, human: bool = True) -> list[dict[str, str]]:
    """The row under every step: back, menu, and a way to a volunteer."""
    row = []
    if back:
        row.append(button(_("⬅ Back"), callbacks.encode("n", "back")))
    row.append(button(_("🏠 Menu"), callbacks.encode("n", "menu")))
    if human:
        row.append(button(_("🙋 Volunteer"), callbacks.encode("n", "human")))
    return row


def remove() -> Keyboard:
    return {"inline_keyboard": []}
