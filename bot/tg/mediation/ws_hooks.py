"""Where private-chat mediation hands over to a team workspace (bot/tg/workspace).

Why one small module: the person's side does not change (they write to the bot as always);
only where their case shows up does. A country with a bound workspace gets its cases as
topics there; the others keep the private-chat notifications.
"""

from __future__ import annotations

from bot.services import workspace as rules
from bot.storage import workspaces
from bot.storage.cases import Case
from bot.storage.db import Tx
from bot.tg.workspace import outgoing


async def to_workspace(tx: Tx, case: Case, stage: int) -> bool:
    """Route the case to its country's workspace (its topic, once); False: no workspace."""
    workspace = await rules.route(tx, case)
    if workspace is None:
        return False
    if await workspaces.topic(tx, case.id) is None and case.active:
        await outgoing.open_topic(tx, case, workspace)
    return True


async def person_wrote(tx: Tx, case: Case, chat_id: int, message_id: int) -> bool:
    """Copy the person's message into the case's topic; False: the case has none."""
    topic = await workspaces.topic(tx, case.id)
    if topic is None:
        return False
    await outgoing.copy_in(tx, topic, chat_id, message_id)
    if topic.status == "waiting":
        await outgoing.show_status(tx, topic, "claimed")
    return True


async def had_topic(tx: Tx, case_id: int) -> bool:
    """Whether the case was worked in a workspace (its follow-up goes there too)."""
    return await workspaces.topic(tx, case_id) is not None
