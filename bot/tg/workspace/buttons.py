"""The case card's buttons: Claim, Release, Transfer (then a volunteer), Close.

Each press is checked (a volunteer for the case's country, or an admin; the claimer for what
only the claimer may do), acted on through the mediation service (the same rules as the
private chat), and answered in the press's own little notice.
"""

from __future__ import annotations

from telegram import Update, User
from telegram.ext import ContextTypes

from bot.i18n import N_, gettext_for
from bot.services import mediation, privacy
from bot.services import workspace as rules
from bot.services.roles import Role, role_of
from bot.storage.cases import Case
from bot.storage.workspaces import Topic, Workspace
from bot.tg import callbacks
from bot.tg.keyboards import button, keyboard
from bot.tg.markup import escape
from bot.tg.mediation.texts import rating_keyboard
from bot.tg.turn import Turn, current_turn

from . import outgoing, texts

STALE = "This button no longer works."


def alias_of(role: Role, user: User) -> str:
    """What the person and the team see of a volunteer: their alias, else their first name
    (never their username)."""
    if role.volunteer is not None and role.volunteer.alias:
        return role.volunteer.alias
    return user.first_name or "Volunteer"


def tell_person(turn: Turn, case: Case, message: str, markup: dict | None = None,
                **values: str) -> None:
    """A line to the person, in their language (the catalogues' existing texts)."""
    if case.person_id is None or case.person_blocked:
        return
    params = {"chat_id": case.person_id, "parse_mode": "HTML", "text": escape(
        gettext_for(case.lang)(message).format(id=case.id, **values))}
    if markup is not None:
        params["reply_markup"] = markup
    turn.send("sendMessage", params, chat_id=case.person_id)


async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE,
                   workspace: Workspace) -> None:
    turn = current_turn()
    query = update.callback_query
    data = callbacks.decode(query.data)
    answer = await _act(turn, update, context, workspace, data)
    params = {"callback_query_id": query.id}
    if answer:
        params["text"] = answer
    turn.send("answerCallbackQuery", params)


async def _act(turn: Turn, update: Update, context: ContextTypes.DEFAULT_TYPE,
               workspace: Workspace, data: callbacks.Callback | None) -> str:
    if data is None or data.kind != "w":
        return STALE
    action, _, rest = data.value.partition(":")
    case_id = int(rest.split(":")[0])
    tx = turn.tx
    case, topic = await rules.case_topic(tx, case_id)
    if case is None or topic is None or topic.chat_id != workspace.chat_id:
        return STALE
    user = update.effective_user
    role = await role_of(tx, user.id, context.bot_data["settings"].admin_ids)
    if not rules.may_act(role, case):
        return texts.NOT_VOLUNTEER.format(country=case.country or "?")
    await privacy.handled_for_case(tx, turn.update_id, case)
    if action == "claim":
        return await _claim(turn, case, topic, role, user)
    if not case.active:
        return texts.CLOSED_ALREADY.format(id=case.id)
    if case.volunteer_id != user.id and not role.admin:
        if case.status != "taken":
            return texts.NOT_CLAIMER.format(alias="the claimer", id=case.id)
        return texts.NOT_CLAIMER.format(alias=topic.alias or "?", id=case.id)
    settings = context.bot_data["settings"]
    if action == "release":
        await mediation.release(tx, case, case.volunteer_id or user.id,
                                settings.renotify_minutes * 60,
                                settings.admin_escalation_minutes * 60)
        await outgoing.show_status(tx, topic, "unclaimed")
        tell_person(turn, case, N_("Your volunteer handed your case #{id} back; another "
                                   "volunteer will take it soon."))
        return texts.RELEASED.format(id=case.id)
    if action == "transfer":
        return await _offer_transfer(tx, case, topic)
    if action == "to":
        return await _transfer(turn, case, topic, int(rest.split(":")[1]), user.id)
    if action == "close":
        await mediation.close(tx, case, case.volunteer_id or user.id, case.outcome or "")
        await outgoing.close_topic(tx, topic)
        tell_person(turn, case, N_("Your case #{id} is closed.\nHow helpful was this?"),
                    rating_keyboard(case.id))
        return texts.CLOSED_NOW.format(id=case.id)
    return STALE


async def _claim(turn: Turn, case: Case, topic: Topic, role: Role, user: User) -> str:
    result = await rules.claim(turn.tx, case, user.id)
    if not result.won:
        if result.status == "closed":
            return texts.CLOSED_ALREADY.format(id=case.id)
        holder = topic.alias or "another volunteer"
        if result.holder == user.id:
            holder = "you"
        return texts.ALREADY.format(id=case.id, alias=holder)
    alias = alias_of(role, user)
    await outgoing.show_status(turn.tx, topic, "claimed", alias)
    tell_person(turn, case, N_("{name}, a volunteer, is now helping you with case #{id}. "
                               "Write here to talk to them."), name=alias)
    return texts.CLAIMED.format(id=case.id)


async def _offer_transfer(tx, case: Case, topic: Topic) -> str:
    others = await rules.colleagues(tx, case)
    if not others:
        return texts.NO_ONE.format(country=case.country or "?")
    rows = [[button(v.alias or f"#{v.user_id}", callbacks.encode("w", f"to:{case.id}:{v.user_id}"))]
            for v in others[:10]]
    await outgoing.post(tx, topic, escape(texts.TRANSFER_TO.format(id=case.id)), keyboard(rows))
    return ""


async def _transfer(turn: Turn, case: Case, topic: Topic, target_id: int, actor: int) -> str:
    target = await rules.volunteer(turn.tx, target_id)
    if target is None or not target.covers(case.country) or case.status != "taken":
        return STALE
    await mediation.transfer(turn.tx, case, case.volunteer_id or actor, target)
    alias = target.alias or f"#{target.user_id}"
    await outgoing.show_status(turn.tx, topic, "claimed", alias)
    tell_person(turn, case, N_("Another volunteer is now helping you with case #{id}."))
    return texts.TRANSFERRED.format(id=case.id, alias=alias)
