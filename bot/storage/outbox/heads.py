"""The sender's queries: which chats have rows to deliver, when, and which rows next.

Why apart from enqueueing and outcome marks: these reads decide delivery order (a chat's
head first, the chat lane before the bulk lane) and are tuned for a sender under load.
"""

from __future__ import annotations

from bot.storage.db import Reader
from bot.storage.outbox.rows import COLUMNS, OutboxRow, decode


async def heads(db: Reader) -> list[OutboxRow]:
    """The next row to deliver of each chat (its chat lane's lowest pending id, else its bulk
    lane's), plus chat-less rows.

    Only a chat's head may be sent: a later row waits until the head is sent, failed or
    dropped, which keeps each chat's messages in order even across retries.
    """
    rows = await db.fetchall(
        f"SELECT {COLUMNS} FROM outbox AS o WHERE status = 'pending' AND (chat_id IS NULL"
        " OR id = (SELECT id FROM outbox WHERE status = 'pending'"
        " AND chat_id = o.chat_id ORDER BY lane DESC, id LIMIT 1)) ORDER BY id"
    )
    return [decode(r) for r in rows]


async def due_heads(db: Reader) -> list[tuple[int, int | None, float]]:
    """``(id, chat_id, due_at)`` of each chat's first chat-lane row, plus chat-less ones.

    Why only the chat lane: the bulk lane may hold 100,000 rows; the sender takes those a
    few at a time with :func:`next_bulk`. Not decoded: the sender only needs to know which
    chats have work and when it is due.
    """
    rows = await db.fetchall(
        "SELECT id, chat_id, due_at FROM outbox AS o WHERE status = 'pending'"
        " AND lane = 'chat' AND (chat_id IS NULL OR id = (SELECT MIN(id) FROM outbox"
        " WHERE status = 'pending' AND chat_id = o.chat_id AND lane = 'chat')) ORDER BY id"
    )
    return [(row[0], row[1], row[2]) for row in rows]


async def next_bulk(db: Reader, now: float, limit: int) -> list[tuple[int, int | None]]:
    """``(id, chat_id)`` of up to ``limit`` bulk rows due at ``now``, the earliest due first.

    Only a chat's first bulk row, and only in chats with no chat-lane row pending (that
    chat's lane comes from :func:`due_heads` and goes on to its bulk rows): a chat whose
    head waits for a retry is not started again and again.
    """
    rows = await db.fetchall(
        "SELECT id, chat_id FROM outbox AS o WHERE status = 'pending' AND lane = 'bulk'"
        " AND due_at <= ? AND (chat_id IS NULL OR (id = (SELECT MIN(id) FROM outbox"
        " WHERE status = 'pending' AND chat_id = o.chat_id AND lane = 'bulk')"
        " AND NOT EXISTS (SELECT 1 FROM outbox WHERE status = 'pending'"
        " AND chat_id = o.chat_id AND lane = 'chat'))) ORDER BY due_at, id LIMIT ?",
        (now, limit))
    return [(row[0], row[1]) for row in rows]


async def next_bulk_due(db: Reader) -> float | None:
    """When the earliest pending bulk row is due (None: the bulk lane is empty)."""
    row = await db.fetchone(
        "SELECT MIN(due_at) AS due FROM outbox WHERE status = 'pending' AND lane = 'bulk'")
    return None if row is None else row["due"]


async def pending_for_chat(db: Reader, chat_id: int, limit: int = 20) -> list[OutboxRow]:
    """The chat's next pending rows, up to ``limit`` of each (lane, thread), in the order
    they must be delivered when the chat has one thread: chat lane first, then by id."""
    rows = await db.fetchall(
        f"SELECT {COLUMNS} FROM (SELECT {COLUMNS}, ROW_NUMBER() OVER"
        " (PARTITION BY lane, thread ORDER BY id) AS n FROM outbox"
        " WHERE status = 'pending' AND chat_id = ?) AS p WHERE n <= ? ORDER BY lane DESC, id",
        (chat_id, limit),
    )
    return [decode(row) for row in rows]


async def head(db: Reader, chat_id: int) -> OutboxRow | None:
    row = await db.fetchone(
        f"SELECT {COLUMNS} FROM outbox WHERE status = 'pending' AND chat_id = ?"
        " ORDER BY lane DESC, id LIMIT 1",
        (chat_id,),
    )
    return None if row is None else decode(row)
