"""Where private-chat mediation hands over to a team workspace (bot/tg/workspace).

Why one small module: the person's side does not change (they write to the bot as always);
only where their case shows up does. A country with a bound workspace gets its cases as
topics there; the others keep the private-chat notifications.
"""

from __future__ import annotations

from bot.services import shifts
from bot.services import workspace as rules
from bot.storage import outbox, workspaces
from bot.storage.cases import Case
from bot.storage.db import Tx
from bot.storage.workspaces import Workspace
from bot.tg.markup import escape
from bot.tg.workspace import outgoing, texts

DIGEST_EVERY_S = 3600.0  # one digest an hour per workspace, however many cases wait


async def to_workspace(tx: Tx, case: Case, stage: int, admin_ids: frozenset[int]) -> bool:
    """Route the case to its country's workspace (its topic, once); False: no workspace."""
    workspace = await rules.route(tx, case)
    if workspace is None:
        return False
    if await workspaces.topic(tx, case.id) is None and case.active:
        await outgoing.open_topic(tx, case, workspace)
        await suggest(tx, case, workspace, admin_ids)
    return True


async def suggest(tx: Tx, case: Case, workspace: Workspace, admin_ids: frozenset[int]
                  ) -> None:
    """Mention the case to the next qualifying volunteer on shift (round robin); when
    nobody qualifies, the admins get one digest (at most one per DIGEST_EVERY_S)."""
    topic = await workspaces.topic(tx, case.id)
    chosen = await shifts.suggest(tx, case)
    if chosen is not None:
        name = chosen.alias or f"#{chosen.user_id}"
        await outgoing.post(tx, topic, texts.SUGGESTED.format(
            who=outgoing.mention(chosen.user_id, name), lang=escape(case.lang)))
        return
    if await workspaces.note_cause(tx, workspace.chat_id, "nobody", DIGEST_EVERY_S):
        text = texts.NOBODY.format(countries=", ".join(workspace.countries))
        for admin in sorted(admin_ids):
            await outbox.enqueue(tx, admin, "sendMessage", {"chat_id": admin, "text": text})


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
