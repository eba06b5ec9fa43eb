"""The one notice a person gets when they send messages faster than the bot handles them."""

from __future__ import annotations

from telegram import Update

from bot.i18n import DEFAULT_LANGUAGE, gettext_for, match_language
from bot.storage import users
from bot.tg.markup import escape
from bot.tg.turn import current_turn


async def flood_notice(update: Update) -> None:
    """Dispatcher hook (in the slowed update's turn): tell the person, in their language,
    that nothing is lost and answers will come a little more slowly. Private chats only."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None or chat.type != "private":
        return
    turn = current_turn()
    known = await users.get(turn.tx, user.id)
    lang = (known.lang if known and known.lang else None) or match_language(
        user.language_code) or DEFAULT_LANGUAGE
    _ = gettext_for(lang)
    turn.send("sendMessage", {"chat_id": chat.id, "text": escape(_(
        "You are sending messages very quickly. Every message is kept and will be handled "
        "in order, just a little more slowly. Please wait for the answers.")),
        "parse_mode": "HTML"}, chat_id=chat.id)
