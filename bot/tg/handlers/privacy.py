"""/forget and /privacy: erase a person's data after a confirmation; say what is kept."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.services import privacy
from bot.services.texts import privacy_notice
from bot.storage import volunteers
from bot.tg import callbacks
from bot.tg.keyboards import button, keyboard
from bot.tg.markup import escape
from bot.tg.person import Person, load_person


async def forget(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/forget: ask for confirmation first; nothing is erased by a mistyped command."""
    person = await load_person(update, context)
    _ = person.gettext
    text = _("This erases your language and country, your progress in every procedure, your "
             "cases and the messages you sent through the bot. Only anonymous counts are kept. "
             "Erase everything?")
    if await volunteers.get(person.tx, person.user.user_id) is not None:
        text += "\n" + _("You will also leave the volunteers: your cases go back to the queue.")
    person.say(escape(text),
               keyboard([[button(_("Yes, erase everything"), callbacks.encode("x", "yes")),
                          button(_("Cancel"), callbacks.encode("x", "no"))]]))


async def confirm_forget(person: Person, confirmed: bool, message_id: int | None) -> None:
    _ = person.gettext
    if message_id is not None:
        person.send("editMessageReplyMarkup", {"message_id": message_id,
                                               "reply_markup": {"inline_keyboard": []}})
    if not confirmed:
        person.say(escape(_("Nothing was erased.")))
        return
    await privacy.forget(person.tx, person.user.user_id, person.chat_id, person.settings,
                         up_to_update=person.turn.update_id)
    person.session = None
    person.turn.forget_chat(person.chat_id)  # this turn's replies blank themselves once sent
    person.say(escape(_("Done: everything about you is erased. Only anonymous counts remain. "
                        "Write /start if you need help again.")))


async def privacy_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/privacy: what is stored, who sees it, for how long, and how to erase it."""
    person = await load_person(update, context)
    person.say(escape(privacy_notice(person.gettext, person.settings.retention_days)))
