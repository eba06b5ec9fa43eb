"""Recording what became of a delivery attempt: sent, failed for good, or retried later.

Why together: these are the sender's writes, one per outcome; final outcomes of rows
tagged :data:`~bot.storage.outbox.rows.EPHEMERAL` blank the row as they are recorded.
"""

from __future__ import annotations

import json
import time
from typing import Any

from bot.storage.db import Tx
from bot.storage.outbox.rows import EPHEMERAL, SCRUB, SIGNAL


async def mark_sent(tx: Tx, row_id: int, result: Any) -> None:
    await mark_sent_many(tx, [(row_id, result)])


async def mark_sent_many(tx: Tx, rows: list[tuple[int, Any]]) -> None:
    """Record deliveries: ``(row id, what to keep of Telegram's result)`` each."""
    now = time.time()
    await tx.executemany(
        "UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1,"
        f" result = CASE WHEN ref = '{EPHEMERAL}' THEN NULL ELSE ? END, error = NULL, {SCRUB}"
        " WHERE id = ?",
        [(now, json.dumps(result), row_id) for row_id, result in rows],
    )


async def mark_failed(tx: Tx, row_id: int, error: str) -> None:
    await mark_failed_many(tx, [(row_id, error)])


async def mark_failed_many(tx: Tx, rows: list[tuple[int, str]]) -> None:
    """Record calls Telegram refused for good: ``(row id, error)`` each."""
    await tx.executemany(
        f"UPDATE outbox SET status = 'failed', attempts = attempts + 1, error = ?, {SCRUB}"
        " WHERE id = ?",
        [(error, row_id) for row_id, error in rows],
    )


async def retry_at(tx: Tx, row_id: int, due_at: float, error: str) -> None:
    """Count a failed attempt and keep the row pending until ``due_at``."""
    await tx.execute(
        "UPDATE outbox SET attempts = attempts + 1, due_at = ?, error = ? WHERE id = ?",
        (due_at, error, row_id),
    )
    tx.signal(SIGNAL)


async def postpone(tx: Tx, row_id: int, due_at: float) -> None:
    """Keep the row pending until ``due_at`` without counting an attempt (the call was not
    refused for what it says: e.g. Telegram refused the token)."""
    await tx.execute("UPDATE outbox SET due_at = ? WHERE id = ?", (due_at, row_id))
    tx.signal(SIGNAL)
