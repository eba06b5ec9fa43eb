"""Commands on the volunteer's current case: /note, /release, /transfer, /close, /suggest.

Each one acts only on a case the volunteer holds (checked by `on_current_case`), and every
action is audited by the mediation service.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.i18n import N_, gettext_for
from bot.services import mediation
from bot.storage import cases, records, volunteers
from bot.storage.cases import Case
from bot.tg.followups.handlers import ask_case_outcome
from bot.tg.markup import escape
from bot.tg.person import Person

from . import relay
from .notify import notify, ui_lang
from .texts import context_message
from .volunteer_side import SUGGESTION_KINDS, on_current_case


async def note_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/note TEXT: an internal note on the current case; the person never sees it."""
    found = await on_current_case(update, context)
    if found is None:
        return
    person, case = found
    text = " ".join(context.args or ()).strip()
    if not text:
        person.say(escape(person.gettext("Write the note after /note.")))
        return
    await mediation.note(person.tx, case, person.user.user_id, text[:2000])
    person.say(escape(person.gettext("Note added to case #{id}.").format(id=case.id)))


async def release_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/release: put the current case back in the queue for another volunteer."""
    found = await on_current_case(update, context)
    if found is None:
        return
    person, case = found
    settings = person.settings
    await mediation.release(person.tx, case, person.user.user_id,
                            settings.renotify_minutes * 60, settings.admin_escalation_minutes * 60)
    person.say(escape(person.gettext("Case #{id} is back in the queue.").format(id=case.id)))
    case = await cases.get(person.tx, case.id)
    await notify(person.turn, case, 1, settings, exclude=frozenset({person.user.user_id}))
    _tell_person(person, case, N_("Your volunteer handed your case #{id} back; another "
                                  "volunteer will take it soon."))


async def transfer_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/transfer ID: hand the current case to another volunteer who covers its country."""
    found = await on_current_case(update, context)
    if found is None:
        return
    person, case = found
    _ = person.gettext
    target = None
    if context.args and context.args[0].isdigit():
        target = await volunteers.get(person.tx, int(context.args[0]))
    if target is None or target.user_id == person.user.user_id or not target.covers(case.country):
        person.say(escape(_("Write /transfer and the user id of a volunteer who covers this "
                            "country (see python -m bot volunteer list).")))
        return
    await mediation.transfer(person.tx, case, person.user.user_id, target)
    person.say(escape(_("Case #{id} was handed over.").format(id=case.id)))
    case = await cases.get(person.tx, case.id)
    messages = await cases.messages(person.tx, case.id)
    person.turn.send("sendMessage", {
        "chat_id": target.user_id, "parse_mode": "HTML",
        "text": context_message(case, messages, await ui_lang(person.tx, target.user_id))},
        ref=relay.case_ref(case.id, "context"), chat_id=target.user_id)
    _tell_person(person, case, N_("Another volunteer is now helping you with case #{id}."))


async def close_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/close [OUTCOME]: the outcome and blockers as buttons; typed words are an optional note.

    The case closes when the volunteer presses Done (bot/tg/followups/handlers.py), which
    also writes the anonymous outcome record and asks the person to rate the help.
    """
    found = await on_current_case(update, context)
    if found is None:
        return
    person, case = found
    outcome = " ".join(context.args or ()).strip()
    if outcome:
        await cases.set_outcome(person.tx, case.id, outcome[:500])
    ask_case_outcome(person, case)


def _tell_person(person: Person, case: Case, message: str) -> None:
    if case.person_id is None or case.person_blocked:
        return
    person.turn.send("sendMessage", {
        "chat_id": case.person_id,
        "text": escape(gettext_for(case.lang)(message).format(id=case.id))},
        chat_id=case.person_id)


async def suggest_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/suggest [unclear|outdated|other] TEXT: flag the current case's step for the admins."""
    found = await on_current_case(update, context)
    if found is None:
        return
    person, case = found
    args = list(context.args or ())
    kind = args.pop(0) if args and args[0] in SUGGESTION_KINDS else "other"
    text = " ".join(args).strip()
    if not text:
        person.say(escape(person.gettext("Write what is unclear or outdated, e.g. /suggest "
                                         "outdated the fee is now 2000.")))
        return
    await records.add_suggestion(person.tx, case.id, person.user.user_id, case.flow_id,
                                 case.step_id, kind, text[:2000])
    await records.audit(person.tx, case.id, person.user.user_id, "suggested", kind)
    person.say(escape(person.gettext("Thank you: the admins will see your suggestion for step "
                                     "{step}.").format(step=case.step_id or "-")))
