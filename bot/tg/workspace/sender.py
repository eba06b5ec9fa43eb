"""Delivers the workspace outbox: one lane per group, in priority order, within its budget.

Why a sender of its own: calls into a case's topic name their thread only when they are
sent (the topic may not exist yet, or be recreated by a repair), the group has one budget
for all its topics, and what goes first is decided by what matters: the person's words, then
cards and icons, then notices, then the queue summary. A case's ordered rows keep their
order (its topic and card come before its first message); different cases interleave.

Each step reads the group's pending rows, picks the best one whose turn it is, and makes one
call (:mod:`bot.tg.workspace.calls` resolves it and records its outcome). Nothing is lost:
a row leaves ``pending`` only once Telegram has it, refused it for good, or it was replaced
by a newer edit of the same thing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from telegram import Bot

from bot.background import BackgroundWorker
from bot.config import Settings
from bot.storage import workspaces, ws_outbox
from bot.storage.db import Database
from bot.storage.workspaces import Topic
from bot.storage.ws_outbox import WsRow
from bot.tg.ratelimit import RateLimiter

from .budget import GroupBudget
from .calls import Calls

log = logging.getLogger(__name__)
POLL_S = 30.0
# Rows that need the case's topic (its thread, or its card) to exist first.
NEEDS_TOPIC = ("topic", "thread", "card")
INTERNAL = ("_topic", "_card", "_icon")


@dataclass(frozen=True)
class Choice:
    row: WsRow
    action: str  # "create" (the topic), "card" (post it), "send" (the row itself)
    words: bool


def choose(rows: list[WsRow], topics: dict[int, Topic], now: float) -> list[Choice]:
    """The rows whose turn it is, best first.

    A case's ordered rows go in id order (only its first pending one may go); a row that
    needs a topic not yet (re)created makes the topic (then its card) go first, at the
    priority of cards, oldest case first: during a burst, existing topics' words still go.
    """
    found: list[tuple[int, int, Choice]] = []
    heads: set[int] = set()
    for row in rows:
        if row.ordered and row.case_id is not None:
            if row.case_id in heads:
                continue
            heads.add(row.case_id)
        if row.due_at > now:
            continue
        topic = topics.get(row.case_id) if row.case_id is not None else None
        needs = row.target in NEEDS_TOPIC or row.method in INTERNAL
        action, priority = "send", row.priority
        if (needs and topic is not None and not topic.closed) or row.method == "_topic":
            if topic is not None and topic.thread_id is None:
                action = "create"
            elif topic is not None and topic.card_message_id is None:
                action = "card"
        if action != "send":
            if not row.ordered:
                continue  # an edit or icon waits: the card is posted fresh anyway
            priority = max(priority, ws_outbox.CARDS)
        found.append((priority, row.id, Choice(row, action, priority == ws_outbox.WORDS)))
    found.sort(key=lambda item: (item[0], item[1]))
    return [choice for _, _, choice in found]


class WorkspaceSender(BackgroundWorker):
    """The workspace outbox's delivery loop (one lane task per group with work)."""

    task_name = "passerelle-workspace"

    def __init__(self, bot: Bot, db: Database, settings: Settings, limiter: RateLimiter, *,
                 budget: GroupBudget | None = None, clock: Callable[[], float] = time.time
                 ) -> None:
        self.db = db
        self.budget = budget or GroupBudget()
        self._clock = clock
        self._limiter = limiter
        self._lanes: dict[int, asyncio.Task[None]] = {}
        self.calls = Calls(bot, db, settings, self.budget, clock)

    async def stop(self) -> None:
        await super().stop()
        lanes = list(self._lanes.values())
        for task in lanes:
            task.cancel()
        await asyncio.gather(*lanes, return_exceptions=True)

    async def _run(self) -> None:
        signal = self.db.signal(ws_outbox.SIGNAL)
        while True:
            signal.clear()
            self.db.take(ws_outbox.SIGNAL)
            now = self._clock()
            next_due = now + POLL_S
            try:
                for chat_id, due in await ws_outbox.chats_with_work(self.db):
                    if chat_id in self._lanes:
                        continue
                    if due <= now:
                        self._lanes[chat_id] = asyncio.create_task(
                            self._lane(chat_id), name="workspace-lane")
                    else:
                        next_due = min(next_due, due)
            except Exception:
                log.exception("workspace: reading the outbox failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(signal.wait(), max(0.05, next_due - self._clock()))

    async def _lane(self, chat_id: int) -> None:
        failed = False
        try:
            if not self.budget.seeded(chat_id):  # after a restart: what was spent still counts
                now = self._clock()
                sent = await ws_outbox.calls_since(self.db, chat_id, now - self.budget.span)
                self.budget.seed(chat_id, [now - at for at in sent])
            while await self.step(chat_id):
                pass
        except asyncio.CancelledError:
            raise
        except Exception:
            failed = True
            log.exception("workspace: the lane of a group failed; retrying shortly")
        finally:
            self._lanes.pop(chat_id, None)
        if failed:
            await asyncio.sleep(1.0)
        self.db.signal(ws_outbox.SIGNAL).set()

    async def step(self, chat_id: int) -> bool:
        """One call into the group (or one wait for its budget); False when nothing is due."""
        rows = await ws_outbox.pending(self.db, chat_id)
        if not rows:
            return False
        topics = {t.case_id: t for t in await workspaces.topics_of_chat(self.db, chat_id)}
        choices = choose(rows, topics, self._clock())
        if not choices:
            return False
        best = choices[0]
        if await self.calls.without_call(best, topics):
            return True
        wait = self.budget.wait(chat_id, best.words)
        if wait > 0:  # short naps: words queued meanwhile are chosen at the next look
            await asyncio.sleep(min(wait, 0.5))
            return True
        await self._limiter.acquire(chat_id)
        self.budget.take(chat_id)
        await self.calls.perform(best, topics)
        return True
