"""Updates that are not a person talking in their private chat: screened before anything else.

Why one gate (handler group -1, stopping the update when it is not for the help desk):
nothing personal is ever discussed in a group, the bot must never post into a channel, bots
must not be able to talk to it (two bots can loop forever), and a button press without a
message (inline mode) must be answered, not crash a handler that expects a chat. What
trusted group bots do is followed: in a group, only a command addressed to this bot gets an
answer, a single line with a link to the private chat, at most once a day per group; service
messages (someone joined, a title changed…) are never answered.
"""

from __future__ import annotations

import time

from telegram import Chat, Message, Update
from telegram.ext import ApplicationHandlerStop, ContextTypes, filters

from bot.i18n import DEFAULT_LANGUAGE, gettext_for, match_language
from bot.storage import kv
from bot.tg.keyboards import keyboard
from bot.tg.markup import escape
from bot.tg.turn import current_turn

GROUP_HINT_KEY = "group_hint:{chat_id}"
GROUP_HINT_EVERY_S = 24 * 3600.0  # one pointer per group per day, however many ask
_LEAVE = ("member", "administrator")


async def screen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Let a private conversation through; handle (or ignore) everything else, then stop."""
    user = update.effective_user
    if user is not None and user.is_bot:
        raise ApplicationHandlerStop  # another bot (or a bot speaking for an anonymous admin)
    query = update.callback_query
    if query is not None and query.message is None:  # inline mode: no chat to answer in
        current_turn().send("answerCallbackQuery", {"callback_query_id": query.id})
        raise ApplicationHandlerStop
    chat = update.effective_chat
    if chat is None or chat.type == Chat.PRIVATE:
        if filters.StatusUpdate.ALL.check_update(update):  # PTB's list of service messages
            raise ApplicationHandlerStop
        return
    if chat.type == Chat.CHANNEL:
        member = update.my_chat_member
        if update.channel_post is not None or (
                member is not None and member.new_chat_member.status in _LEAVE):
            current_turn().send("leaveChat", {"chat_id": chat.id}, chat_id=chat.id)
        raise ApplicationHandlerStop
    if query is not None:  # a button in a group (the bot never sends one): just answer it
        current_turn().send("answerCallbackQuery", {"callback_query_id": query.id})
    elif update.message is not None and _addressed_command(update.message,
                                                           context.bot.username):
        await _point_to_private_chat(update, context)
    raise ApplicationHandlerStop


def _addressed_command(message: Message, bot_username: str | None) -> bool:
    """``/cmd`` or ``/cmd@thisbot`` at the start of the text (never ``/cmd@otherbot``)."""
    entities = message.entities or ()
    if not message.text or not entities or entities[0].type != "bot_command" \
            or entities[0].offset != 0:
        return False
    command = message.text[:entities[0].length]
    _, at, target = command.partition("@")
    return not at or (bot_username or "").casefold() == target.casefold()


async def _point_to_private_chat(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    turn = current_turn()
    chat = update.effective_chat
    key = GROUP_HINT_KEY.format(chat_id=chat.id)
    last = await kv.get(turn.tx, key)
    now = time.time()
    if last is not None and now - float(last) < GROUP_HINT_EVERY_S:
        return
    await kv.put(turn.tx, key, str(now))
    user = update.effective_user
    _ = gettext_for(match_language(user.language_code if user else None) or DEFAULT_LANGUAGE)
    link = f"https://t.me/{context.bot.username}?start=group"
    turn.send("sendMessage", {
        "chat_id": chat.id,
        "text": escape(_("Please write to me in a private chat, not in a group:") + " " + link),
        "parse_mode": "HTML",
        "link_preview_options": {"is_disabled": True},
        "reply_markup": keyboard([[{"text": _("Open a private chat"), "url": link}]]),
    }, chat_id=chat.id)
