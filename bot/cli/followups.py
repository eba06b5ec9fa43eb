"""`python -m bot followups`: what follow-ups are waiting, and which change notes went out.

Counts only (no user ids): an admin checks that reminders are queued after a release, or that
a change note reached the people who reported a blocker, without reading anyone's data.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from typing import TextIO

from bot.config import Settings
from bot.storage import followups
from bot.storage.db import Database


def _when(ts: float | None) -> str:
    return "-" if ts is None else datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M UTC")


async def report(db: Database) -> list[str]:
    lines = ["procedure: active / answered / stopped runs, reported a blocker, "
             "messages to send (next)"]
    rows = await followups.summary(db)
    lines += [f"  {r['flow_id']}: {r['active']} / {r['answered']} / {r['stopped']}, "
              f"{r['reported']}, {r['pending']} ({_when(r['next_due'])})" for r in rows]
    if not rows:
        lines.append("  (no follow-ups yet)")
    lines.append("change notes announced: procedure/note, recipients, when")
    notes = await followups.change_notes(db)
    lines += [f"  {n['flow_id']}/{n['note_id']}: {n['recipients']}, {_when(n['announced_at'])}"
              for n in notes]
    if not notes:
        lines.append("  (none yet)")
    return lines


def run(settings: Settings, out: TextIO = sys.stdout) -> int:
    async def main() -> list[str]:
        db = await Database.open(settings.database, create=False)
        try:
            return await report(db)
        finally:
            await db.close()

    print("\n".join(asyncio.run(main())), file=out)
    return 0
