"""Thin handlers: the offer at a procedure's end, the follow-up buttons, closing a case with
an outcome. Each parses, calls a service (followups, outcomes) and renders with texts.py."""

from __future__ import annotations

import time

from bot.engine import Sprint
from bot.engine import events as ev
from bot.engine.outcomes import parse_quiet_hours
from bot.i18n import N_, gettext_for
from bot.services import followups, outcomes
from bot.storage import cases
from bot.storage.cases import Case
from bot.tg import callbacks
from bot.tg.keyboards import remove
from bot.tg.markup import escape
from bot.tg.mediation.texts import rating_keyboard
from bot.tg.person import Person

from . import texts

ACCEPTED = "followup_accepted"  # in the session: the seq whose offer was accepted


def _office_of(person: Person, sprint: Sprint) -> str | None:
    """The office of the last place step this sprint ran through, if it names one."""
    for flow_id, step_id in reversed(sprint.trace):
        flow = person.flows.flows.get(flow_id)
        step = flow.steps.get(step_id) if flow else None
        if step is not None and step.kind == "place" and step.office_ref:
            return step.office_ref
    return None


async def on_end(person: Person, sprint: Sprint) -> None:
    """A procedure ended: offer follow-ups when its flow file defines any."""
    if not any(isinstance(event, ev.End) for event in sprint.events):
        return
    if followups.offered_flow(person.flows, sprint.session) is None:
        return
    text, markup = texts.offer(sprint.session.get("lang", person.lang), sprint.session["seq"],
                               _office_of(person, sprint))
    person.say(text, markup)


def _edit_markup(person: Person, message_id: int | None, markup: dict | None = None) -> None:
    if message_id is not None:
        person.send("editMessageReplyMarkup", {"message_id": message_id,
                                               "reply_markup": markup or remove()})


def _ask_blockers(person: Person, message_id: int | None, toggled: bool, markup: dict,
                  question: str) -> None:
    """A tick redraws the blockers' own keyboard; the first time, they are asked below."""
    if toggled and message_id is not None:
        _edit_markup(person, message_id, markup)
        return
    _edit_markup(person, message_id)
    person.say(question, markup)


async def on_button(person: Person, data: callbacks.Callback, message_id: int | None
                    ) -> str | None:
    """Buttons of kind `u` (the person's follow-ups) and `o` (a volunteer closing a case)."""
    parts = data.value.split(":")
    if data.kind == "o":
        return await _case_button(person, parts, message_id)
    action, args = parts[0], parts[1:]
    if action in ("y", "n") and args and args[0].isdigit():
        return await _offer_answer(person, action == "y", int(args[0]),
                                   args[1] if len(args) > 1 else None, message_id)
    if not args or not args[0].isdigit():
        return None
    run_id = int(args[0])
    _ = person.gettext
    if action == "s":
        if await followups.stop(person.tx, run_id, person.user.user_id):
            _edit_markup(person, message_id)
            person.say(escape(_("Stopped: you will get no more messages about this procedure.")))
        return None
    run = await followups.own_run(person.tx, run_id, person.user.user_id)
    if run is None or run.status != "active":
        _edit_markup(person, message_id)
        return _("This button no longer works. Here is where you are.")
    result = args[1] if len(args) > 1 else ""
    mask = int(args[2]) if len(args) > 2 and args[2].isdigit() else 0
    blockers = outcomes.blockers_for(person.flows, run.country)
    if action == "b" or (action == "r" and blockers):
        # Asked after "got it" too: an unofficial fee paid on the way is what reports need.
        _ask_blockers(person, message_id, action == "b", texts.blockers_keyboard(
            "u", run_id, result, mask, blockers, run.lang),
            texts.blockers_question(run.lang, volunteer=False, worked=result == "got_it"))
        return None
    if action in ("r", "d") and await followups.answer(
            person.tx, person.flows, run_id, person.user.user_id, result=result, mask=mask,
            now=time.time()):
        _edit_markup(person, message_id)
        person.say(texts.thanks(run.lang))
    return None


async def _offer_answer(person: Person, yes: bool, seq: int, office_id: str | None,
                        message_id: int | None) -> str | None:
    _ = person.gettext
    session = person.session
    _edit_markup(person, message_id)
    if not yes:
        person.say(escape(_("All right: I will not write to you about it.")))
        return None
    if session is None or session.get("seq") != seq or session.get(ACCEPTED) == seq:
        return _("This button is from an earlier step. Here is where you are now.")
    settings = person.settings
    done = await followups.accept(person.tx, person.flows, session,
                                  user_id=person.user.user_id, office_id=office_id,
                                  now=time.time(),
                                  default_quiet=parse_quiet_hours(settings.quiet_hours))
    if done is None:
        return _("This button no longer works. Here is where you are.")
    # A second press (a double tap, before the keyboard is gone) must not make a second run.
    await person.save_sprint(Sprint({**session, ACCEPTED: seq}, ()))
    flow = followups.offered_flow(person.flows, session)
    tz, _quiet = followups.zone(person.flows, flow.country if flow else None, None)
    person.say(texts.accepted(session.get("lang", person.lang), done[1], tz))
    return None


async def _case_button(person: Person, parts: list[str], message_id: int | None
                       ) -> str | None:
    if len(parts) < 3 or not parts[1].isdigit():
        return None
    action, case_id, result = parts[0], int(parts[1]), parts[2]
    mask = int(parts[3]) if len(parts) > 3 and parts[3].isdigit() else 0
    case = await cases.get(person.tx, case_id)
    _ = person.gettext
    if case is None or case.status != "taken" or case.volunteer_id != person.user.user_id:
        _edit_markup(person, message_id)
        return _("This button no longer works. Here is where you are.")
    blockers = outcomes.blockers_for(person.flows, case.country)
    if action in ("r", "b") and blockers:
        _ask_blockers(person, message_id, action == "b", texts.blockers_keyboard(
            "o", case_id, result, mask, blockers, person.lang),
            texts.blockers_question(person.lang, volunteer=True))
        return None
    if await outcomes.close_case(person.tx, case, person.user.user_id, result=result, mask=mask,
                                 flows=person.flows, now=time.time()):
        _edit_markup(person, message_id)
        person.say(escape(_("Case #{id} is closed.").format(id=case.id)))
        tell_person_closed(person, case)
    return None


def tell_person_closed(person: Person, case: Case) -> None:
    """The person hears their case is closed (with the typed outcome, if any) and may rate."""
    if case.person_id is None or case.person_blocked:
        return
    _p = gettext_for(case.lang)
    if case.outcome:
        text = _p(N_("Your case #{id} is closed. Outcome: {outcome}\nHow helpful was this?")
                  ).format(id=case.id, outcome=case.outcome)
    else:
        text = _p(N_("Your case #{id} is closed.\nHow helpful was this?")).format(id=case.id)
    person.turn.send("sendMessage", {"chat_id": case.person_id, "parse_mode": "HTML",
                                     "text": escape(text),
                                     "reply_markup": rating_keyboard(case.id)},
                     chat_id=case.person_id)


def ask_case_outcome(person: Person, case: Case) -> None:
    """After /close: the outcome as buttons, then the blockers."""
    text, markup = texts.case_outcome_question(case.id, person.lang)
    person.say(text, markup)
