"""A tiny key-value table for the platform's own bookkeeping (e.g. the polling offset).

Why a table and not a file: the offset must be written in the same transaction as the updates
it acknowledges, or a crash between the two would lose or replay them.
"""

from __future__ import annotations

from bot.storage.db import Reader, Tx


async def get(db: Reader, key: str) -> str | None:
    row = await db.fetchone("SELECT value FROM kv WHERE key = ?", (key,))
    return None if row is None else str(row["value"])


async def put(tx: Tx, key: str, value: str) -> None:
    await tx.execute(
        "INSERT INTO kv (key, value) VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


async def delete(tx: Tx, key: str) -> None:
    await tx.execute("DELETE FROM kv WHERE key = ?", (key,))
