"""`/shift on|off`, `/capacity N` and `/away until DATE` in a volunteer's private chat.

The rules are bot/services/shifts.py's (the same as in a workspace group); this only parses
the command and shows the answer.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.services import shifts
from bot.services.roles import role_of
from bot.tg.markup import escape
from bot.tg.person import load_person


async def shift_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/shift on|off: whether new cases may be suggested to me in the workspace."""
    await _run(update, context, "shift")


async def capacity_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/capacity N: the most open cases I hold at once (default 5)."""
    await _run(update, context, "capacity")


async def away_until(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/away until DATE: away, and back by itself on that date."""
    await _run(update, context, "away")


async def _run(update: Update, context: ContextTypes.DEFAULT_TYPE, name: str) -> None:
    person = await load_person(update, context)
    role = await role_of(person.tx, person.user.user_id, person.settings.admin_ids)
    answer = await shifts.command(person.tx, role, name, " ".join(context.args or ()))
    person.say(escape(answer))
