"""Processes inbox rows: chats side by side, each chat's updates strictly in order.

Why: a person's messages must be handled in the order they were sent (a reply to a question
must not overtake the question), while one busy or stuck chat must not hold up the others.
Each chat gets a lane (a queue with one worker task); a lane exists only while it has work.

Each update is one turn: one transaction in which the row is claimed (marked done), PTB's
handlers run (registered with ``block=True``, so inside ``process_update``) and their queued
calls go to the outbox. If a handler raises, everything it did is rolled back and the row is
marked ``failed`` in a new transaction, so the chat's later updates still go on.

All turns share the database's single writer, so handlers must stay short and never wait on
the network: their output goes through the outbox.

A chat that floods the bot (see :mod:`bot.services.flood`) is slowed down in its own lane:
its next update waits in the inbox (stored, nothing lost) while every other chat goes on,
and the first slowed update's turn also runs ``on_flood`` (one polite notice).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import traceback
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import Application, ContextTypes

from bot.background import BackgroundWorker
from bot.ops import metrics
from bot.services.flood import FloodGuard
from bot.storage import inbox, outbox
from bot.storage.db import Database
from bot.tg.shared_dispatch import SharedLoop
from bot.tg.turn import Turn, bind, current_turn

log = logging.getLogger(__name__)

# Called (in a fresh turn, so it may send an apology) after an update's handler failed.
FailureHook = Callable[[Update | None, BaseException], Awaitable[None]]
# Called inside the turn of the first update of a chat that was slowed down (a notice).
FloodHook = Callable[[Update], Awaitable[None]]


# (update_id, chat_id) of an inbox row, or (update_id, chat_id, payload) when the intake
# posted it: the update is then parsed before its turn takes the database's only writer.
Key = tuple[int, int | None] | tuple[int, int | None, dict[str, Any]]


@dataclass
class _Lane:
    rows: deque[Key] = field(default_factory=deque)
    task: asyncio.Task[None] | None = None


class Dispatcher(BackgroundWorker):
    """Runs pending inbox rows through ``application.process_update``."""

    task_name = "dispatcher"

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        db: Database,
        *,
        on_failed: FailureHook | None = None,
        poll_interval: float = 30.0,
        flood: FloodGuard | None = None,
        on_flood: FloodHook | None = None,
        lease_seconds: float = 10.0,
    ) -> None:
        self._app = application
        self._db = db
        self._on_failed = on_failed
        self._flood = flood
        self._on_flood = on_flood
        self._stopped = asyncio.Event()  # wakes lanes that wait out a flood
        self._poll_interval = poll_interval
        self._lanes: dict[int | None, _Lane] = {}
        self._queued: set[int] = set()
        self._stopping = False
        # PostgreSQL: several processes share the inbox; rows are claimed, not queued.
        self._shared = SharedLoop(self, lease_seconds) if db.postgres else None
        application.add_error_handler(_record_error)

    async def start(self) -> None:
        """Initialise the application and start processing, beginning with rows left pending."""
        await self._app.initialize()  # idempotent; process_update refuses to run without it
        self._stopping = False
        self._stopped.clear()
        await super().start()

    async def stop(self) -> None:
        """Let the turns in progress finish; rows not started stay pending for next time."""
        self._stopping = True
        self._stopped.set()
        for lane in self._lanes.values():
            self._queued.difference_update(row[0] for row in lane.rows)
            lane.rows.clear()
        await super().stop()
        await self._join_lanes()
        if self._shared is not None:
            await self._shared.stop()

    async def process_pending(self) -> None:
        """Queue every pending row and wait until the lanes are empty (used by tests, too)."""
        if self._shared is not None:
            await self._shared.drain()
            return
        for key in await inbox.pending_keys(self._db):
            self._queue(key)
        await self._join_lanes()

    async def _run(self) -> None:
        """Queue what the intake posts; read every pending row at start and on each poll.

        Why not read the inbox after every commit: under load that reads every pending row
        again for each stored batch. The full read catches rows left pending after an error.
        """
        if self._shared is not None:
            await self._shared.run()
            return
        signal = self._db.signal(inbox.SIGNAL)
        scan = True
        while not self._stopping:
            signal.clear()
            arrived = self._db.take(inbox.SIGNAL)
            try:
                if scan or arrived is None:
                    arrived = await inbox.pending_keys(self._db)
                scan = False
                for key in arrived:
                    self._queue(key)
            except Exception:
                log.exception("dispatcher: reading the inbox failed")
                scan = True
            try:
                await asyncio.wait_for(signal.wait(), self._poll_interval)
            except TimeoutError:
                scan = True

    async def _join_lanes(self) -> None:
        while self._lanes:
            tasks = [lane.task for lane in self._lanes.values() if lane.task is not None]
            await asyncio.gather(*tasks, return_exceptions=True)

    def _queue(self, key: Key) -> None:
        update_id, chat_id = key[0], key[1]
        if self._stopping or update_id in self._queued:
            return
        self._queued.add(update_id)
        lane = self._lanes.setdefault(chat_id, _Lane())
        lane.rows.append(key)
        if lane.task is None:
            lane.task = asyncio.create_task(self._drain(chat_id), name="dispatcher-lane")

    async def _drain(self, key: int | None) -> None:
        lane = self._lanes[key]
        try:
            while lane.rows:
                notice = await self._slow_down(key)
                if not lane.rows:  # stopping while it waited: the rows stay pending
                    break
                row = lane.rows.popleft()
                update_id, chat_id = row[0], row[1]
                try:
                    await self._process(update_id, chat_id, row[2] if len(row) > 2 else None,
                                        notice=notice)
                except Exception:  # bookkeeping failed (e.g. database error): retry later
                    log.exception("dispatcher: update %s could not be recorded", update_id)
                finally:
                    self._queued.discard(update_id)
        finally:
            for row in lane.rows:
                self._queued.discard(row[0])
            del self._lanes[key]

    async def _slow_down(self, chat_id: int | None) -> bool:
        """Wait while the chat is over its budget; True if it should get the notice now."""
        if self._flood is None or chat_id is None:
            return False
        notice = False
        while not self._stopping:
            verdict = self._flood.check(chat_id)
            notice = notice or verdict.notice
            if verdict.wait <= 0:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopped.wait(), verdict.wait)
        return notice

    async def _process(self, update_id: int, chat_id: int | None,
                       posted: dict[str, Any] | None = None, *, notice: bool = False,
                       owner: str | None = None) -> None:
        """One update's turn. ``owner``: the process's lease (PostgreSQL), which must still
        hold; a transient database error (PostgreSQL unreachable, a deadlock) is raised for
        the caller to retry instead of failing the update."""
        update: Update | None = None
        early = None
        if posted is not None:
            with contextlib.suppress(Exception):  # unparseable: it fails in its turn below
                early = self._parse(update_id, posted)
        try:
            async with self._db.transaction() as tx:
                # Claimed (marked done) first: a rollback below makes it pending again.
                claimed = await inbox.claim(tx, update_id, owner)
                if claimed is None:
                    return  # finished meanwhile (it was read before its turn committed)
                with bind(Turn(tx, update_id, chat_id)) as turn:
                    if claimed.chat_blocked:
                        await _track_reachability(turn, claimed.payload)
                    # The stored payload decides (/forget may have blanked it since).
                    update = (early if early is not None and claimed.payload == posted
                              else self._parse(update_id, claimed.payload))
                    await self._app.process_update(update)
                    if turn.error is not None:
                        raise turn.error
                    if notice and self._on_flood is not None:
                        try:  # a notice that cannot be written must not fail the update
                            await self._on_flood(update)
                        except Exception as exc:
                            log.error("flood notice for update %s failed: %s", update_id,
                                      describe(exc))
                    await turn.flush()
            metrics.UPDATES_PROCESSED.inc()
        except Exception as exc:
            if self._db.transient(exc):
                raise
            log.error("update %s failed: %s", update_id, describe(exc))
            # Frames only: the exception's message may quote what the person wrote.
            log.debug("update %s failed at:\n%s", update_id,
                      "".join(traceback.format_tb(exc.__traceback__)).rstrip())
            # The row's error may quote the message (the row holds it anyway; /forget blanks
            # both); the log line above must not.
            await self._fail(update_id, chat_id, update, exc, f"{describe(exc)}: {exc}"[:2000])

    def _parse(self, update_id: int, payload: dict[str, Any]) -> Update:
        return Update.de_json({**payload, "update_id": update_id}, self._app.bot)

    async def _fail(self, update_id: int, chat_id: int | None, update: Update | None,
                    exc: BaseException, error: str) -> None:
        metrics.UPDATES_FAILED.inc()
        if self._on_failed is not None:
            try:
                async with self._db.transaction() as tx:
                    with bind(Turn(tx, update_id, chat_id)) as turn:
                        await self._on_failed(update, exc)
                        await turn.flush()
                        await inbox.mark_failed(tx, update_id, error)
                return
            except Exception as hook_exc:
                log.error(
                    "on_failed hook for update %s failed: %s", update_id, describe(hook_exc)
                )
        async with self._db.transaction() as tx:
            await inbox.mark_failed(tx, update_id, error)


async def _track_reachability(turn: Turn, payload: dict[str, Any]) -> None:
    """An update from a blocked chat proves the bot can reach it again, unless it says
    otherwise (e.g. the update is the news that the person blocked the bot)."""
    if turn.chat_id is None:
        return
    member = payload.get("my_chat_member")
    if isinstance(member, dict):
        status = member.get("new_chat_member", {}).get("status")
        if status in ("kicked", "left"):
            return
    await outbox.unblock_chat(turn.tx, turn.chat_id)


async def _record_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """PTB error handler: hand a handler's exception to the turn so the turn rolls back."""
    try:
        turn = current_turn()
    except RuntimeError:
        return
    if turn.error is None and context.error is not None:
        turn.error = context.error


def describe(exc: BaseException) -> str:
    """Exception type and where it was raised, without its message.

    Why: messages of exceptions raised while handling an update can quote what the person
    wrote; logs and the inbox's ``error`` column must not.
    """
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" at {frames[-1].filename}:{frames[-1].lineno}" if frames else ""
    return f"{type(exc).__module__}.{type(exc).__qualname__}{where}"
