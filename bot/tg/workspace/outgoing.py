"""What the rest of the bot queues into a workspace: a case's topic, its words, its status.

Why here: private-chat mediation (the person's side) and the workspace's own handlers both
put things into topics; the rows say *what* (copy this message into the case's topic, show
this status) and the workspace sender resolves *where* when it sends them.
"""

from __future__ import annotations

from typing import Any

from bot.storage import workspaces, ws_outbox
from bot.storage.cases import Case
from bot.storage.db import Tx
from bot.storage.workspaces import Topic, Workspace
from bot.tg.markup import escape

from . import queue, texts


async def open_topic(tx: Tx, case: Case, workspace: Workspace) -> None:
    """The case enters the workspace: its topic (name, icon) and pinned card follow."""
    await workspaces.add_topic(tx, case.id, workspace.chat_id)
    await ws_outbox.enqueue(tx, workspace.chat_id, "_topic", {}, case_id=case.id,
                            priority=ws_outbox.CARDS)
    await queue.refresh(tx, workspace.chat_id)


async def copy_in(tx: Tx, topic: Topic, from_chat: int, message_id: int) -> None:
    """One of the person's messages, copied into the topic (no name, no username)."""
    await ws_outbox.enqueue(tx, topic.chat_id, "copyMessage", {
        "from_chat_id": from_chat, "message_id": message_id}, case_id=topic.case_id,
        target="topic", priority=ws_outbox.WORDS)


async def post(tx: Tx, topic: Topic, text_html: str, markup: dict[str, Any] | None = None,
               priority: int = ws_outbox.NOTICES) -> None:
    """A message of the bot in the case's topic (after the case's earlier rows)."""
    params: dict[str, Any] = {"text": text_html, "parse_mode": "HTML",
                              "link_preview_options": {"is_disabled": True}}
    if markup is not None:
        params["reply_markup"] = markup
    await ws_outbox.enqueue(tx, topic.chat_id, "sendMessage", params, case_id=topic.case_id,
                            target="topic", priority=priority)


async def show_status(tx: Tx, topic: Topic, status: str, alias: str | None = None) -> None:
    """The card and the icon show ``status``; edits of the same card are coalesced."""
    await workspaces.set_status(tx, topic.case_id, status, alias)
    if status == topic.status and alias in (None, topic.alias):
        return
    if "waiting" not in (status, topic.status):  # a turn of the talk is no queue news
        await queue.refresh(tx, topic.chat_id)
    for method in ("_card", "_icon"):
        await ws_outbox.enqueue(tx, topic.chat_id, method, {}, case_id=topic.case_id,
                                priority=ws_outbox.CARDS, ordered=False,
                                coalesce=f"{method}:{topic.case_id}")


async def mark_relayed(tx: Tx, chat_id: int, message_id: int) -> None:
    """A topic message reached the person: a reaction says so."""
    await ws_outbox.enqueue(tx, chat_id, "setMessageReaction", {
        "message_id": message_id,
        "reaction": [{"type": "emoji", "emoji": texts.RELAYED_MARK}]},
        priority=ws_outbox.CARDS, ordered=False)


async def close_topic(tx: Tx, topic: Topic) -> None:
    """The case is closed: the card says so, then the topic closes (after its last words)."""
    await show_status(tx, topic, "closed")
    await ws_outbox.enqueue(tx, topic.chat_id, "closeForumTopic", {}, case_id=topic.case_id,
                            target="thread", priority=ws_outbox.CARDS)


def mention(user_id: int, name: str) -> str:
    """A mention that notifies without a username: ``tg://user?id=``."""
    return f'<a href="tg://user?id={user_id}">{escape(name)}</a>'
