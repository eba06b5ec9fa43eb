"""Delivers outbox rows to the Bot API: in order per chat, within flood limits, retried.

Why: every message the bot owes someone is in the outbox until Telegram has it. Each chat is a
lane that sends its rows strictly in ``id`` order: a row that cannot go yet (flood limit,
Telegram down) holds back the chat's later rows, so nobody receives answers before questions.
Different chats proceed side by side.

What one attempt's outcome means for the row (sent, retried, failed, chat blocked) is
:mod:`bot.tg.delivery`'s job; the retry delays are :mod:`bot.tg.retry_policy`'s; outcomes
are written by :mod:`bot.tg.delivery_commit`.

Delivery is at least once: if the process dies between Telegram's answer and the ``sent``
mark, the row is sent again after restart.

Fair under load: chat-lane rows always go before bulk-lane rows (see
:mod:`bot.storage.outbox`); the bulk lane is read a few chats at a time (at most
``bulk_lanes`` chats at once), so a wave of 100,000 follow-ups costs no more memory than a
few dozen conversations. Inside a chat, rows of different threads (a volunteer's cases)
are served round robin, and a burst of texts of one thread is merged into one message
(:mod:`bot.tg.delivery_plan`).

Cheap under load: a lane reads its chat's next rows in one query and delivers them; their
outcomes are written together with those of the other lanes (one transaction for every row
delivered meanwhile), and the lane waits for them before it reads again, so a delivered row
is never read as pending. At most ``max_in_flight`` calls are on the wire at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import random
import time
from collections.abc import Callable, Hashable

from telegram import Bot

from bot.storage import outbox
from bot.storage.db import Database
from bot.tg import delivery_plan
from bot.tg.api_calls import call_api, counts_as_message
from bot.tg.delivery import BlockedHook, Courier
from bot.tg.delivery_commit import OutcomeCommit
from bot.tg.ratelimit import RateLimiter
from bot.tg.retry_policy import Backoff, retry_after_seconds

# Re-exported: these were defined here first, and are imported from here.
__all__ = ["BlockedHook", "Sender", "call_api", "counts_as_message", "retry_after_seconds"]

log = logging.getLogger(__name__)


class Sender:
    """The outbox delivery loop; ``await start()`` / ``await stop()``."""

    def __init__(
        self,
        bot: Bot,
        db: Database,
        *,
        limiter: RateLimiter | None = None,
        on_blocked: BlockedHook | None = None,
        clock: Callable[[], float] = time.time,
        backoff_base: float = 1.0,
        backoff_cap: float = 60.0,
        poll_interval: float = 30.0,
        rng: random.Random | None = None,
        max_in_flight: int = 8,
        batch: int = 20,
        bulk_lanes: int = 64,
    ) -> None:
        self._db = db
        self._limiter = limiter or RateLimiter()
        self._clock = clock
        self._backoff = Backoff(backoff_base, backoff_cap, rng)
        self._poll_interval = poll_interval
        self._lanes: dict[Hashable, asyncio.Task[None]] = {}
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._batch = batch
        self._outcomes = OutcomeCommit(db)
        self._courier = Courier(bot=bot, db=db, limiter=self._limiter, outcomes=self._outcomes,
                                backoff=self._backoff, clock=clock, on_blocked=on_blocked,
                                max_in_flight=max_in_flight)
        self._rescan: set[Hashable] = set()  # chats given new work while busy: again after
        self._scan = True  # read every head at the next wake (else: only the chats posted)
        self._bulk_lanes = bulk_lanes
        self._bulk: set[Hashable] = set()  # lanes started for the bulk lane
        self._served: dict[int, dict[str | None, int]] = {}  # chat -> thread -> when served
        self._serve_seq = 0

    async def start(self) -> None:
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name="sender")

    async def stop(self, grace: float = 10.0) -> None:
        """Stop; deliveries in flight get ``grace`` seconds to finish and be recorded."""
        self._stopping = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        lanes = list(self._lanes.values())
        if lanes:
            _, late = await asyncio.wait(lanes, timeout=grace)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        await self._outcomes.drain()  # outcomes of cancelled lanes are still written

    def wake(self) -> None:
        """Rescan the outbox now (writers normally wake the sender through ``tx.post``)."""
        self._scan = True
        self._db.signal(outbox.SIGNAL).set()

    async def run_once(self) -> None:
        """Deliver every row due now, then return (tests; also a manual flush)."""
        await self._start_due()
        while self._lanes:
            await asyncio.gather(*self._lanes.values(), return_exceptions=True)

    def backoff(self, attempt: int) -> float:
        """Delay before retry number ``attempt`` (1, 2, 4… × base, capped; equal jitter)."""
        return self._backoff(attempt)

    async def _run(self) -> None:
        """Start lanes for the chats writers post; read every head at start, when a row
        falls due, after a lane was held back, and on each poll.

        Why not read every head after every commit: under load there is one per chat
        waiting, read again for each turn that commits.
        """
        signal = self._db.signal(outbox.SIGNAL)
        self._scan, scan_at = True, 0.0
        while not self._stopping:
            signal.clear()
            fresh = self._db.take(outbox.SIGNAL)
            now = self._clock()
            try:
                if fresh is not None and not self._scan and now < scan_at:
                    self._start_chats(fresh)
                if fresh is None or self._scan or now >= scan_at:
                    self._scan = False
                    scan_at = now + await self._start_due()
            except Exception:
                log.exception("sender: reading the outbox failed")
                self._scan, scan_at = True, now + self._poll_interval
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(signal.wait(), max(0.0, scan_at - self._clock()))

    def _start_chats(self, chats: list[int | None]) -> None:
        """A lane for each chat given new rows (a chat-less row needs a full read)."""
        for chat_id in chats:
            if chat_id is None or chat_id == outbox.BULK_POSTED:
                self._scan = True
            elif chat_id in self._lanes:
                self._rescan.add(chat_id)
            elif not self._stopping:
                self._start_lane(chat_id, 0, chat_id)

    def _start_lane(self, key: Hashable, row_id: int, chat_id: int | None) -> None:
        self._lanes[key] = asyncio.create_task(self._lane(key, row_id, chat_id),
                                               name="sender-lane")

    async def _start_due(self) -> float:
        """Start a lane for each idle chat whose chat-lane head is due, then for bulk rows
        while fewer than ``bulk_lanes`` bulk lanes run; return secs to the next due row."""
        now = self._clock()
        next_due = now + self._poll_interval
        for row_id, chat_id, due_at in await outbox.due_heads(self._db):
            key: Hashable = chat_id if chat_id is not None else ("row", row_id)
            if key in self._lanes:
                self._rescan.add(key)
                continue
            if self._stopping:
                continue
            if due_at <= now:
                self._start_lane(key, row_id, chat_id)
            else:
                next_due = min(next_due, due_at)
        room = self._bulk_lanes - len(self._bulk)
        if room > 0 and not self._stopping:
            for row_id, chat_id in await outbox.next_bulk(self._db, now, room + len(self._lanes)):
                key = chat_id if chat_id is not None else ("row", row_id)
                if key in self._lanes:
                    continue
                self._bulk.add(key)
                self._start_lane(key, row_id, chat_id)
                room -= 1
                if room == 0:
                    break
        bulk_due = await outbox.next_bulk_due(self._db)
        if bulk_due is not None and bulk_due > now:
            next_due = min(next_due, bulk_due)
        return max(0.0, next_due - now)

    async def _lane(self, key: Hashable, row_id: int, chat_id: int | None) -> None:
        clean = finished = False
        try:
            while (outcome := await self._deliver_due(row_id, chat_id)) == "more":
                if chat_id is None:
                    break
            finished = outcome == "done"
            clean = True
        except Exception:  # e.g. the database failed: leave the row pending, retry on poll
            log.exception("sender: lane for outbox row failed")
        finally:
            del self._lanes[key]
            busy = key in self._rescan
            self._rescan.discard(key)
            if finished and chat_id is not None:
                self._served.pop(chat_id, None)
            if key in self._bulk:
                self._bulk.discard(key)
                if len(self._bulk) <= self._bulk_lanes // 2:
                    self.wake()  # read the next chats of the bulk lane
            if not clean:  # no spin on a broken database: the next poll reads everything
                self._scan = True
            elif not finished:  # a row is not due yet, or waits for a retry: time it
                self.wake()
            elif busy and not self._stopping:  # rows were added while it was sending
                self._start_lane(key, row_id, chat_id)

    async def _deliver_due(self, row_id: int, chat_id: int | None) -> str:
        """Deliver the chat's due rows (see :func:`delivery_plan.plan`): "done" (none left
        when read), "more" (read again), or "held" (a row is not due, is waiting for a
        retry, or we are stopping).

        Rows are re-read (committed data) rather than taken from the scan: a lane may have
        sent them since (no double sends), and their ``due_at`` may have moved.
        """
        now = self._clock()
        if chat_id is None:
            row = await outbox.get(self._db, row_id)
            rows = [row] if row is not None and row.status == "pending" else []
            plan = delivery_plan.Plan([[r] for r in rows], True)
        else:
            rows = await outbox.pending_for_chat(self._db, chat_id, self._batch)
            served = self._served.setdefault(chat_id, {})
            plan = delivery_plan.plan(rows, served, now=now, batch=self._batch)
            plan = await self._choose_late(chat_id, plan, served)
            if plan.units:
                self._serve_seq += 1
                served[plan.thread] = self._serve_seq
        unsaved: list[asyncio.Future[None]] = []
        try:
            for unit in plan.units:
                if self._stopping or unit[0].due_at > self._clock():
                    return "held"
                if not await self._courier.deliver(unit, unsaved, counted=plan.counted):
                    return "held"
        finally:  # the next read must not see a delivered row as pending
            if unsaved:
                await asyncio.gather(*(asyncio.shield(f) for f in unsaved))
        return "done" if plan.complete else "more"

    async def _choose_late(self, chat_id: int, plan: delivery_plan.Plan,
                           served: dict[str | None, int]) -> delivery_plan.Plan:
        """With several threads waiting, wait for the chat's flood-limit slot first, then
        choose (read again): what arrived meanwhile takes its turn in the round robin, and
        more of a burst is merged. Chosen before waiting, a message that arrives just after
        would wait for the slot taken for another thread, then for its own.
        """
        if plan.complete or not plan.units or self._stopping:
            return plan
        row = plan.units[0][0]
        if not counts_as_message(row.method) or row.due_at > self._clock():
            return plan
        await self._limiter.acquire(chat_id, first=self._courier.opens_turn(row), lane=row.lane)
        rows = await outbox.pending_for_chat(self._db, chat_id, self._batch)
        fresh = delivery_plan.plan(rows, served, now=self._clock(), batch=self._batch)
        if not fresh.units:  # sent meanwhile (cannot happen: one lane per chat); a slot lost
            return fresh
        return dataclasses.replace(fresh, units=fresh.units[:1], complete=False, counted=True)
