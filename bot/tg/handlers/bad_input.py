"""Everything that is not what the bot asked for gets a short, clear answer and loses nothing."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.tg.markup import MAX_MESSAGE, escape
from bot.tg.person import Person, load_person
from bot.tg.render import invalid_hint
from bot.tg.steps import waiting_question


def expected_now(person: Person) -> str:
    """One sentence saying what the bot expects at this moment."""
    _ = person.gettext
    kind = waiting_question(person)
    if kind is None:
        return _("Choose a procedure with /menu, or write /help.")
    return invalid_hint(_, kind)


async def not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, voice, files, locations where text was expected."""
    person = await load_person(update, context)
    hook = person.hooks.get("media")
    if hook is not None and await hook(person, update.effective_message):
        return
    _ = person.gettext
    person.say(escape(_("I can only read text here.") + " " + expected_now(person)))


async def too_long(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Texts over Telegram's 4096 characters (possible through some clients and captions)."""
    person = await load_person(update, context)
    _ = person.gettext
    person.say(escape(_("That message is too long ({count} characters). Please send at most "
                        "{limit}.").format(count=len(update.effective_message.text or ""),
                                           limit=MAX_MESSAGE)))


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A command the bot does not have."""
    person = await load_person(update, context)
    _ = person.gettext
    person.say(escape(_("I don't know that command. /help lists what I can do.")))


async def edited(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Edits are not re-read: say so, so nobody thinks a corrected answer was taken."""
    person = await load_person(update, context)
    _ = person.gettext
    person.say(escape(_("I only read new messages, not edits. If you want to change an answer, "
                        "send it again.") + " " + expected_now(person)))
