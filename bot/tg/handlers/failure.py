"""When an update could not be handled: a short apology instead of silence.

The dispatcher has already rolled the turn back, logged the update id with the error's type
and place (never its message, which may quote the person) and parks the row as failed; this
hook runs in a fresh turn, so the apology goes through the outbox like any reply.
"""

from __future__ import annotations

from telegram import Chat, Update

from bot.i18n import DEFAULT_LANGUAGE, gettext_for, match_language
from bot.storage import users
from bot.tg.markup import escape
from bot.tg.turn import current_turn


async def apologise(update: Update | None, error: BaseException) -> None:
    """Dispatcher ``on_failed`` hook: only people in their private chat are answered."""
    chat = update.effective_chat if update is not None else None
    user = update.effective_user if update is not None else None
    if chat is None or chat.type != Chat.PRIVATE or user is None or user.is_bot:
        return
    turn = current_turn()
    stored = await users.get(turn.tx, user.id)
    lang = (stored.lang if stored is not None else None) or match_language(
        user.language_code) or DEFAULT_LANGUAGE
    _ = gettext_for(lang)
    text = _("Sorry, something went wrong with your last message. Please send it again, or "
             "write /help.")
    if update.callback_query is not None:  # the press must be answered, or it spins
        turn.send("answerCallbackQuery", {"callback_query_id": update.callback_query.id},
                  chat_id=chat.id)
    turn.send("sendMessage", {"chat_id": chat.id, "text": escape(text)}, chat_id=chat.id)
