"""Response-target timers of cases: rows, so they survive restarts and pause in SQL.

Each case has two rows: ``first`` (the first answer, running from the opening) and ``next``
(each later answer, running from the person's message). ``remaining`` holds the target's
window in seconds; ``due_at`` is set while the timer runs. A paused timer waits for the
person; a stopped one ended with the case. ``met``/``missed`` are final for ``first``; ``next``
re-arms at each exchange.
"""

from __future__ import annotations

from typing import Any

from bot.storage.db import Reader, Tx


async def start(tx: Tx, case_id: int, kind: str, window: float, running_from: float | None,
                country: str, month: str) -> None:
    """A timer for the case (running from ``running_from``, or paused when None)."""
    due = None if running_from is None else running_from + window
    await tx.execute(
        "INSERT INTO case_targets (case_id, kind, due_at, remaining, status, country, month)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (case_id, kind) DO NOTHING",
        (case_id, kind, due, window, "paused" if due is None else "running", country, month))


async def get(db: Reader, case_id: int, kind: str) -> Any:
    return await db.fetchone("SELECT * FROM case_targets WHERE case_id = ? AND kind = ?",
                             (case_id, kind))


async def resume(tx: Tx, case_id: int, kind: str, now: float) -> bool:
    """The person wrote: a paused timer runs again, for its whole window."""
    return await tx.changes(
        "UPDATE case_targets SET status = 'running', due_at = ? + remaining"
        " WHERE case_id = ? AND kind = ? AND status = 'paused'", (now, case_id, kind)) == 1


async def settle(tx: Tx, case_id: int, kind: str, status: str) -> str | None:
    """The team answered: a running timer becomes ``status`` (met, or paused for ``next``);
    a missed ``next`` waits for the following exchange. Returns the status it had."""
    row = await get(tx, case_id, kind)
    if row is None or row["status"] not in ("running", "missed"):
        return None
    if row["status"] == "missed" and kind == "first":
        return "missed"
    await tx.execute("UPDATE case_targets SET status = ?, due_at = NULL WHERE case_id = ?"
                     " AND kind = ?", (status, case_id, kind))
    return row["status"]


async def miss(tx: Tx, case_id: int, kind: str) -> bool:
    """Mark a due timer missed: True only for the caller that changed it (posted once)."""
    return await tx.changes("UPDATE case_targets SET status = 'missed', due_at = NULL"
                            " WHERE case_id = ? AND kind = ? AND status = 'running'",
                            (case_id, kind)) == 1


async def stop(tx: Tx, case_id: int) -> None:
    """The case closed: its timers stop (met and missed stay as they are)."""
    await tx.execute("UPDATE case_targets SET status = 'stopped', due_at = NULL"
                     " WHERE case_id = ? AND status IN ('running', 'paused')", (case_id,))


async def due(db: Reader, now: float, limit: int = 200) -> list[Any]:
    return await db.fetchall("SELECT * FROM case_targets WHERE status = 'running'"
                             " AND due_at <= ? ORDER BY due_at LIMIT ?", (now, limit))


async def next_due(db: Reader) -> float | None:
    row = await db.fetchone("SELECT MIN(due_at) AS due FROM case_targets"
                            " WHERE status = 'running'")
    return None if row is None or row["due"] is None else float(row["due"])


async def missed_in(db: Reader, countries: tuple[str, ...], month: str) -> int:
    """Targets missed this month in these countries (the queue summary)."""
    if not countries:
        return 0
    marks = ",".join("?" * len(countries))
    row = await db.fetchone(f"SELECT COUNT(*) AS n FROM case_targets WHERE status = 'missed'"
                            f" AND month = ? AND country IN ({marks})", (month, *countries))
    return int(row["n"])
