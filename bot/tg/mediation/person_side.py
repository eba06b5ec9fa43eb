"""The person's side of mediation: asking for a volunteer, writing to them, rating the help."""

from __future__ import annotations

from typing import Any

from telegram import Message, Update
from telegram.ext import ContextTypes

from bot.engine import Sprint
from bot.services import mediation
from bot.storage import cases, kv
from bot.tg import callbacks
from bot.tg.markup import escape
from bot.tg.person import Person, load_person

from . import relay
from .notify import notify
from .texts import person_opened

COMMENT_KEY = "awaiting_comment:{user_id}"
MAX_COMMENT = 1000


async def escalate(person: Person, reason: str | None) -> None:
    """Open (or find) the person's case, tell them what happens next, notify volunteers."""
    settings = person.settings
    opened = await mediation.open_case(
        person.tx, person_id=person.user.user_id, person_name=person.first_name,
        lang=person.lang, country=person.user.country, flows=person.flows,
        session=person.session, reason=reason,
        renotify_s=settings.renotify_minutes * 60, admins_s=settings.admin_escalation_minutes * 60)
    session = person.session
    if session is not None and session.get("status") == "waiting":
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
    await escalate(person, reason)


async def on_message(person: Person, message: Message) -> bool:
    """Text or media from a person: a comment, a message for their case, or not ours."""
    comment_key = COMMENT_KEY.format(user_id=person.user.user_id)
    pending = await kv.get(person.tx, comment_key)
    if pending is not None and message.text:
        await kv.delete(person.tx, comment_key)
        await cases.comment(person.tx, int(pending), message.text[:MAX_COMMENT])
        person.say(escape(person.gettext("Thank you, your comment was saved.")))
        return True
    case = await cases.active_for_person(person.tx, person.user.user_id)
    if case is None:
        return False
    waiting = person.session is not None and person.session.get("status") == "waiting"
    if case.status == "open" and waiting and message.text is not None:
        return False  # they are answering a question of the procedure
    await relay.person_to_volunteer(person.turn, case, message)
    return True


async def rate_button(person: Person, data: callbacks.Callback) -> bool:
    """r:<case>:<score> — only the case's own person, only once it is closed."""
    case_id, score = (int(part) for part in data.value.split(":"))
    case = await cases.get(person.tx, case_id)
    _ = person.gettext
    if case is None or not await mediation.rate(person.tx, case, person.user.user_id, score):
        person.say(escape(_("This button no longer works.")))
        return False
    await kv.put(person.tx, COMMENT_KEY.format(user_id=person.user.user_id), str(case_id))
    person.say(escape(_("Thank you! If you like, write a short comment now about the help "
                        "you got, or choose /menu.")))
    return True


def hooks() -> dict[str, Any]:
    return {"human": on_human_button, "escalate": on_escalate_step}
