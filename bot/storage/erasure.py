"""What /forget erases outside the person's own tables: the traces their id left elsewhere.

SQL only; the order and the rules are in ``bot/services/privacy.py``. Each function takes the
user id and removes it (or the row that exists only because of it).
"""

from __future__ import annotations

from bot.storage.db import Reader, Tx

# The logs /forget searches for mentions: table -> (its increasing key, its time column).
LOGS = {"inbox": ("update_id", "received_at"), "outbox": ("id", "created_at")}


async def unlink_audit(tx: Tx, user_id: int) -> None:
    """The audit trail keeps what happened to each case, not who did it."""
    # A refused button's detail is the raw data they sent: anything they chose to type.
    await tx.execute("UPDATE audit SET actor_id = NULL, detail = CASE action WHEN"
                     " 'refused_button' THEN NULL ELSE detail END WHERE actor_id = ?", (user_id,))
    # Details name ids as key=value ("to=801", "user=801 KG ru"): those naming them go.
    await tx.execute("UPDATE audit SET detail = NULL WHERE detail LIKE ? OR detail LIKE ?",
                     (f"%={user_id}", f"%={user_id} %"))


async def drop_kv(tx: Tx, user_id: int) -> None:
    """Bookkeeping keys about a user end with ``:<user id>`` (e.g. ``awaiting_comment:42``)."""
    await tx.execute("DELETE FROM kv WHERE key LIKE ?", (f"%:{user_id}",))


async def drop_blocked(tx: Tx, chat_id: int) -> None:
    await tx.execute("DELETE FROM blocked_chats WHERE chat_id = ?", (chat_id,))


async def unlink_volunteer(tx: Tx, user_id: int) -> None:
    """Invites they used or made, suggestions they wrote: kept, without their id."""
    await tx.execute("UPDATE invites SET used_by = NULL WHERE used_by = ?", (user_id,))
    await tx.execute("UPDATE invites SET created_by = 0 WHERE created_by = ?", (user_id,))
    await tx.execute("UPDATE suggestions SET volunteer_id = NULL WHERE volunteer_id = ?",
                     (user_id,))


async def first_since(db: Reader, table: str, when: float) -> int:
    """The lowest key of ``table`` (a log of :data:`LOGS`) stored at or after ``when``; 0 when
    every row is that recent. Bisection on the primary key: the time columns have no index,
    and keys grow with time."""
    key = LOGS[table][0]
    # Two queries: SQLite answers a lone MIN or MAX from the index, not both together.
    first = await db.fetchone(f"SELECT MIN({key}) FROM {table}")
    last = await db.fetchone(f"SELECT MAX({key}) FROM {table}")
    if first is None or first[0] is None or last is None:
        return 0
    low, high = int(first[0]), int(last[0]) + 1
    if await _time_at(db, table, low) >= when:
        return 0
    while low + 1 < high:  # the row at or after `low` is older than `when`
        middle = (low + high) // 2
        if await _time_at(db, table, middle) >= when:
            high = middle
        else:
            low = middle
    return high


async def _time_at(db: Reader, table: str, at: int) -> float:
    key, column = LOGS[table]
    row = await db.fetchone(f"SELECT {column} FROM {table} WHERE {key} >= ? ORDER BY {key}"
                            " LIMIT 1", (at,))
    return float("inf") if row is None else float(row[0])
