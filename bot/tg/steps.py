"""Running a person's flow from Telegram: open a procedure, apply an action, show the result."""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable

from bot.engine import Action, Sprint, current, resume, start
from bot.engine import events as ev
from bot.i18n import format_answer, format_day, language_name, regional_language

from . import callbacks
from .keyboards import button, keyboard
from .markup import bold, escape
from .menus import flow_language
from .person import Person

EscalationHook = Callable[[Person, Sprint, str], Awaitable[None]]


def answer_text(value: object, kind: str, lang: str) -> str:
    """An answer inserted into a flow text (`{name}`): typed `**` must not become bold."""
    return format_answer(value, kind, lang).replace("**", "* *")


def flow_intro(person: Person, flow_id: str, lang: str) -> str:
    """Title, what it is for, its official sources and review date: honesty first."""
    _ = person.gettext
    flow = person.flows.flows[flow_id]
    lines = [bold(flow.title.get(lang)), escape(flow.description.get(lang)), ""]
    sources = ", ".join(f'<a href="{html.escape(s.url, quote=True)}">{escape(s.title)}</a>'
                        for s in flow.sources)
    lines.append(escape(_("Sources")) + ": " + sources)
    if flow.last_reviewed:
        lines.append(escape(_("Last checked by volunteers: {date}").format(
            date=format_day(flow.last_reviewed, person.lang))))
    lines.append(escape(_("Rules and fees change: check with the office before you go.")))
    if lang in flow.unreviewed:
        lines.append(escape(_("This translation has not yet been checked by a native speaker. "
                              "If something is unclear, a volunteer can help: /human")))
    if lang != person.lang:
        lines.append(escape(_("This procedure is not available in {language}; it is shown in "
                              "{other}.").format(language=language_name(person.lang),
                                                 other=language_name(lang))))
    return "\n".join(lines)


async def set_country(person: Person, code: str) -> None:
    """Remember the country. A speaker of a language written in another script there (Uzbek
    in Kyrgyzstan: i18n.REGIONAL_LANGUAGES) gets that script first, with one button back to
    the one they had."""
    before = person.user.lang
    regional = regional_language(before, code)
    if regional is None or before is None:
        await person.update_user(country=code)
        return
    await person.update_user(country=code, lang=regional)
    _ = person.gettext
    person.say(escape(_("Language: {language}").format(language=language_name(regional))),
               keyboard([[button(language_name(before), callbacks.encode("l", before))]]))


async def open_flow(person: Person, flow_id: str) -> Sprint:
    flow = person.flows.flows[flow_id]
    if person.user.country != flow.country:
        await set_country(person, flow.country)
    lang = flow_language(person, flow)
    sprint = start(person.flows, flow_id, lang, fmt=answer_text)
    await person.save_sprint(sprint)
    person.say(flow_intro(person, flow_id, lang))
    person.show(sprint)
    await after_sprint(person, sprint)
    return sprint


async def act(person: Person, action: Action | None) -> Sprint | None:
    """Apply an action (None: show the current step again); None when there is no session."""
    if person.session is None:
        return None
    if action is None:
        sprint = current(person.flows, person.session, fmt=answer_text)
    else:
        sprint = resume(person.flows, person.session, action, fmt=answer_text)
    await person.save_sprint(sprint)
    return sprint


async def act_and_show(person: Person, action: Action | None) -> Sprint | None:
    sprint = await act(person, action)
    if sprint is not None:
        person.show(sprint)
        await after_sprint(person, sprint)
    return sprint


async def after_sprint(person: Person, sprint: Sprint) -> None:
    """Hand escalation steps to the volunteer service, an end to follow-ups (bot_data hooks)."""
    hook: EscalationHook | None = person.hooks.get("escalate")
    for event in sprint.events if hook is not None else ():
        if isinstance(event, ev.Escalate):
            await hook(person, sprint, event.reason)
    ended = person.hooks.get("ended")  # after the case message: the offer comes last
    if ended is not None:
        await ended(person, sprint)


def waiting_question(person: Person) -> str | None:
    """The kind of answer the person's current step expects, or None outside a question."""
    session = person.session
    if not session or session.get("status") != "waiting":
        return None
    flow = person.flows.flows.get(session["flow"])
    step = flow.steps.get(session["step"]) if flow else None
    if step is None or not step.is_question:
        return None
    return step.input if step.kind == "ask" else ("choice" if step.kind == "choose"
                                                   else "checklist")
