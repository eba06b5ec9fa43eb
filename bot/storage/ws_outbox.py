"""The workspace's outbox: calls into team workspaces, stored before they are attempted.

Why apart from the main outbox: a call into a case's topic cannot name its thread when it is
queued (the topic may not exist yet, or may be recreated after a repair), so rows name a
*target* resolved at send time (``topic``: the case's thread id; ``card``: the case card's
message id). Rows carry a priority (0 the person's words, 1 cards and icons, 2 notices,
3 the queue summary) and a case's ordered rows go in id order. A row with a ``coalesce``
key replaces the pending one with the same key (edits of the card, icons, the summary).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from bot.storage.db import Reader, Tx

SIGNAL = "workspace"
WORDS, CARDS, NOTICES, SUMMARY = 0, 1, 2, 3


@dataclass(frozen=True)
class WsRow:
    id: int
    chat_id: int
    case_id: int | None
    priority: int
    ordered: bool
    target: str
    method: str
    params: dict[str, Any]
    due_at: float
    attempts: int
    created_at: float


def _row(row: Any) -> WsRow:
    return WsRow(row["id"], row["chat_id"], row["case_id"], row["priority"],
                 bool(row["ordered"]), row["target"], row["method"], json.loads(row["params"]),
                 row["due_at"], row["attempts"], row["created_at"])


async def enqueue(tx: Tx, chat_id: int, method: str, params: dict[str, Any], *,
                  case_id: int | None = None, priority: int = WORDS, target: str = "chat",
                  ordered: bool = True, coalesce: str | None = None,
                  due_at: float | None = None) -> int:
    """Queue a call into the workspace ``chat_id`` (delivered after commit, not before
    ``due_at``)."""
    now = time.time()
    if coalesce is not None:
        await tx.execute("UPDATE ws_outbox SET status = 'dropped', error = 'coalesced'"
                         " WHERE chat_id = ? AND merge_key = ? AND status = 'pending'",
                         (chat_id, coalesce))
    cursor = await tx.execute(
        "INSERT INTO ws_outbox (chat_id, case_id, priority, ordered, target, method, params,"
        " merge_key, due_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (chat_id, case_id, priority, int(ordered), target, method,
         json.dumps(params, ensure_ascii=False), coalesce, max(now, due_at or now), now))
    tx.post(SIGNAL, [chat_id])
    return int(cursor.lastrowid)


async def pending(db: Reader, chat_id: int, limit: int = 500) -> list[WsRow]:
    rows = await db.fetchall("SELECT * FROM ws_outbox WHERE chat_id = ? AND status = 'pending'"
                             " ORDER BY id LIMIT ?", (chat_id, limit))
    return [_row(r) for r in rows]


async def chats_with_work(db: Reader) -> list[tuple[int, float]]:
    """``(chat_id, earliest due_at)`` of every chat with pending rows."""
    rows = await db.fetchall("SELECT chat_id, MIN(due_at) AS due FROM ws_outbox"
                             " WHERE status = 'pending' GROUP BY chat_id")
    return [(int(r["chat_id"]), float(r["due"])) for r in rows]


async def mark_sent(tx: Tx, row_id: int, result: Any) -> None:
    await tx.execute("UPDATE ws_outbox SET status = 'sent', result = ?, sent_at = ?,"
                     " attempts = attempts + 1 WHERE id = ?",
                     (json.dumps(result, ensure_ascii=False), time.time(), row_id))


async def mark_failed(tx: Tx, row_id: int, error: str) -> None:
    await tx.execute("UPDATE ws_outbox SET status = 'failed', error = ?,"
                     " attempts = attempts + 1 WHERE id = ?", (error[:300], row_id))


async def retry_at(tx: Tx, row_id: int, due_at: float, error: str) -> None:
    await tx.execute("UPDATE ws_outbox SET due_at = ?, error = ?, attempts = attempts + 1"
                     " WHERE id = ?", (due_at, error[:300], row_id))


async def delay_chat(tx: Tx, chat_id: int, due_at: float) -> None:
    """Telegram said to wait (``retry_after``): nothing of the chat goes before ``due_at``."""
    await tx.execute("UPDATE ws_outbox SET due_at = ? WHERE chat_id = ? AND status = 'pending'"
                     " AND due_at < ?", (due_at, chat_id, due_at))


async def drop_case(tx: Tx, case_id: int) -> int:
    """For /forget: the case's pending calls go, and the sent ones lose their content."""
    dropped = await tx.changes("UPDATE ws_outbox SET status = 'dropped', params = '{}'"
                               " WHERE case_id = ? AND status = 'pending'", (case_id,))
    await tx.execute("UPDATE ws_outbox SET params = '{}', result = NULL WHERE case_id = ?",
                     (case_id,))
    return dropped


async def calls_since(db: Reader, chat_id: int, since: float) -> list[float]:
    """When the calls into the chat were made since ``since`` (the budget after a restart)."""
    rows = await db.fetchall("SELECT sent_at FROM ws_outbox WHERE chat_id = ? AND sent_at >= ?"
                             " ORDER BY sent_at", (chat_id, since))
    return [float(r["sent_at"]) for r in rows]


async def last_sent(db: Reader, chat_id: int, method: str) -> float | None:
    """When a call of ``method`` last went into the chat (the summary's pace)."""
    row = await db.fetchone("SELECT MAX(sent_at) AS at FROM ws_outbox WHERE chat_id = ?"
                            " AND method = ? AND status = 'sent'", (chat_id, method))
    return None if row is None or row["at"] is None else float(row["at"])
