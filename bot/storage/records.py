"""Small append-mostly records: the audit trail, routing timers, suggestions, counters."""

from __future__ import annotations

import time
from typing import Any

from bot.storage.db import Reader, Tx
from bot.storage.dialect import postgres, skip_locked


async def audit(tx: Tx, case_id: int | None, actor_id: int | None, action: str,
                detail: str | None = None) -> None:
    """Every case action, by whom; details never hold message content."""
    await tx.execute("INSERT INTO audit (case_id, actor_id, action, detail, at)"
                     " VALUES (?, ?, ?, ?, ?)", (case_id, actor_id, action, detail, time.time()))


async def audit_for_case(db: Reader, case_id: int) -> list[Any]:
    return await db.fetchall("SELECT * FROM audit WHERE case_id = ? ORDER BY id", (case_id,))


async def add_timer(tx: Tx, kind: str, case_id: int, due_at: float) -> None:
    await tx.execute("INSERT INTO timers (kind, case_id, due_at) VALUES (?, ?, ?)",
                     (kind, case_id, due_at))
    tx.signal("timers")


async def due_timers(db: Reader, now: float) -> list[Any]:
    return await db.fetchall("SELECT * FROM timers WHERE done = 0 AND due_at <= ?"
                             " ORDER BY due_at", (now,))


async def next_timer(db: Reader) -> float | None:
    row = await db.fetchone("SELECT MIN(due_at) AS due FROM timers WHERE done = 0")
    return None if row is None else row["due"]


async def pending_timer(db: Reader, case_id: int, kind: str) -> float | None:
    """When the case's pending ``kind`` timer is due (None: there is none)."""
    row = await db.fetchone("SELECT MIN(due_at) AS due FROM timers WHERE case_id = ?"
                            " AND kind = ? AND done = 0", (case_id, kind))
    return None if row is None else row["due"]


async def finish_timer(tx: Tx, timer_id: int) -> None:
    await tx.execute("UPDATE timers SET done = 1 WHERE id = ?", (timer_id,))


async def claim_timer(tx: Tx, timer_id: int) -> bool:
    """Take a due timer for this transaction: False if it fired already or another process
    is firing it now (``SKIP LOCKED``: it does not wait). Each timer fires once."""
    row = await tx.fetchone("SELECT id FROM timers WHERE id = ? AND done = 0"
                            + skip_locked(postgres(tx)), (timer_id,))
    return row is not None


async def cancel_timers(tx: Tx, case_id: int) -> None:
    await tx.execute("UPDATE timers SET done = 1 WHERE case_id = ? AND done = 0", (case_id,))


async def add_suggestion(tx: Tx, case_id: int | None, volunteer_id: int, flow_id: str | None,
                         step_id: str | None, kind: str, text: str) -> int:
    cursor = await tx.execute(
        "INSERT INTO suggestions (case_id, volunteer_id, flow_id, step_id, kind, text,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (case_id, volunteer_id, flow_id, step_id, kind, text, time.time()))
    return int(cursor.lastrowid)


async def suggestions(db: Reader, limit: int = 50) -> list[Any]:
    return await db.fetchall("SELECT * FROM suggestions ORDER BY id DESC LIMIT ?", (limit,))


async def bump(tx: Tx, name: str, key: str = "", by: int = 1) -> None:
    """Anonymous counters: they survive /forget because they name nobody."""
    await tx.execute("INSERT INTO counters (name, key, count) VALUES (?, ?, ?)"
                     " ON CONFLICT (name, key)"
                     " DO UPDATE SET count = counters.count + excluded.count",
                     (name, key, by))


async def counters(db: Reader) -> list[Any]:
    return await db.fetchall("SELECT name, key, count FROM counters ORDER BY name, key")
