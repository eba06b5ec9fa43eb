"""SQL for the anonymous journey events: counted per day, never one row per person.

Why counts: a row per event would carry an insertion order (its rowid) that lets the steps of
one run be put back together and lined up with other tables; a count per (day, procedure,
step, language, country, kind) says the same for reports and nothing about anyone.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from typing import Any

from bot.storage.db import Reader, Tx

# (day, country, flow_id, step_id, lang, kind, detail)
EventKey = tuple[str, str, str, str, str, str, str]

_ADD = (
    "INSERT INTO journey_events (day, country, flow_id, step_id, lang, kind, detail, n)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (flow_id, kind, step_id, detail, country, day, lang)"
    " DO UPDATE SET n = journey_events.n + excluded.n"
)


async def add(tx: Tx, keys: Iterable[EventKey]) -> None:
    """Count each event once (identical keys in one call are added up first)."""
    counted = Counter(keys)
    if counted:
        await tx.executemany(_ADD, [(*key, n) for key, n in counted.items()])


async def idle_sessions(db: Reader, before: float, limit: int) -> list[Any]:
    """Sessions waiting at a question since ``before`` whose run is not yet counted as left."""
    return await db.fetchall(
        "SELECT chat_id, data, updated_at FROM sessions WHERE updated_at < ?"
        " AND json_extract(data, '$.status') = 'waiting'"
        " AND json_type(data, '$.journey') = 'object'"
        " AND coalesce(CAST(json_extract(data, '$.journey.idle') AS INTEGER), 0) = 0"
        " ORDER BY updated_at LIMIT ?", (before, limit))


async def mark_idle(tx: Tx, chat_id: int, updated_at: float, data: dict[str, Any]) -> bool:
    """Store the session with its run marked as left, unless the person moved meanwhile.

    ``updated_at`` is kept: being counted as gone is not activity.
    """
    return await tx.changes(
        "UPDATE sessions SET data = ? WHERE chat_id = ? AND updated_at = ?",
        (json.dumps(data, ensure_ascii=False), chat_id, updated_at)) == 1
