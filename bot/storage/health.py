"""What monitoring needs to know about the queues, read in one trip per question.

Only counts and ages: nothing here names a person.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from bot.storage.db import Reader


@dataclass(frozen=True)
class QueueHealth:
    inbox_pending: int
    inbox_oldest_age_s: float
    outbox_pending: int
    outbox_oldest_age_s: float
    cases_open: int
    cases_unclaimed: int
    unclaimed_oldest_age_s: float


async def queue_health(db: Reader, now: float | None = None) -> QueueHealth:
    """Pending work and open cases; an age is 0 when nothing waits."""
    now = time.time() if now is None else now
    inbox = await db.fetchone(
        "SELECT COUNT(*), MIN(received_at) FROM inbox WHERE status = 'pending'")
    outbox = await db.fetchone(
        "SELECT COUNT(*), MIN(created_at) FROM outbox WHERE status = 'pending'")
    cases = await db.fetchone(
        "SELECT COUNT(*), SUM(status = 'open'), MIN(CASE WHEN status = 'open' THEN created_at END)"
        " FROM cases WHERE status IN ('open', 'taken')")

    def age(oldest: float | None) -> float:
        return 0.0 if oldest is None else max(0.0, now - oldest)

    return QueueHealth(
        inbox_pending=inbox[0], inbox_oldest_age_s=age(inbox[1]),
        outbox_pending=outbox[0], outbox_oldest_age_s=age(outbox[1]),
        cases_open=cases[0], cases_unclaimed=cases[1] or 0,
        unclaimed_oldest_age_s=age(cases[2]),
    )


@dataclass(frozen=True)
class FileHealth:
    schema_version: int
    integrity: str  # "ok", or SQLite's first complaint


def file_health(path: Path) -> FileHealth:
    """Read-only look at a database file: its schema version and a quick integrity check."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        integrity = conn.execute("PRAGMA quick_check").fetchone()[0]
    finally:
        conn.close()
    return FileHealth(version, integrity)
