"""Background work of mediation: routing timers and the retention of message content.

Timers live in the database, so after a restart they are simply found again and run.
"""

from __future__ import annotations

import asyncio
import logging
import time

from bot.background import BackgroundWorker, sleep_until_due
from bot.config import Settings
from bot.services.mediation import RENOTIFY, TO_ADMINS
from bot.storage import cases, inbox, outbox, records
from bot.storage.db import Database, Tx
from bot.tg.turn import Turn

from .notify import notify

log = logging.getLogger(__name__)
MAX_SLEEP = 60.0


class TimerWorker(BackgroundWorker):
    """Re-notifies unclaimed cases, then hands them to the admins."""

    task_name = "passerelle-timers"

    def __init__(self, db: Database, settings: Settings) -> None:
        self.db, self.settings = db, settings

    async def run_due(self, now: float | None = None) -> int:
        """Run every due timer, each in its own transaction; return how many ran."""
        due = await records.due_timers(self.db, now or time.time())
        for timer in due:
            async with self.db.transaction() as tx:
                if not await records.claim_timer(tx, timer["id"]):
                    continue  # fired meanwhile, or being fired by another process
                case = await cases.get(tx, timer["case_id"])
                if case is not None and case.status == "open":
                    stage = 1 if timer["kind"] == RENOTIFY else 2
                    turn = Turn(tx, 0, None)
                    wave = await notify(turn, case, stage, self.settings)
                    await cases.set_stage(tx, case.id, stage)
                    if wave.more:
                        await self._next_wave(tx, case.id, timer["due_at"])
                    await turn.flush()
                await records.finish_timer(tx, timer["id"])
        return len(due)

    async def _next_wave(self, tx: Tx, case_id: int, due_at: float) -> None:
        """Volunteers were left out of this wave: another, wider one before the admins'."""
        at = due_at + self.settings.renotify_minutes * 60
        admins = await records.pending_timer(tx, case_id, TO_ADMINS)
        if admins is not None and at < admins:
            await records.add_timer(tx, RENOTIFY, case_id, at)

    async def _run(self) -> None:
        wake = self.db.signal("timers")
        while True:
            try:
                await self.run_due()
                upcoming = await records.next_timer(self.db)
            except Exception:
                log.exception("timers: a run failed; retrying shortly")
                upcoming = None
            await sleep_until_due(wake, upcoming, time.time(), MAX_SLEEP)


class RetentionWorker(BackgroundWorker):
    """Deletes relayed message content, inbox payloads and delivered outbox rows past
    RETENTION_DAYS; case records and anonymous counts stay."""

    task_name = "passerelle-retention"
    interval = 3600.0

    def __init__(self, db: Database, settings: Settings) -> None:
        self.db, self.settings = db, settings

    async def run_once(self, now: float | None = None) -> int:
        cutoff = (now or time.time()) - self.settings.retention_days * 86400
        async with self.db.transaction() as tx:
            purged = await cases.purge_content(tx, cutoff)
            await inbox.prune(tx, cutoff)
            await outbox.prune(tx, cutoff)
        await self.db.checkpoint()  # pages freed above leave no copy in the WAL
        return purged

    async def _run(self) -> None:
        while True:
            try:
                await self.run_once()
            except Exception:
                log.exception("retention: a run failed")
            await asyncio.sleep(self.interval)
