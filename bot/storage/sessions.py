"""Per-chat conversation state: the engine's session, stored as JSON between updates.

Why JSON: the engine's session is plain JSON-serialisable data by contract, so storage needs
no knowledge of its shape and the engine can evolve it freely.
"""

from __future__ import annotations

import json
import time
from typing import Any

from bot.storage.db import Reader, Tx


async def get(db: Reader, chat_id: int) -> dict[str, Any] | None:
    row = await db.fetchone("SELECT data FROM sessions WHERE chat_id = ?", (chat_id,))
    return None if row is None else json.loads(row["data"])


async def save(tx: Tx, chat_id: int, data: dict[str, Any]) -> None:
    await tx.execute(
        "INSERT INTO sessions (chat_id, data, updated_at) VALUES (?, ?, ?)"
        " ON CONFLICT (chat_id) DO UPDATE SET"
        " data = excluded.data, updated_at = excluded.updated_at",
        (chat_id, json.dumps(data, ensure_ascii=False), time.time()),
    )


async def delete(tx: Tx, chat_id: int) -> None:
    await tx.execute("DELETE FROM sessions WHERE chat_id = ?", (chat_id,))


async def count_by_flow(db: Reader) -> list[tuple[str | None, str | None, int]]:
    """Anonymous counts for /stats: sessions per flow and status."""
    rows = await db.fetchall(
        "SELECT json_extract(data, '$.flow') AS flow, json_extract(data, '$.status') AS status,"
        " COUNT(*) AS n FROM sessions GROUP BY flow, status ORDER BY flow, status"
    )
    return [(row["flow"], row["status"], row["n"]) for row in rows]
