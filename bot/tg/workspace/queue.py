"""The "Queue" topic: one pinned summary of the workspace, edited at most once a minute.

Open cases, unclaimed ones, the oldest wait, cases per volunteer, targets missed this month.
Every change (a case opens, is claimed, released, closed, misses a target) asks for a new
summary; the requests are coalesced into one pending edit, due a minute after the last one,
and it goes last in the group's budget (after the person's words, cards and notices).
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from telegram import Bot

from bot.storage import targets, workspaces, ws_outbox
from bot.storage.db import Database, Reader, Tx
from bot.storage.workspaces import Workspace
from bot.tg.api_calls import call_api
from bot.tg.markup import bold, escape

EVERY_S = 60.0
TOPIC_NAME = "Queue"


async def refresh(tx: Tx, chat_id: int) -> None:
    """Ask for a new summary (coalesced; not sooner than a minute after the last one)."""
    last = await ws_outbox.last_sent(tx, chat_id, "_queue")
    await ws_outbox.enqueue(tx, chat_id, "_queue", {}, priority=ws_outbox.SUMMARY,
                            ordered=False, coalesce="queue",
                            due_at=None if last is None else last + EVERY_S)


def _age(seconds: float) -> str:
    minutes = int(seconds // 60)
    return f"{minutes} min" if minutes < 120 else f"{minutes // 60} h"


async def render(db: Reader, workspace: Workspace, now: float | None = None) -> str:
    now = time.time() if now is None else now
    rows = await workspaces.active_cases(db, workspace.countries)
    unclaimed = [r for r in rows if r["status"] == "open"]
    per = Counter(r["alias"] or f"#{r['volunteer_id']}" for r in rows if r["status"] == "taken")
    month = datetime.fromtimestamp(now, UTC).strftime("%Y-%m")
    missed = await targets.missed_in(db, workspace.countries, month)
    oldest = min((r["created_at"] for r in unclaimed), default=None)
    lines = [bold(f"📋 Queue · {', '.join(workspace.countries)}"),
             escape(f"Open: {len(rows)} · unclaimed: {len(unclaimed)} · oldest unclaimed wait: "
                    + (_age(now - oldest) if oldest is not None else "—")),
             escape("Per volunteer: " + (", ".join(f"{name} {n}" for name, n in
                                                   sorted(per.items())) or "—")),
             escape(f"Targets missed in {month}: {missed}"),
             escape(datetime.fromtimestamp(now, UTC).strftime("Updated %H:%M UTC"))]
    if unclaimed:
        lines.append(escape("Unclaimed: " + " ".join(f"#{r['id']}" for r in unclaimed[:30])))
    return "\n".join(lines)


async def send(bot: Bot, db: Database, row: ws_outbox.WsRow) -> None:
    """One step of the summary: create the topic, post (and pin) it, or edit it.

    Raises what Telegram raised; :func:`lost` resets what a failure showed to be gone.
    """
    workspace = await workspaces.get(db, row.chat_id)
    if workspace is None:
        async with db.transaction() as tx:
            await ws_outbox.mark_sent(tx, row.id, {"skipped": "unbound"})
        return
    if workspace.queue_thread_id is None:
        created = await call_api(bot, "createForumTopic", {"chat_id": row.chat_id,
                                                           "name": TOPIC_NAME})
        async with db.transaction() as tx:
            await workspaces.set_queue_message(tx, row.chat_id,
                                               int(created["message_thread_id"]), None)
        return
    text = await render(db, workspace)
    if workspace.queue_message_id is None:
        sent = await call_api(bot, "sendMessage", {
            "chat_id": row.chat_id, "message_thread_id": workspace.queue_thread_id,
            "text": text, "parse_mode": "HTML"})
        async with db.transaction() as tx:
            await workspaces.set_queue_message(tx, row.chat_id, workspace.queue_thread_id,
                                               int(sent["message_id"]))
            await ws_outbox.mark_sent(tx, row.id, {"message_id": sent["message_id"]})
            await ws_outbox.enqueue(tx, row.chat_id, "pinChatMessage", {
                "message_id": int(sent["message_id"]), "disable_notification": True},
                priority=ws_outbox.SUMMARY, ordered=False)
        return
    await call_api(bot, "editMessageText", {"chat_id": row.chat_id, "text": text,
                                            "message_id": workspace.queue_message_id,
                                            "parse_mode": "HTML"})
    async with db.transaction() as tx:
        await ws_outbox.mark_sent(tx, row.id, {"edited": True})


async def lost(tx: Tx, row: ws_outbox.WsRow, error: str) -> Any:
    """The summary's topic or message is gone: made again at the next try."""
    workspace = await workspaces.get(tx, row.chat_id)
    if workspace is None:
        return
    if "edit not found" in error or "can't be edited" in error:
        await workspaces.set_queue_message(tx, row.chat_id, workspace.queue_thread_id, None)
    else:
        await workspaces.set_queue_message(tx, row.chat_id, None, None)
