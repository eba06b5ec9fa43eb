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
    """Dispatcher ``on_failed`` hook: only people in their private chat are answered.

    ``update`` is None when the stored update could not even be parsed: the row's chat then
    says who it was (private chats have the person's id, a positive number).
    """
    turn = current_turn()
    if update is None:
        chat_id, user_id, telegram_lang = turn.chat_id, turn.chat_id, None
        if chat_id is None or chat_id <= 0:
            return
    else:
        chat, user = update.effective_chat, update.effective_user
        if chat is None or chat.type != Chat.PRIVATE or user is None or user.is_bot:
            return
        chat_id, user_id, telegram_lang = chat.id, user.id, user.language_code
    stored = await users.get(turn.tx, user_id)
    lang = (stored.lang if stored is not None else None) or match_language(
        telegram_lang) or DEFAULT_LANGUAGE
    _ = gettext_for(lang)
    text = _("Sorry, something went wrong with your last message. Please send it again, or "
             "write /help.")
    if update is not None and update.callback_query is not None:  # or the press spins
        turn.send("answerCallbackQuery", {"callback_query_id": update.callback_query.id},
                  chat_id=chat_id)
    turn.send("sendMessage", {"chat_id": chat_id, "text": escape(text)}, chat_id=chat_id)
