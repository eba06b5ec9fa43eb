"""Queueing Bot API calls: one INSERT per turn, blocked chats dropped on the way in.

Why here and not in the sender: writers enqueue inside their own transaction, so a
rolled-back turn sends nothing; the sender only learns of new rows through ``tx.post``.
"""

from __future__ import annotations

import json
import time
from typing import Any

from bot.storage.db import Tx
from bot.storage.outbox.rows import BLOCKED, BULK_POSTED, LANES, SIGNAL, NewRow

_INSERT_CHUNK = 500  # rows per INSERT statement (SQLite caps the number of parameters)
_ENQUEUE = (
    "WITH v (k, chat_id, method, params, due_at, created_at, ref, lane, thread)"
    " AS (VALUES {values})"
    " INSERT INTO outbox (chat_id, method, params, status, error, due_at, created_at, ref,"
    " lane, thread)"
    " SELECT v.chat_id, v.method, v.params,"
    " CASE WHEN b.chat_id IS NULL THEN 'pending' ELSE 'dropped' END,"
    f" CASE WHEN b.chat_id IS NULL THEN NULL ELSE '{BLOCKED}' END,"
    " v.due_at, v.created_at, v.ref, v.lane, v.thread"
    " FROM v LEFT JOIN blocked_chats AS b ON b.chat_id = v.chat_id ORDER BY v.k"
    " RETURNING id"
)

_FIRST_ROW = "(?, CAST(? AS INTEGER), ?, ?, CAST(? AS REAL), CAST(? AS REAL), ?, ?, ?)"


async def enqueue(
    tx: Tx,
    chat_id: int | None,
    method: str,
    params: dict[str, Any],
    ref: str | None = None,
    due_at: float | None = None,
    *,
    lane: str = "chat",
    thread: str | None = None,
) -> int:
    """Queue one Bot API call; return its row id. Calls to a blocked chat are stored dropped.

    ``lane="bulk"`` for waves (follow-ups, reminders, notes to many people): they go out only
    when no chat-lane message is waiting. ``thread``: see :mod:`bot.storage.outbox`.
    """
    return (await enqueue_many(tx, [NewRow(chat_id, method, params, ref, due_at, lane,
                                           thread)]))[0]


async def enqueue_many(tx: Tx, rows: list[NewRow] | list[tuple[Any, ...]]) -> list[int]:
    """Queue calls in this order (ids ascending, so each chat's calls go out in this order).

    Why one statement: a turn queues several calls; one INSERT (which also looks up whether
    the chat blocked the bot) is one trip to the database thread instead of two per call.
    """
    now = time.time()
    ids: list[int] = []
    full = [NewRow(*row) for row in rows]
    for row in full:
        if row.lane not in LANES:
            raise ValueError(f"unknown outbox lane {row.lane!r} (use one of {LANES})")
    for start in range(0, len(full), _INSERT_CHUNK):
        chunk = full[start:start + _INSERT_CHUNK]
        values: list[Any] = []
        for k, row in enumerate(chunk):
            values += [k, row.chat_id, row.method, json.dumps(row.params, ensure_ascii=False),
                       now if row.due_at is None else row.due_at, now, row.ref, row.lane,
                       row.thread]
        # Rows are inserted in ``k`` order, so their AUTOINCREMENT ids ascend in the order
        # given; RETURNING lists them in no promised order, hence the sort.
        # The first row's CASTs type the VALUES columns (PostgreSQL reads an all-NULL
        # column as text otherwise); SQLite ignores them.
        sql = _ENQUEUE.format(values=", ".join(
            [_FIRST_ROW, *["(?, ?, ?, ?, ?, ?, ?, ?, ?)"] * (len(chunk) - 1)]))
        ids += sorted(int(row[0]) for row in await tx.fetchall(sql, values))
    if full:
        # The chats with new chat-lane work; a bulk wave is read by the sender in due order,
        # a few chats at a time, never posted chat by chat.
        posted: dict[Any, None] = dict.fromkeys(r.chat_id for r in full if r.lane == "chat")
        if any(r.lane == "bulk" for r in full):
            posted[BULK_POSTED] = None
        tx.post(SIGNAL, posted)
    return ids
