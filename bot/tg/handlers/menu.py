"""/start (with deep links), /menu, /language, /help, and the menu buttons."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.i18n import LANGUAGES, gettext_for, language_name
from bot.services.roles import role_of
from bot.services.texts import privacy_notice
from bot.tg import callbacks
from bot.tg.markup import escape
from bot.tg.menus import country_picker, help_text, language_picker, procedures_page
from bot.tg.person import Person, load_person
from bot.tg.steps import act_and_show, open_flow, set_country

StartHook = "start_payload"  # bot_data["hooks"] key: deep-link payloads other services own


async def show_menu(person: Person, page: int = 0, edit_message_id: int | None = None) -> None:
    """The country's procedures, or the country picker when no country is known yet."""
    if not person.user.country or person.user.country not in person.flows.countries:
        text, markup = country_picker(person)
    else:
        text, markup = procedures_page(person, page)
    if edit_message_id is not None:
        person.send("editMessageText", {"message_id": edit_message_id, "text": text,
                                        "parse_mode": "HTML", "reply_markup": markup})
    else:
        person.say(text, markup)


def greet(person: Person) -> None:
    """The welcome and, as its second paragraph, the privacy notice (what is stored, who
    sees it, for how long, how to erase it). A person who arrives by a deep link skips this
    message: the bot's description, shown before they write, carries the notice too."""
    _ = person.gettext
    person.say(escape(_("Welcome to Passerelle! I guide you step by step through official "
                        "procedures, in your language. Volunteers can help when you are stuck.")
                      + "\n\n" + privacy_notice(_, person.settings.retention_days)))


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start [payload]: greet and ask language and country; a flow id opens that procedure."""
    person = await load_person(update, context)
    payload = context.args[0] if context.args else ""
    hook = person.hooks.get(StartHook)
    if payload and hook is not None and await hook(person, payload):
        return
    if not person.known and payload not in person.flows.flows:
        text, markup = language_picker(person.user.lang)
        person.say(text, markup)
        return
    await person.update_user()
    if payload in person.flows.flows:
        await open_flow(person, payload)
        return
    greet(person)
    await show_menu(person)


async def menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/menu: the procedures for the person's country."""
    await show_menu(await load_person(update, context))


async def language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/language: choose the language again."""
    person = await load_person(update, context)
    text, markup = language_picker(person.user.lang)
    person.say(text, markup)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/help: what the bot does and its commands."""
    person = await load_person(update, context)
    role = await role_of(person.tx, person.user.user_id, person.settings.admin_ids)
    person.say(help_text(person, volunteer=role.volunteer is not None or role.admin,
                         admin=role.admin))


async def choose_language(person: Person, lang: str, message_id: int | None) -> None:
    """A language button: remember it, switch the running flow if it has that language."""
    if lang == "pick":
        text, markup = language_picker(person.user.lang)
        person.say(text, markup)
        return
    if lang not in LANGUAGES:
        return
    first_time = not person.known or person.user.country is None
    await person.update_user(lang=lang)
    _ = gettext_for(lang)
    if message_id is not None:
        person.send("editMessageReplyMarkup", {"message_id": message_id,
                                               "reply_markup": {"inline_keyboard": []}})
    person.say(escape(_("Language: {language}").format(language=language_name(lang))))
    session = person.session
    if session and session.get("status") != "ended":
        flow = person.flows.flows.get(session["flow"])
        if flow is not None and lang in flow.languages:
            session["lang"] = lang
        await act_and_show(person, None)
        return
    if first_time:
        greet(person)
    await show_menu(person)


async def menu_button(person: Person, data: callbacks.Callback, message_id: int | None) -> None:
    """Country, page and procedure buttons of the menus."""
    if data.kind == "l":
        await choose_language(person, data.value, message_id)
    elif data.kind == "c":
        if data.value == "change" or data.value not in person.flows.countries:
            text, markup = country_picker(person)
            person.say(text, markup)
        else:
            await set_country(person, data.value)
            await show_menu(person)
    elif data.kind == "p" and data.value.isdigit():
        await show_menu(person, int(data.value), edit_message_id=message_id)
    elif data.kind == "s" and data.value in person.flows.flows:
        await open_flow(person, data.value)
    else:
        await show_menu(person)
