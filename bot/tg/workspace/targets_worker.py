"""Posts a missed response target once in the case's topic, mentioning who should answer.

The timers are database rows (bot/services/targets.py); this worker finds the due ones, marks
each missed with a conditional update (so a miss is posted once, even by two processes), and
mentions the claimer, or the volunteers on shift for the country when nobody claimed it.
It also brings volunteers back whose ``/away until`` date has passed.
"""

from __future__ import annotations

import logging
import time

from bot.background import BackgroundWorker, sleep_until_due
from bot.services import shifts, targets
from bot.services.library import FlowLibrary
from bot.storage import cases, workspaces
from bot.storage import shifts as shift_rows
from bot.storage import targets as target_rows
from bot.storage.cases import Case
from bot.storage.db import Database, Tx

from . import outgoing, queue, texts

log = logging.getLogger(__name__)
MAX_SLEEP = 60.0
TEAM_MENTIONS = 5


class TargetWorker(BackgroundWorker):
    task_name = "passerelle-targets"

    def __init__(self, db: Database, library: FlowLibrary) -> None:
        self.db, self.library = db, library

    async def run_due(self, now: float | None = None) -> int:
        """Post every due miss (each in its own transaction); return how many were due."""
        now = time.time() if now is None else now
        due = await target_rows.due(self.db, now)
        for timer in due:
            async with self.db.transaction() as tx:
                case = await cases.get(tx, timer["case_id"])
                if case is None or not await targets.miss(tx, dict(timer), case):
                    continue
                await self._post(tx, case, timer["kind"])
        async with self.db.transaction() as tx:
            await shifts.return_from_away(tx, now)
        return len(due)

    async def _post(self, tx: Tx, case: Case, kind: str) -> None:
        topic = await workspaces.topic(tx, case.id)
        if topic is None or topic.closed:
            return  # a private-chat case: counted, nothing to post
        first, later = targets.windows(self.library.flows, case.country)
        if case.status == "taken" and case.volunteer_id is not None:
            who = outgoing.mention(case.volunteer_id, topic.alias or "the claimer")
        else:
            team = [s for s in await shift_rows.roster(tx)
                    if s.on_shift and case.country in s.countries]
            who = " ".join(outgoing.mention(s.user_id, s.alias or f"#{s.user_id}")
                           for s in team[:TEAM_MENTIONS]) or "Team, please claim it."
        text = (texts.MISSED_FIRST.format(target=int(first // 60), who=who) if kind == "first"
                else texts.MISSED_NEXT.format(target=int(later // 3600), who=who))
        await outgoing.post(tx, topic, text)
        await queue.refresh(tx, topic.chat_id)

    async def _run(self) -> None:
        wake = self.db.signal("targets")
        while True:
            try:
                await self.run_due()
                upcoming = await target_rows.next_due(self.db)
            except Exception:
                log.exception("targets: a run failed; retrying shortly")
                upcoming = None
            await sleep_until_due(wake, upcoming, time.time(), MAX_SLEEP)
