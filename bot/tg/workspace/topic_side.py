"""Messages and commands in a workspace: the claimer answers, everyone else takes notes.

Only the claimer's messages in a case's topic go to the person (signed with their alias,
never their username), and get a reaction that says they were sent; other volunteers'
messages are internal notes. Members who are not volunteers for the country may read; what
they write is not stored, and their commands are refused.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.services import mediation, privacy, shifts
from bot.services import workspace as rules
from bot.services.roles import role_of
from bot.storage.workspaces import Workspace
from bot.tg.markup import escape
from bot.tg.mediation import relay
from bot.tg.turn import current_turn

from . import outgoing, texts
from .binding import reply
from .buttons import alias_of


async def on_topic_message(update: Update, context: ContextTypes.DEFAULT_TYPE,
                           workspace: Workspace) -> None:
    """A message in a case's topic: to the person (the claimer's), or an internal note."""
    turn = current_turn()
    message = update.message
    kind = relay.kind_of(message)
    case, topic = await rules.case_in_thread(turn.tx, workspace.chat_id,
                                             message.message_thread_id)
    if topic is None or kind == "other":
        return  # the Queue topic, a service message (topic created, pinned…)
    user = update.effective_user
    role = await role_of(turn.tx, user.id, context.bot_data["settings"].admin_ids)
    if case is None or not rules.may_act(role, case):
        return
    await privacy.handled_for_case(turn.tx, turn.update_id, case)
    if not rules.reaches_person(case, user.id):
        await mediation.note(turn.tx, case, user.id, relay.content_of(message) or f"[{kind}]")
        return
    if case.person_blocked or case.person_id is None:
        await outgoing.post(turn.tx, topic, escape(texts.UNREACHABLE.format(id=case.id)))
        return
    await relay.volunteer_to_person(turn, case, message, alias_of(role, user))
    await outgoing.mark_relayed(turn.tx, workspace.chat_id, message.message_id)
    await outgoing.show_status(turn.tx, topic, "waiting")


async def team_command(update: Update, context: ContextTypes.DEFAULT_TYPE,
                       workspace: Workspace, name: str, args: str) -> None:
    """/note in a topic; /shift, /away, /available, /capacity anywhere in the workspace."""
    turn = current_turn()
    user = update.effective_user
    settings = context.bot_data["settings"]
    role = await role_of(turn.tx, user.id, settings.admin_ids)
    if name != "note":
        reply(update, await shifts.command(turn.tx, role, name, args))
        return
    message = update.message
    case, _topic = await rules.case_in_thread(turn.tx, workspace.chat_id,
                                              message.message_thread_id)
    if case is None:
        reply(update, texts.NOTE_USAGE)
        return
    if not rules.may_act(role, case):
        reply(update, texts.NOT_VOLUNTEER.format(country=case.country or "?"))
        return
    if not args:
        reply(update, texts.NOTE_USAGE)
        return
    await privacy.handled_for_case(turn.tx, turn.update_id, case)
    await mediation.note(turn.tx, case, user.id, args[:2000])
    reply(update, texts.NOTE_ADDED.format(id=case.id))
