"""Answers to flow steps: button presses, typed text, and /back, /restart."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import ContextTypes

from bot.engine import Back, Press, Restart, Text
from bot.engine import events as ev
from bot.engine.model import CHECKLIST_DONE
from bot.services.procedure_search import find_procedures
from bot.tg import callbacks
from bot.tg.keyboards import button as key
from bot.tg.keyboards import keyboard
from bot.tg.markup import escape
from bot.tg.menus import country_name, flow_language, language_picker
from bot.tg.person import Person, load_person
from bot.tg.render import TICKED, chosen_suffix, render_events
from bot.tg.steps import act, act_and_show, after_sprint
from bot.tg.turn import current_turn

from .menu import menu_button, show_menu
from .privacy import confirm_forget


def answer_press(person: Person, query_id: str, text: str | None = None) -> None:
    """Every press gets an answer, or the person's app shows a spinner."""
    params: dict[str, Any] = {"callback_query_id": query_id}
    if text:
        params["text"] = text[:200]
    current_turn().send("answerCallbackQuery", params, chat_id=person.chat_id)


def _pressed_label(message: Any, data: str) -> str | None:
    """The answer to show under the question: the button, or a checklist's ticked items."""
    markup = getattr(message, "reply_markup", None)
    buttons = [b for row in getattr(markup, "inline_keyboard", ()) or () for b in row]
    label = next((b.text for b in buttons if b.callback_data == data), None)
    if label is not None and data.endswith(":" + CHECKLIST_DONE):
        ticked = [b.text.removeprefix(TICKED) for b in buttons if b.text.startswith(TICKED)]
        return ", ".join(ticked) or label
    return label


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any inline button; forged or stale data is answered, then the current step is shown."""
    query = update.callback_query
    person = await load_person(update, context)
    message = query.message if getattr(query.message, "is_accessible", False) else None
    message_id = message.message_id if message else None
    data = callbacks.decode(query.data)
    _ = person.gettext
    if data is None:
        refused = person.hooks.get("bad_button")  # e.g. mediation audits forged case buttons
        if refused is not None:
            await refused(person, query.data)
        answer_press(person, query.id, _("This button no longer works. Here is where you are."))
        await _show_where(person)
        return
    if data.kind == "f":
        await _flow_button(person, query, data, message)
        return
    if data.kind in ("u", "o"):  # follow-ups, and a volunteer closing a case with an outcome
        hook = person.hooks.get("outcome_button")
        answer_press(person, query.id, await hook(person, data, message_id) if hook else None)
        return
    if data.kind in ("v", "r", "k"):
        hook = person.hooks.get("button")
        answer_press(person, query.id, await hook(person, data) if hook else None)
        return
    answer_press(person, query.id)
    if data.kind == "n":
        await _nav(person, data.value, message_id)
    elif data.kind == "x":
        await confirm_forget(person, data.value == "yes", message_id)
    else:
        await menu_button(person, data, message_id)


def _paused_question(person: Person) -> bool:
    """The session stands at a question that /human paused (an escalate step never does)."""
    session = person.session or {}
    flow = person.flows.flows.get(session.get("flow", ""))
    step = flow.steps.get(session.get("step", "")) if flow else None
    return step is not None and step.is_question


async def _show_where(person: Person) -> None:
    if person.session and person.session.get("status") == "waiting":
        await act_and_show(person, None)
    else:
        await show_menu(person)


async def _nav(person: Person, action: str, message_id: int | None) -> None:
    if message_id is not None:
        person.send("editMessageReplyMarkup", {"message_id": message_id,
                                               "reply_markup": {"inline_keyboard": []}})
    if action == "menu":
        await show_menu(person)
    elif action == "human":
        hook = person.hooks.get("human")
        if hook is not None:
            await hook(person)
    elif person.session is None:
        await show_menu(person)
    else:
        await act_and_show(person, Back() if action == "back" else Restart())


async def _flow_button(person: Person, query: Any, data: callbacks.Callback,
                       message: Any) -> None:
    _ = person.gettext
    session = person.session
    if (session is not None and data.seq == session.get("seq")
            and session.get("status") == "escalated" and _paused_question(person)):
        # Asked for a volunteer at this question, then answered it after all: carry on
        # (typed text keeps going to the case until a volunteer closes it).
        session = person.session = {**session, "status": "waiting"}
    if session is None or data.seq != session.get("seq") or session.get("status") != "waiting":
        answer_press(person, query.id, _("This button is from an earlier step. "
                                         "Here is where you are now."))
        await _show_where(person)
        return
    sprint = await act(person, Press(session["step"], data.value))
    stale = any(isinstance(e, ev.Stale) for e in sprint.events)
    answer_press(person, query.id, _("This button no longer works. Here is where you are.")
                 if stale else None)
    # A tick on a checklist redraws its own keyboard; a choice that leads to a checklist is not.
    toggled = (len(sprint.events) == 1 and isinstance(sprint.events[0], ev.Checklist)
               and sprint.session["step"] == session["step"])
    if message is not None and toggled:
        calls = render_events(sprint.events, chat_id=person.chat_id, lang=sprint.session["lang"],
                              seq=sprint.session["seq"])
        person.send("editMessageReplyMarkup", {"message_id": message.message_id,
                                               "reply_markup": calls[-1].params["reply_markup"]})
        return
    if message is not None and not stale:
        label = _pressed_label(message, query.data)
        if label and message.text:
            person.send("editMessageText", {"message_id": message.message_id,
                                            "text": message.text_html + chosen_suffix(label),
                                            "parse_mode": "HTML",
                                            "link_preview_options": {"is_disabled": True}})
        else:
            person.send("editMessageReplyMarkup", {"message_id": message.message_id,
                                                   "reply_markup": {"inline_keyboard": []}})
    person.show(sprint)
    await after_sprint(person, sprint)


async def back(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/back: one step back; the answer given there is undone."""
    await _command(update, context, Back())


async def restart(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/restart: the current procedure from its beginning."""
    await _command(update, context, Restart())


async def _command(update: Update, context: ContextTypes.DEFAULT_TYPE, action: Any) -> None:
    person = await load_person(update, context)
    if await act_and_show(person, action) is None:
        person.say(escape(person.gettext("You are not in a procedure yet. Choose one:")))
        await show_menu(person)


async def text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Typed text: an answer to the current step, a message to a volunteer, or a search."""
    person = await load_person(update, context)
    message_text = update.effective_message.text or ""
    hook = person.hooks.get("text")
    if hook is not None and await hook(person, update.effective_message):
        return
    if not person.known:
        picker, markup = language_picker(person.user.lang)
        person.say(picker, markup)
        return
    if person.session and person.session.get("status") == "waiting":
        await act_and_show(person, Text(message_text))
        return
    found = find_procedures(person.flows, message_text, person.user.country,
                            person.user.lang)
    _ = person.gettext
    if found.flow_ids:
        rows = []
        for flow_id in found.flow_ids:
            flow = person.flows.flows[flow_id]
            label = flow.title.get(flow_language(person, flow))
            if found.elsewhere:  # nothing in the person's country: say whose procedure it is
                label = f"{country_name(person, flow.country)}: {label}"
            rows.append([key(label[:60], callbacks.encode("s", flow_id))])
        person.say(escape(_("These procedures may help:")), keyboard(rows))
        return
    person.say(escape(_("I did not find a procedure for that. Choose one from the menu, "
                        "or write /human to ask a volunteer.")))
    await show_menu(person)
