"""The person's side of mediation: asking for a volunteer, writing to them, rating the help."""

from __future__ import annotations

import time
from typing import Any

from telegram import Message, Update
from telegram.ext import ContextTypes

from bot.engine import Sprint
from bot.engine import events as ev
from bot.services import mediation
from bot.storage import cases, inbox, kv, records
from bot.tg import callbacks
from bot.tg.keyboards import button, keyboard
from bot.tg.markup import escape
from bot.tg.person import Person, load_person

from . import relay, ws_hooks
from .notify import notify
from .texts import person_opened

COMMENT_KEY = "awaiting_comment:{user_id}"
CONTACT_KEY = "contact_card:{user_id}"  # the contact card waiting for the person's consent
COMMENT_WINDOW_S = 3600.0  # a comment must follow the rating within the hour
MAX_COMMENT = 1000


async def escalate(person: Person, reason: str | None, *, step_id: str | None = None,
                   pause_flow: bool = True) -> None:
    """Open (or find) the person's case, tell them what happens next, notify volunteers.

    ``pause_flow``: /human and the volunteer button pause the question the person was at;
    an escalation step of the flow does not (the flow itself decides whether it goes on).
    """
    settings = person.settings
    opened = await mediation.open_case(
        person.tx, person_id=person.user.user_id, person_name=person.first_name,
        lang=person.lang, country=person.user.country, flows=person.flows,
        session=person.session, reason=reason, step_id=step_id,
        renotify_s=settings.renotify_minutes * 60, admins_s=settings.admin_escalation_minutes * 60)
    session = person.session
    if pause_flow and session is not None and session.get("status") == "waiting":
        # Typed text now goes to the case, not to the question; /back returns to the flow.
        await person.save_sprint(Sprint({**session, "status": "escalated"}, ()))
    person.say(person_opened(opened.case, opened.created, person.lang))
    if opened.created:
        await notify(person.turn, opened.case, 0, settings)


async def human_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/human [what you need]: talk to a volunteer."""
    person = await load_person(update, context)
    reason = " ".join(context.args or ()).strip() or None
    await escalate(person, reason[:500] if reason else None)


async def on_human_button(person: Person) -> None:
    await escalate(person, None)


async def on_escalate_step(person: Person, sprint: Sprint, reason: str) -> None:
    """An `escalate` step: the case names that step, and a flow that goes on is not paused."""
    step_id = next((event.step for event in sprint.events
                    if isinstance(event, ev.Escalate) and event.reason == reason), None)
    await escalate(person, reason, step_id=step_id, pause_flow=False)


async def on_message(person: Person, message: Message) -> bool:
    """Text or media from a person: a comment, a message for their case, or not ours."""
    if message.contact is not None:
        # A phone number is never stored: the card stays on Telegram's side until the
        # person confirms, and only its message id travels (in the buttons).
        await inbox.blank(person.tx, person.turn.update_id)
    if await _took_comment(person, message):
        return True
    case = await cases.active_for_person(person.tx, person.user.user_id)
    if case is None:
        case = await _follow_up_case(person)
    if case is None:
        return False
    if case.person_blocked:
        # They write again, so they unblocked the bot: their volunteer can reach them again.
        case = await mediation.person_back(person.tx, case)
    if message.contact is not None:
        await _ask_before_sharing(person, message.message_id)
        return True
    waiting = person.session is not None and person.session.get("status") == "waiting"
    if case.status == "open" and waiting and message.text is not None:
        return False  # they are answering a question of the procedure
    await relay.person_to_volunteer(person.turn, case, message)
    return True


async def _follow_up_case(person: Person) -> cases.Case | None:
    """Writing after a workspace case was closed opens a new case, linked to the old one
    (its topic is closed; a new topic carries the conversation on). Not while the person is
    answering a question of a procedure."""
    if person.session is not None and person.session.get("status") == "waiting":
        return None
    latest = await cases.latest_for_person(person.tx, person.user.user_id)
    if latest is None or latest.status != "closed" or latest.outcome == cases.FORGOTTEN \
            or not await ws_hooks.had_topic(person.tx, latest.id):
        return None
    settings = person.settings
    opened = await mediation.open_case(
        person.tx, person_id=person.user.user_id, person_name=person.first_name,
        lang=person.lang, country=latest.country, flows=person.flows, session=person.session,
        reason=latest.reason, renotify_s=settings.renotify_minutes * 60,
        admins_s=settings.admin_escalation_minutes * 60)
    await cases.link(person.tx, opened.case.id, latest.id)
    person.say(person_opened(opened.case, True, person.lang))
    await notify(person.turn, opened.case, 0, settings)
    return opened.case


async def _took_comment(person: Person, message: Message) -> bool:
    """The text right after a rating is its comment: once, soon after, and never an answer.

    Why the limits: a comment request left open would swallow whatever the person types days
    later, such as the answer to a question of a procedure they started since.
    """
    key = COMMENT_KEY.format(user_id=person.user.user_id)
    pending = await kv.get(person.tx, key)
    if pending is None or not message.text:
        return False
    await kv.delete(person.tx, key)
    case_id, _, until = pending.partition(":")
    waiting = person.session is not None and person.session.get("status") == "waiting"
    if waiting or (until and float(until) < time.time()):
        return False
    await cases.comment(person.tx, int(case_id), message.text[:MAX_COMMENT])
    await records.audit(person.tx, int(case_id), person.user.user_id, "commented")
    person.say(escape(person.gettext("Thank you, your comment was saved.")))
    return True


async def rate_button(person: Person, data: callbacks.Callback) -> bool:
    """r:<case>:<score> — only the case's own person, only once it is closed, only once."""
    case_id, score = (int(part) for part in data.value.split(":"))
    case = await cases.get(person.tx, case_id)
    _ = person.gettext
    if case is None:
        await records.audit(person.tx, case_id, person.user.user_id, "refused_rating", str(score))
    if case is None or not await mediation.rate(person.tx, case, person.user.user_id, score):
        person.say(escape(_("This button no longer works.")))
        return False
    await kv.put(person.tx, COMMENT_KEY.format(user_id=person.user.user_id),
                 f"{case_id}:{time.time() + COMMENT_WINDOW_S}")
    person.say(escape(_("Thank you! If you like, write a short comment now about the help "
                        "you got, or choose /menu.")))
    return True


async def _ask_before_sharing(person: Person, message_id: int) -> None:
    """A contact card reaches the volunteer only once the person says so."""
    _ = person.gettext
    await kv.put(person.tx, CONTACT_KEY.format(user_id=person.user.user_id), str(message_id))
    person.say(escape(_("Your volunteer will see the phone number on this contact card. "
                        "Send it to them?")),
               keyboard([[button(_("Yes, send it"), callbacks.encode("k", f"yes:{message_id}")),
                          button(_("No, keep it"), callbacks.encode("k", f"no:{message_id}"))]]))


async def contact_button(person: Person, data: callbacks.Callback) -> str:
    """k:<yes|no>:<message id> — relay the card, or drop it; only the card last asked about."""
    _ = person.gettext
    answer, _sep, message_id = data.value.partition(":")
    key = CONTACT_KEY.format(user_id=person.user.user_id)
    if await kv.get(person.tx, key) != message_id:
        return _("This button no longer works.")
    await kv.delete(person.tx, key)
    case = await cases.active_for_person(person.tx, person.user.user_id)
    if answer != "yes" or case is None:
        person.say(escape(_("Your phone number was not sent and is not stored.")))
        return _("Not sent.")
    await relay.contact_to_volunteer(person.turn, case, person.chat_id, int(message_id))
    return _("Sent to your volunteer.")


def hooks() -> dict[str, Any]:
    return {"human": on_human_button, "escalate": on_escalate_step}
