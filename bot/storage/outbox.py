"""The outbox: every Bot API call the bot must make, stored before it is attempted.

Why: a message to a person in need must survive a crash, a Telegram outage or a flood limit.
Writers enqueue rows inside their transaction (so a rolled-back turn sends nothing); the
sender delivers them per chat in ``id`` order and records the outcome here. Chats that
blocked the bot are remembered in ``blocked_chats`` so nothing is retried against them.

Statuses: ``pending`` (to deliver at ``due_at``), ``sent``, ``failed`` (Telegram refused it
for good), ``dropped`` (the chat blocked the bot).

Lanes: ``chat`` (the default: answers to people talking to the bot, relays, notifications)
always goes before ``bulk`` (follow-ups, reminders, announcements: waves that may hold
100,000 rows). Within a chat, its chat-lane rows go first, then its bulk rows; each lane in
``id`` order.

Threads: rows may name a ``thread`` (a conversation inside the chat, e.g. one case in a
volunteer's chat). The sender serves a chat's threads round robin, keeps each thread in
``id`` order, and may merge consecutive plain texts of one thread into one message, so one
busy conversation cannot hold up the others of the same chat. Rows without a thread form one
thread of their own.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any, NamedTuple

from bot.storage.db import Reader, Tx

SIGNAL = "outbox"  # Database.signal name set after rows to deliver commit
BULK_POSTED = "bulk"  # posted on SIGNAL (instead of chat ids) when bulk rows were queued
BLOCKED = "chat blocked the bot"
LANES = ("chat", "bulk")

_COLUMNS = (
    "id, chat_id, method, params, status, attempts, due_at, created_at, sent_at, result,"
    " error, ref, lane, thread"
)


@dataclass(frozen=True)
class OutboxRow:
    id: int
    chat_id: int | None
    method: str
    params: dict[str, Any]
    status: str
    attempts: int
    due_at: float
    created_at: float
    sent_at: float | None
    result: Any
    error: str | None
    ref: str | None
    lane: str = "chat"
    thread: str | None = None

    @property
    def message_id(self) -> int | None:
        """The id of the message this call created, once sent (for later edits)."""
        if isinstance(self.result, dict):
            value = self.result.get("message_id")
            return value if isinstance(value, int) else None
        return None


class NewRow(NamedTuple):
    """One queued call. Plain 5-tuples ``(chat_id, method, params, ref, due_at)`` work too."""

    chat_id: int | None
    method: str
    params: dict[str, Any]
    ref: str | None = None
    due_at: float | None = None  # None: now
    lane: str = "chat"
    thread: str | None = None


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
    when no chat-lane message is waiting. ``thread``: see the module docstring.
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
        sql = _ENQUEUE.format(values=", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?)"] * len(chunk)))
        ids += sorted(int(row[0]) for row in await tx.fetchall(sql, values))
    if full:
        # The chats with new chat-lane work; a bulk wave is read by the sender in due order,
        # a few chats at a time, never posted chat by chat.
        posted: dict[Any, None] = dict.fromkeys(r.chat_id for r in full if r.lane == "chat")
        if any(r.lane == "bulk" for r in full):
            posted[BULK_POSTED] = None
        tx.post(SIGNAL, posted)
    return ids


async def get(db: Reader, row_id: int) -> OutboxRow | None:
    row = await db.fetchone(f"SELECT {_COLUMNS} FROM outbox WHERE id = ?", (row_id,))
    return None if row is None else _row(row)


async def heads(db: Reader) -> list[OutboxRow]:
    """The next row to deliver of each chat (its chat lane's lowest pending id, else its bulk
    lane's), plus chat-less rows.

    Only a chat's head may be sent: a later row waits until the head is sent, failed or
    dropped, which keeps each chat's messages in order even across retries.
    """
    rows = await db.fetchall(
        f"SELECT {_COLUMNS} FROM outbox AS o WHERE status = 'pending' AND (chat_id IS NULL"
        " OR id = (SELECT id FROM outbox WHERE status = 'pending'"
        " AND chat_id = o.chat_id ORDER BY lane DESC, id LIMIT 1)) ORDER BY id"
    )
    return [_row(r) for r in rows]


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
        f"SELECT {_COLUMNS} FROM (SELECT {_COLUMNS}, ROW_NUMBER() OVER"
        " (PARTITION BY lane, thread ORDER BY id) AS n FROM outbox"
        " WHERE status = 'pending' AND chat_id = ?) WHERE n <= ? ORDER BY lane DESC, id",
        (chat_id, limit),
    )
    return [_row(row) for row in rows]


async def head(db: Reader, chat_id: int) -> OutboxRow | None:
    row = await db.fetchone(
        f"SELECT {_COLUMNS} FROM outbox WHERE status = 'pending' AND chat_id = ?"
        " ORDER BY lane DESC, id LIMIT 1",
        (chat_id,),
    )
    return None if row is None else _row(row)


async def find_by_ref(db: Reader, ref: str) -> OutboxRow | None:
    """The latest row tagged ``ref`` (e.g. to edit the message it sent)."""
    row = await db.fetchone(
        f"SELECT {_COLUMNS} FROM outbox WHERE ref = ? ORDER BY id DESC LIMIT 1", (ref,)
    )
    return None if row is None else _row(row)


async def all_by_ref(db: Reader, ref: str) -> list[OutboxRow]:
    """Every row tagged ``ref`` (e.g. all notifications of one case), oldest first."""
    rows = await db.fetchall(f"SELECT {_COLUMNS} FROM outbox WHERE ref = ? ORDER BY id", (ref,))
    return [_row(row) for row in rows]


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
        " AND json_extract(result, '$.message_id') = ? ORDER BY id DESC LIMIT 1",
        (chat_id, message_id),
    )
    return None if row is None else row["ref"]


# The ref of a row that must leave no trace once delivered (or refused): the last messages
# to someone who asked to be forgotten. Its chat, parameters and result are blanked then.
EPHEMERAL = "ephemeral"
_SCRUB = (f"chat_id = CASE WHEN ref = '{EPHEMERAL}' THEN NULL ELSE chat_id END,"
          f" params = CASE WHEN ref = '{EPHEMERAL}' THEN '{{}}' ELSE params END")


async def mark_sent(tx: Tx, row_id: int, result: Any) -> None:
    await mark_sent_many(tx, [(row_id, result)])


async def mark_sent_many(tx: Tx, rows: list[tuple[int, Any]]) -> None:
    """Record deliveries: ``(row id, what to keep of Telegram's result)`` each."""
    now = time.time()
    await tx.executemany(
        "UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1,"
        f" result = CASE WHEN ref = '{EPHEMERAL}' THEN NULL ELSE ? END, error = NULL, {_SCRUB}"
        " WHERE id = ?",
        [(now, json.dumps(result), row_id) for row_id, result in rows],
    )


async def mark_failed(tx: Tx, row_id: int, error: str) -> None:
    await mark_failed_many(tx, [(row_id, error)])


async def mark_failed_many(tx: Tx, rows: list[tuple[int, str]]) -> None:
    """Record calls Telegram refused for good: ``(row id, error)`` each."""
    await tx.executemany(
        f"UPDATE outbox SET status = 'failed', attempts = attempts + 1, error = ?, {_SCRUB}"
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


async def block_chat(tx: Tx, chat_id: int) -> int:
    """Remember that ``chat_id`` blocked the bot; drop its pending rows; return how many."""
    await tx.execute(
        "INSERT OR IGNORE INTO blocked_chats (chat_id, blocked_at) VALUES (?, ?)",
        (chat_id, time.time()),
    )
    return await tx.changes(
        f"UPDATE outbox SET status = 'dropped', error = ?, {_SCRUB}"
        " WHERE chat_id = ? AND status = 'pending'",
        (BLOCKED, chat_id),
    )


async def unblock_chat(tx: Tx, chat_id: int) -> None:
    """The chat is reachable again (it wrote to the bot): deliver to it from now on."""
    await tx.execute("DELETE FROM blocked_chats WHERE chat_id = ?", (chat_id,))


async def is_blocked(db: Reader, chat_id: int) -> bool:
    row = await db.fetchone("SELECT 1 FROM blocked_chats WHERE chat_id = ?", (chat_id,))
    return row is not None


async def erase_chat(tx: Tx, chat_id: int) -> int:
    """Blank what was delivered to a chat (for ``/forget``), chat id included; rows still
    pending go out, then blank themselves (see :data:`EPHEMERAL`)."""
    await tx.execute("UPDATE outbox SET ref = ? WHERE chat_id = ? AND status = 'pending'",
                     (EPHEMERAL, chat_id))
    return await tx.changes(
        "UPDATE outbox SET params = '{}', result = NULL, error = NULL, chat_id = NULL"
        " WHERE chat_id = ? AND status != 'pending'",
        (chat_id,),
    )


async def pending_ephemeral(db: Reader) -> bool:
    """Whether calls that must blank themselves once delivered are still waiting."""
    return await db.fetchone("SELECT 1 FROM outbox WHERE ref = ? AND status = 'pending'"
                             " LIMIT 1", (EPHEMERAL,)) is not None


async def first_of_chat(db: Reader, chat_id: int) -> float | None:
    """When the oldest stored call to the chat was queued."""
    row = await db.fetchone("SELECT MIN(id), created_at FROM outbox WHERE chat_id = ?",
                            (chat_id,))
    return None if row is None or row[0] is None else float(row[1])


async def erase_mentioning(tx: Tx, fragments: list[str], since: int = 0) -> int:
    """Blank finished calls (from row ``since`` on) whose parameters contain any of
    ``fragments`` (see ``inbox.erase_mentioning``); their result (a message id) stays, for
    reply routing."""
    if not fragments:
        return 0
    where = " OR ".join(["instr(params, ?) > 0"] * len(fragments))
    return await tx.changes(
        f"UPDATE outbox SET params = '{{}}', error = NULL WHERE id >= ? AND status != 'pending'"
        f" AND ({where})", (since, *fragments))


async def prune(tx: Tx, older_than: float) -> int:
    """Delete finished rows created before ``older_than`` (Unix seconds); keep pending ones."""
    return await tx.changes(
        "DELETE FROM outbox WHERE status != 'pending' AND created_at < ?", (older_than,)
    )


def _row(row: Any) -> OutboxRow:
    return OutboxRow(
        id=row["id"],
        chat_id=row["chat_id"],
        method=row["method"],
        params=json.loads(row["params"]),
        status=row["status"],
        attempts=row["attempts"],
        due_at=row["due_at"],
        created_at=row["created_at"],
        sent_at=row["sent_at"],
        result=None if row["result"] is None else json.loads(row["result"]),
        error=row["error"],
        ref=row["ref"],
        lane=row["lane"],
        thread=row["thread"],
    )
