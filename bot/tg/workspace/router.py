"""Updates from groups that are (or want to become) a team workspace, before the group screen.

Why a gate of its own (handler group -2, ahead of bot/tg/handlers/chats.py): every other
group is screened out so that nothing personal is processed there; a bound workspace is the
one group where the team works, so its commands, topic messages and card buttons are
handled here and the update stops. `/workspace` is heard in any group (that is how one is
bound); a group's migration to a supergroup carries its binding along.
"""

from __future__ import annotations

from telegram import Chat, Message, Update
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.services import workspace as rules
from bot.tg.turn import current_turn

from . import binding, buttons, topic_side

GROUPS = (Chat.GROUP, Chat.SUPERGROUP)
TEAM_COMMANDS = ("note", "shift", "away", "available", "capacity")


def command_of(message: Message | None, bot_username: str | None) -> tuple[str, str] | None:
    """``(command, arguments)`` of a command addressed to this bot (or to no bot)."""
    if message is None or not message.text or not message.entities:
        return None
    first = message.entities[0]
    if first.type != "bot_command" or first.offset != 0:
        return None
    name, _, target = message.text[1:first.length].partition("@")
    if target and target.casefold() != (bot_username or "").casefold():
        return None
    return name.lower(), message.text[first.length:].strip()


async def route(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Handle what belongs to a workspace and stop; let everything else go to the screen."""
    chat = update.effective_chat
    user = update.effective_user
    if chat is None or chat.type not in GROUPS or (user is not None and user.is_bot):
        return
    message = update.message
    tx = current_turn().tx
    if message is not None and (message.migrate_to_chat_id or message.migrate_from_chat_id):
        old, new = ((chat.id, message.migrate_to_chat_id) if message.migrate_to_chat_id
                    else (message.migrate_from_chat_id, chat.id))
        await rules.migrated(tx, old, new)
        raise ApplicationHandlerStop
    command = command_of(message, context.bot.username)
    if command is not None and command[0] == "workspace":
        await binding.workspace_command(update, context, command[1])
        raise ApplicationHandlerStop
    workspace = await rules.of_chat(tx, chat.id)
    if workspace is None:
        return
    if update.callback_query is not None:
        await buttons.on_press(update, context, workspace)
    elif command is not None and command[0] in TEAM_COMMANDS:
        await topic_side.team_command(update, context, workspace, *command)
    elif message is not None and command is None and message.message_thread_id:
        await topic_side.on_topic_message(update, context, workspace)
    raise ApplicationHandlerStop
