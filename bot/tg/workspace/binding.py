"""`/workspace CC[,CC]`: bind a forum supergroup as the team workspace of countries.

`/workspace` alone shows the binding, `/workspace off` unbinds. Refusals say what to do:
the sender is not one of the bot's admins; the group is not a forum ("turn on Topics"); the
bot lacks a right (named). The bot's rights are read with getChatMember: the one Bot API
read made inside a turn, because the answer must say which right is missing *now*.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.services import workspace as rules
from bot.tg.markup import escape
from bot.tg.turn import current_turn

from . import texts

log = logging.getLogger(__name__)
NEEDED = ("can_manage_topics", "can_pin_messages")  # can_delete_messages: for /forget


def reply(update: Update, text: str) -> None:
    """Answer in the same place (topic) as the command."""
    message = update.effective_message
    params: dict[str, Any] = {"chat_id": update.effective_chat.id, "text": escape(text),
                              "parse_mode": "HTML"}
    if message is not None and message.message_thread_id:
        params["message_thread_id"] = message.message_thread_id
    current_turn().send("sendMessage", params, chat_id=update.effective_chat.id)


async def missing_right(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | None:
    """The first right the bot lacks in this chat, by its name in Telegram's settings."""
    try:
        member = await context.bot.get_chat_member(update.effective_chat.id, context.bot.id)
    except TelegramError as exc:  # cannot tell: bind; a missing right shows at the first
        log.warning("workspace: getChatMember failed: %s", exc)  # topic (admins are told)
        return None
    if member.status == "creator":
        return None
    for right in NEEDED:
        if member.status != "administrator" or not getattr(member, right, False):
            return texts.RIGHTS[right]
    return None


async def workspace_command(update: Update, context: ContextTypes.DEFAULT_TYPE,
                            args: str) -> None:
    """/workspace [CC[,CC]|off]: show, bind or unbind (admins only)."""
    tx = current_turn().tx
    chat, user = update.effective_chat, update.effective_user
    settings = context.bot_data["settings"]
    if user is None or not rules.may_bind(user.id, settings.admin_ids):
        reply(update, texts.NOT_ADMIN)
        return
    current = await rules.of_chat(tx, chat.id)
    if not args:
        reply(update, texts.SHOWN.format(countries=", ".join(current.countries))
              if current else texts.UNBOUND_SHOWN)
        return
    if args.lower() == "off":
        await rules.unbind_group(tx, chat.id)
        reply(update, texts.OFF)
        return
    countries = rules.parse_countries(args)
    if countries is None:
        reply(update, texts.USAGE)
        return
    if not chat.is_forum:
        reply(update, texts.NOT_FORUM)
        return
    lacking = await missing_right(update, context)
    if lacking is not None:
        reply(update, texts.MISSING_RIGHT.format(right=lacking))
        return
    await rules.bind_group(tx, chat.id, countries, user.id)
    reply(update, texts.BOUND.format(countries=", ".join(countries)))
