"""One workspace call: resolve the row against its topic, make the call, record the outcome.

Self-repair lives here. There is no update for a deleted topic: the failure of a send is the
signal. A send into a topic that fails with one of :data:`REPAIR` (deleted, closed, a right
lost, forum mode off) clears the case's thread id and leaves the row pending; the sender then
creates a new topic, re-posts the card, and sends the row again. The new thread id is stored
in the same transaction that records the repair and queues the admins' notice (once per
cause). A topic that cannot be created (rights, not a forum, the bot removed) is retried with
a growing delay: nothing is dropped and nothing loops.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from typing import Any

from telegram import Bot
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter

from bot.config import Settings
from bot.storage import cases, outbox, records, workspaces, ws_outbox
from bot.storage.db import Database
from bot.storage.workspaces import Topic
from bot.tg.api_calls import call_api, summary
from bot.tg.api_status import TokenRefused
from bot.tg.retry_policy import Backoff, retry_after_seconds

from . import queue, texts
from .budget import GroupBudget

log = logging.getLogger(__name__)

# Telegram's words for a topic that cannot take messages any more, and what they mean.
REPAIR = (("message thread not found", "topic_deleted"), ("TOPIC_DELETED", "topic_deleted"),
          ("TOPIC_ID_INVALID", "topic_deleted"), ("TOPIC_CLOSED", "topic_closed"),
          ("not enough rights", "rights"), ("the chat is not a forum", "not_forum"))
NOTICE_EVERY_S = 24 * 3600.0  # the admins hear of a cause once a day per group at most
TOPIC_COLOR = 0x6FB9F0  # one of the six colours Telegram allows; fixed at creation


def cause_of(error: str) -> str | None:
    lowered = error.lower()
    return next((cause for text, cause in REPAIR if text.lower() in lowered), None)


class Calls:
    def __init__(self, bot: Bot, db: Database, settings: Settings, budget: GroupBudget,
                 clock: Callable[[], float] = time.time) -> None:
        self.bot, self.db, self.settings, self.budget = bot, db, settings, budget
        self._clock = clock
        self._backoff = Backoff(2.0, 300.0)
        self._icons: dict[str, str] | None = None

    # -- rows that need no call -----------------------------------------------------------
    async def without_call(self, choice: Any, topics: dict[int, Topic]) -> bool:
        """Settle a row that needs no call (True), e.g. "ensure the topic" once it exists."""
        row = choice.row
        if choice.action != "send":
            return False
        topic = topics.get(row.case_id) if row.case_id is not None else None
        reason = None
        if row.method == "_topic":
            reason = "ready"
        elif row.method in ("_card", "_icon", "_close") and topic is None:
            reason = "no topic"
        elif row.method == "_icon" and await self._icon(topic.status) is None:
            reason = "no icon"
        if reason is None:
            return False
        async with self.db.transaction() as tx:
            await ws_outbox.mark_sent(tx, row.id, {"skipped": reason})
        return True

    # -- the call -------------------------------------------------------------------------
    async def perform(self, choice: Any, topics: dict[int, Topic]) -> None:
        row = choice.row
        topic = topics.get(row.case_id) if row.case_id is not None else None
        try:
            if choice.action == "create":
                await self._create(row, topic)
            elif choice.action == "card":
                await self._post_card(row, topic)
            elif row.method == "_queue":
                await queue.send(self.bot, self.db, row)
            else:
                method, params = await self._resolve(row, topic)
                result = summary(await call_api(self.bot, method, params))
                async with self.db.transaction() as tx:
                    await ws_outbox.mark_sent(tx, row.id, result)
        except RetryAfter as exc:
            delay = retry_after_seconds(exc)
            self.budget.pause(row.chat_id, delay)
            async with self.db.transaction() as tx:
                await ws_outbox.delay_chat(tx, row.chat_id, self._clock() + delay)
        except ChatMigrated as exc:
            async with self.db.transaction() as tx:
                await workspaces.migrate_chat(tx, row.chat_id, exc.new_chat_id)
            self.budget.rename(row.chat_id, exc.new_chat_id)
        except (BadRequest, Forbidden) as exc:
            await self._refused(choice, topic, exc)
        except NetworkError as exc:
            await self._later(row, f"{type(exc).__name__}")
        except TokenRefused:  # the runtime stops (exit 2); the row waits for a new token
            await asyncio.sleep(1.0)

    async def _resolve(self, row: ws_outbox.WsRow, topic: Topic | None
                       ) -> tuple[str, dict[str, Any]]:
        params = dict(row.params)
        params["chat_id"] = row.chat_id
        if row.method == "_card":
            case = await cases.get(self.db, row.case_id)
            text, markup = texts.card(case, topic.status, topic.alias,
                                      await cases.linked_to(self.db, case.id))
            return "editMessageText", {"chat_id": row.chat_id, "message_id":
                                       topic.card_message_id, "text": text,
                                       "parse_mode": "HTML", "reply_markup": markup}
        if row.method == "_icon":
            return "editForumTopic", {"chat_id": row.chat_id, "message_thread_id":
                                      topic.thread_id, "icon_custom_emoji_id":
                                      await self._icon(topic.status)}
        if row.target in ("topic", "thread"):
            params["message_thread_id"] = topic.thread_id if topic else None
        if row.target == "card":
            params["message_id"] = topic.card_message_id if topic else None
        return row.method, params

    async def _create(self, row: ws_outbox.WsRow, topic: Topic) -> None:
        case = await cases.get(self.db, topic.case_id)
        params: dict[str, Any] = {"chat_id": row.chat_id, "name": texts.topic_name(case),
                                  "icon_color": TOPIC_COLOR}
        icon = await self._icon(topic.status)
        if icon is not None:
            params["icon_custom_emoji_id"] = icon
        created = await call_api(self.bot, "createForumTopic", params)
        async with self.db.transaction() as tx:
            await workspaces.set_thread(tx, topic.case_id, int(created["message_thread_id"]))
            if topic.repair_cause is not None:  # the repair is recorded with the new id
                await records.audit(tx, topic.case_id, None, "topic_recreated",
                                    topic.repair_cause)
                await self._tell_admins(tx, row.chat_id, topic.repair_cause, topic.case_id)

    async def _post_card(self, row: ws_outbox.WsRow, topic: Topic) -> None:
        case = await cases.get(self.db, topic.case_id)
        text, markup = texts.card(case, topic.status, topic.alias,
                                  await cases.linked_to(self.db, case.id))
        sent = await call_api(self.bot, "sendMessage", {
            "chat_id": row.chat_id, "message_thread_id": topic.thread_id, "text": text,
            "parse_mode": "HTML", "reply_markup": markup})
        async with self.db.transaction() as tx:
            await workspaces.set_card(tx, topic.case_id, int(sent["message_id"]))
            await ws_outbox.enqueue(tx, row.chat_id, "pinChatMessage", {
                "chat_id": row.chat_id, "message_id": int(sent["message_id"]),
                "disable_notification": True}, case_id=topic.case_id,
                priority=ws_outbox.NOTICES, ordered=False)

    # -- failures -------------------------------------------------------------------------
    async def _refused(self, choice: Any, topic: Topic | None, exc: Exception) -> None:
        row = choice.row
        error = f"{type(exc).__name__}: {getattr(exc, 'message', exc)}"
        cause = cause_of(error) or ("kicked" if isinstance(exc, Forbidden) else None)
        if "not modified" in error.lower() or "topic_not_modified" in error.lower():
            async with self.db.transaction() as tx:
                await ws_outbox.mark_sent(tx, row.id, {"not_modified": True})
            return
        if row.method == "deleteForumTopic":  # /forget without the right: the admins act
            log.error("workspace: deleteForumTopic failed: %s", error)
            async with self.db.transaction() as tx:
                await ws_outbox.mark_failed(tx, row.id, error)
                await self._tell_admins(tx, row.chat_id, "delete_failed", None)
            return
        if row.method == "_queue" and cause not in ("rights", "not_forum", "kicked") and (
                cause is not None or "not found" in error or "can't be edited" in error):
            async with self.db.transaction() as tx:  # its topic or message is gone: again
                await queue.lost(tx, row, error)
                await ws_outbox.retry_at(tx, row.id, self._clock() + self._backoff(
                    row.attempts + 1), error)
            return
        if cause is None or row.case_id is None or topic is None:
            if cause in ("rights", "not_forum", "kicked") and row.case_id is None:
                await self._later(row, error, cause)  # e.g. the queue summary: wait
                return
            log.error("workspace: %s failed: %s", row.method, error)
            async with self.db.transaction() as tx:
                await ws_outbox.mark_failed(tx, row.id, error)
            return
        if choice.action == "create" or cause == "kicked":
            await self._later(row, error, cause)  # the topic cannot be made yet: wait
            return
        if topic.closed and row.priority != ws_outbox.WORDS:
            async with self.db.transaction() as tx:  # a closed case's topic is not rebuilt
                await ws_outbox.mark_failed(tx, row.id, error)
            return
        if row.method in ("_card", "_icon", "pinChatMessage") and choice.action == "send":
            async with self.db.transaction() as tx:  # re-rendered with the new card
                await ws_outbox.mark_sent(tx, row.id, {"superseded": cause})
                await workspaces.lose_thread(tx, topic.case_id, cause)
            return
        log.warning("workspace: topic of case %s lost (%s): recreating it", row.case_id, cause)
        async with self.db.transaction() as tx:
            await workspaces.lose_thread(tx, topic.case_id, cause)
            if topic.repairs >= 3:  # again and again: slow down, never spin
                await ws_outbox.retry_at(tx, row.id, self._clock() + self._backoff(
                    topic.repairs), error)

    async def _later(self, row: ws_outbox.WsRow, error: str, cause: str | None = None) -> None:
        delay = self._backoff(row.attempts + 1)
        log.warning("workspace: %s retried in %.0fs: %s", row.method, delay, error)
        async with self.db.transaction() as tx:
            await ws_outbox.retry_at(tx, row.id, self._clock() + delay, error)
            if cause is not None:
                await self._tell_admins(tx, row.chat_id, cause, row.case_id)

    async def _tell_admins(self, tx: Any, chat_id: int, cause: str, case_id: int | None
                           ) -> None:
        if cause not in texts.REPAIRED or not await workspaces.note_cause(
                tx, chat_id, cause, NOTICE_EVERY_S):
            return
        text = texts.REPAIRED[cause].format(id=case_id if case_id is not None else "-")
        for admin in sorted(self.settings.admin_ids):
            await outbox.enqueue(tx, admin, "sendMessage", {"chat_id": admin, "text": text})

    # -- icons ----------------------------------------------------------------------------
    async def _icon(self, status: str) -> str | None:
        """The custom emoji id of the status's icon (getForumTopicIconStickers, once)."""
        if self._icons is None:
            try:
                stickers = await call_api(self.bot, "getForumTopicIconStickers", {})
            except (BadRequest, NetworkError, Forbidden):
                return None
            self._icons = {}
            for sticker in stickers or []:
                data = sticker if isinstance(sticker, dict) else json.loads(sticker.to_json())
                if data.get("emoji") and data.get("custom_emoji_id"):
                    self._icons.setdefault(data["emoji"], data["custom_emoji_id"])
        return next((self._icons[e] for e in texts.ICONS.get(status, ()) if e in self._icons),
                    None)
