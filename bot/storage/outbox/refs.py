"""Rows by ``ref``: the message a notification sent, cancelling it, routing replies to it.

Why: services tag the rows they queue (e.g. ``case:12``) so they can later edit the
message, drop notifications that became pointless, or tell which case a reply answers.
"""

from __future__ import annotations

from bot.storage.db import Reader, Tx
from bot.storage.outbox.rows import COLUMNS, OutboxRow, decode


async def find_by_ref(db: Reader, ref: str) -> OutboxRow | None:
    """The latest row tagged ``ref`` (e.g. to edit the message it sent)."""
    row = await db.fetchone(
        f"SELECT {COLUMNS} FROM outbox WHERE ref = ? ORDER BY id DESC LIMIT 1", (ref,)
    )
    return None if row is None else decode(row)


async def all_by_ref(db: Reader, ref: str) -> list[OutboxRow]:
    """Every row tagged ``ref`` (e.g. all notifications of one case), oldest first."""
    rows = await db.fetchall(f"SELECT {COLUMNS} FROM outbox WHERE ref = ? ORDER BY id", (ref,))
    return [decode(row) for row in rows]


async def drop_pending(tx: Tx, ref: str, reason: str) -> int:
    """Cancel undelivered rows tagged ``ref`` (a notification that became pointless)."""
    return await tx.changes(
        "UPDATE outbox SET status = 'dropped', error = ? WHERE ref = ? AND status = 'pending'",
        (reason, ref),
    )


async def ref_of_message(db: Reader, chat_id: int, message_id: int) -> str | None:
    """The ref of the row that delivered ``message_id`` to ``chat_id`` (reply -> case)."""
    row = await db.fetchone(
        "SELECT ref FROM outbox WHERE chat_id = ? AND ref IS NOT NULL AND status = 'sent'"
        " AND CAST(json_extract(result, '$.message_id') AS INTEGER) = ? ORDER BY id DESC LIMIT 1",
        (chat_id, message_id),
    )
    return None if row is None else row["ref"]
