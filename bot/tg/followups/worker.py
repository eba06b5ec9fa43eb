"""The background worker that fires follow-up and reminder timers and announces change notes.

Timers are rows in the database: at start the worker simply finds them (nothing is held in
memory), so follow-ups survive restarts. It wakes when a timer is added or the flows are
reloaded (the `followups` signal), at the next due time, or every `MAX_SLEEP` seconds.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from bot.background import BackgroundWorker, sleep_until_due
from bot.config import Settings
from bot.engine import FlowSet
from bot.engine.outcomes import parse_quiet_hours
from bot.services import announcements, followups
from bot.services.library import FlowLibrary
from bot.storage import followups as store
from bot.storage.db import Database

from . import texts

log = logging.getLogger(__name__)
MAX_SLEEP = 60.0


class FollowupWorker(BackgroundWorker):
    """Sends due follow-ups and reminders; announces new change notes after each load."""

    task_name = "passerelle-followups"
    clock: Callable[[], float] = staticmethod(time.time)  # tests move time by replacing it

    def __init__(self, db: Database, library: FlowLibrary, settings: Settings) -> None:
        self.db, self.library, self.settings = db, library, settings
        self._announced_for: FlowSet | None = None

    async def run_once(self) -> int:
        """Announce notes of a newly loaded flow set, then fire due timers."""
        flows = self.library.flows
        if flows is not self._announced_for:
            await announcements.announce(self.db, flows, texts.change_note)
            self._announced_for = flows
            await followups.prune(self.db)
        return await followups.fire_due(self.db, flows, texts.compose, now=self.clock(),
                                        default_quiet=parse_quiet_hours(
                                            self.settings.quiet_hours))

    async def _run(self) -> None:
        wake = self.db.signal(store.SIGNAL)
        while True:
            try:
                await self.run_once()
                upcoming = await store.next_due(self.db)
            except Exception:
                log.exception("followups: a run failed; retrying shortly")
                upcoming = None
            await sleep_until_due(wake, upcoming, self.clock(), MAX_SLEEP)
