"""The volunteer's workplace: take, switch, answer, note, release, transfer, close, suggest.

Every action checks the role and the case's scope first; forged or foreign case numbers are
refused and audited.
"""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import ContextTypes

from bot.i18n import N_, gettext_for
from bot.services import mediation, privacy
from bot.services.roles import Role, role_of
from bot.storage import cases, outbox, records, volunteers
from bot.storage.cases import Case
from bot.tg import callbacks
from bot.tg.keyboards import button, keyboard
from bot.tg.markup import bold, escape
from bot.tg.person import Person, load_person

from . import relay
from .notify import mark_taken
from .shift_commands import away_until
from .texts import case_line, context_message

SUGGESTION_KINDS = ("unclear", "outdated", "other")
LIST_LIMIT = 20  # open cases listed by /cases (the oldest; 10 of them get a button)


async def _role(person: Person) -> Role:
    return await role_of(person.tx, person.user.user_id, person.settings.admin_ids)


def alias_of(role: Role, person: Person) -> str:
    if role.volunteer is not None and role.volunteer.alias:
        return role.volunteer.alias
    return person.first_name or person.gettext("Volunteer")


async def _volunteer(update: Update, context: ContextTypes.DEFAULT_TYPE,
                     ) -> tuple[Person, Role] | None:
    person = await load_person(update, context)
    role = await _role(person)
    if not role.is_volunteer:
        person.say(escape(person.gettext("This command is for volunteers.")))
        return None
    return person, role


async def _current_case(person: Person, role: Role) -> Case | None:
    """The case a volunteer's command is about: their current one, checked again."""
    case_id = role.volunteer.current_case if role.volunteer else None
    if case_id is None:
        for_me = await cases.for_volunteer(person.tx, person.user.user_id)
        case_id = for_me[0].id if len(for_me) == 1 else None
    case = await cases.get(person.tx, case_id) if case_id else None
    if case is None or not role.can_act_on(case):
        person.say(escape(person.gettext("You have no current case. Use /cases, then /case N.")))
        return None
    await _handled_for(person, case)
    return case


async def _handled_for(person: Person, case: Case | None) -> None:
    """Tag this update with the case, so /forget of its person blanks it too (it may quote
    them: a reply, a press on their case's message, /close OUTCOME)."""
    if case is not None:
        await privacy.handled_for_case(person.tx, person.turn.update_id, case)


async def on_current_case(update: Update, context: ContextTypes.DEFAULT_TYPE,
                           ) -> tuple[Person, Case] | None:
    """For commands about the current case: the volunteer and their case, both checked."""
    found = await _volunteer(update, context)
    if found is None:
        return None
    case = await _current_case(*found)
    return None if case is None else (found[0], case)


async def show_case(person: Person, case: Case) -> None:
    messages = await cases.messages(person.tx, case.id)
    # In the case's thread: its context goes before its relays, whatever other cases send.
    thread = relay.case_thread(case.id)
    person.turn.send("sendMessage", {"chat_id": person.chat_id, "parse_mode": "HTML",
                                     "text": context_message(case, messages, person.lang)},
                     ref=relay.case_ref(case.id, "context"), thread=thread)
    for message in messages:
        if message["direction"] == "in" and message["kind"] != "text" and message["chat_id"]:
            person.turn.send("copyMessage", {"chat_id": person.chat_id,
                                             "from_chat_id": message["chat_id"],
                                             "message_id": message["message_id"]},
                             ref=relay.case_ref(case.id, "in"), thread=thread)


async def take_button(person: Person, case_id: int) -> str:
    """v:take:N — the answer text for the button press."""
    _ = person.gettext
    role = await _role(person)
    case = await cases.get(person.tx, case_id)
    await _handled_for(person, case)
    if case is None or not role.is_volunteer or not role.can_see(case):
        await records.audit(person.tx, case_id, person.user.user_id, "refused_take")
        return _("You cannot take this case.")
    if not await mediation.take(person.tx, case_id, person.user.user_id):
        if case.volunteer_id == person.user.user_id and case.status == "taken":
            return _("You already have case #{id}.").format(id=case_id)
        if case.status == "closed":
            return _("Case #{id} is closed.").format(id=case_id)
        return _("Case #{id} was already taken by another volunteer.").format(id=case_id)
    await mark_taken(person.turn, case_id, person.user.user_id)
    case = await cases.get(person.tx, case_id)
    await show_case(person, case)
    if not case.person_blocked and case.person_id is not None:
        _p = gettext_for(case.lang)
        person.turn.send("sendMessage", {
            "chat_id": case.person_id, "parse_mode": "HTML",
            "text": escape(_p(N_("{name}, a volunteer, is now helping you with case #{id}. "
                                 "Write here to talk to them.")).format(name=alias_of(role, person),
                                                              id=case.id))},
            chat_id=case.person_id)
    return _("You took case #{id}.").format(id=case_id)


async def switch_case(person: Person, case_id: int) -> str:
    _ = person.gettext
    role = await _role(person)
    case = await cases.get(person.tx, case_id)
    await _handled_for(person, case)
    if case is None or not role.can_act_on(case):
        await records.audit(person.tx, case_id, person.user.user_id, "refused_switch")
        return _("You are not handling case #{id}.").format(id=case_id)
    await volunteers.set_current_case(person.tx, person.user.user_id, case_id)
    await show_case(person, case)
    return _("Now on case #{id}.").format(id=case_id)


async def volunteer_button(person: Person, data: callbacks.Callback) -> str:
    action, _, number = data.value.partition(":")
    if action == "take":
        return await take_button(person, int(number))
    return await switch_case(person, int(number))


async def on_message(person: Person, message: Message) -> bool:
    """A volunteer's message: a reply to a case (by reply or current case), or not ours."""
    role = await _role(person)
    if not role.is_volunteer:
        return False
    case_id = None
    if message.reply_to_message is not None:
        ref = await outbox.ref_of_message(person.tx, person.chat_id,
                                          message.reply_to_message.message_id)
        case_id = relay.case_id_from_ref(ref)
    if case_id is None and role.volunteer is not None:
        case_id = role.volunteer.current_case
    if case_id is None:  # no current case (e.g. just closed one): their only case, if any
        mine = await cases.for_volunteer(person.tx, person.user.user_id)
        case_id = mine[0].id if len(mine) == 1 else None
    if case_id is None:
        return False
    _ = person.gettext
    case = await cases.get(person.tx, case_id)
    await _handled_for(person, case)
    if case is None or not role.can_act_on(case):
        person.say(escape(_("You are not handling case #{id}.").format(id=case_id)))
        return True
    if case.person_blocked or case.person_id is None:
        person.say(escape(_("The person in case #{id} blocked the bot or erased their data: "
                            "messages cannot reach them.").format(id=case.id)))
        return True
    await volunteers.set_current_case(person.tx, person.user.user_id, case.id)
    await relay.volunteer_to_person(person.turn, case, message, alias_of(role, person))
    return True


async def cases_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/cases: my cases, then open cases in my countries and languages, oldest first."""
    found = await _volunteer(update, context)
    if found is None:
        return
    person, role = found
    _ = person.gettext
    mine = await cases.for_volunteer(person.tx, person.user.user_id)
    waiting = await _open_in_scope(person, role)
    lines = [bold(_("Your cases"))] + [case_line(c, person.lang) for c in mine]
    if not mine:
        lines.append(escape(_("none")))
    lines += ["", bold(_("Open cases"))] + [case_line(c, person.lang) for c in waiting]
    if not waiting:
        lines.append(escape(_("none")))
    rows = [[button(_("Switch to #{id}").format(id=c.id), callbacks.encode("v", f"case:{c.id}"))]
            for c in mine[:10]]
    rows += [[button(_("✋ Take case #{id}").format(id=c.id),
                     callbacks.encode("v", f"take:{c.id}"))] for c in waiting[:10]]
    person.say("\n".join(lines), keyboard(rows))


async def _open_in_scope(person: Person, role: Role) -> list[Case]:
    """Open cases a volunteer may take: their countries and languages; when none, their
    countries in any language (the second routing tier reaches them too); admins: all."""
    if role.admin or role.volunteer is None:
        return await cases.open_cases(person.tx, limit=LIST_LIMIT)
    scope = role.volunteer
    return (await cases.open_cases(person.tx, scope.countries, scope.languages, LIST_LIMIT)
            or await cases.open_cases(person.tx, scope.countries, limit=LIST_LIMIT))


async def case_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/case N: switch to case N."""
    found = await _volunteer(update, context)
    if found is None:
        return
    person = found[0]
    if not context.args or not context.args[0].lstrip("#").isdigit():
        person.say(escape(person.gettext("Write /case and the case number, e.g. /case 12.")))
        return
    person.say(escape(await switch_case(person, int(context.args[0].lstrip("#")))))


async def available_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/available: new cases may be sent to me."""
    await _availability(update, context, True)


async def away_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/away [until DATE]: send new cases to others first (until that date)."""
    if context.args:
        await away_until(update, context)
        return
    await _availability(update, context, False)


async def _availability(update: Update, context: ContextTypes.DEFAULT_TYPE,
                        available: bool) -> None:
    person = await load_person(update, context)
    role = await _role(person)
    _ = person.gettext
    if role.volunteer is None:
        person.say(escape(_("This command is for volunteers.")))
        return
    await volunteers.set_available(person.tx, person.user.user_id, available)
    person.say(escape(_("You are available: new cases will reach you.") if available else
                      _("You are away: new cases go to others first.")))
