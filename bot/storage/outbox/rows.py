"""The outbox row: its shape, its constants, and reading one back.

Why a module of its own: enqueueing, the sender's queries, outcome marks and erasure all
share these names; here they are defined once, with no SQL beyond decoding a row.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, NamedTuple

from bot.storage.db import Reader

SIGNAL = "outbox"  # Database.signal name set after rows to deliver commit
BULK_POSTED = "bulk"  # posted on SIGNAL (instead of chat ids) when bulk rows were queued
BLOCKED = "chat blocked the bot"
LANES = ("chat", "bulk")

# The ref of a row that must leave no trace once delivered (or refused): the last messages
# to someone who asked to be forgotten. Its chat, parameters and result are blanked then.
EPHEMERAL = "ephemeral"
SCRUB = (f"chat_id = CASE WHEN ref = '{EPHEMERAL}' THEN NULL ELSE chat_id END,"
         f" params = CASE WHEN ref = '{EPHEMERAL}' THEN '{{}}' ELSE params END")

COLUMNS = (
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


async def get(db: Reader, row_id: int) -> OutboxRow | None:
    row = await db.fetchone(f"SELECT {COLUMNS} FROM outbox WHERE id = ?", (row_id,))
    return None if row is None else decode(row)


def decode(row: Any) -> OutboxRow:
    """An :class:`OutboxRow` from a database row selected with :data:`COLUMNS`."""
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
