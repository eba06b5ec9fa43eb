"""People who talk to the bot: only what the bot needs to serve them (language, country).

Why so little: the help desk serves vulnerable people; every stored field is a liability, and
``/forget`` must be able to erase a person with one ``delete``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from bot.storage.db import Reader, Tx


@dataclass(frozen=True)
class User:
    user_id: int
    lang: str | None = None
    country: str | None = None


async def get(db: Reader, user_id: int) -> User | None:
    row = await db.fetchone(
        "SELECT user_id, lang, country FROM users WHERE user_id = ?", (user_id,)
    )
    if row is None:
        return None
    return User(user_id=row["user_id"], lang=row["lang"], country=row["country"])


async def save(tx: Tx, user: User) -> None:
    """Insert or update; ``created_at`` is kept from the first save."""
    now = time.time()
    await tx.execute(
        "INSERT INTO users (user_id, lang, country, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (user_id) DO UPDATE SET"
        " lang = excluded.lang, country = excluded.country, updated_at = excluded.updated_at",
        (user.user_id, user.lang, user.country, now, now),
    )


async def created_at(db: Reader, user_id: int) -> float | None:
    """When the person was first saved (for /forget: how far back they can be mentioned)."""
    row = await db.fetchone("SELECT created_at FROM users WHERE user_id = ?", (user_id,))
    return None if row is None else float(row[0])


async def delete(tx: Tx, user_id: int) -> None:
    await tx.execute("DELETE FROM users WHERE user_id = ?", (user_id,))


async def count(db: Reader) -> int:
    row = await db.fetchone("SELECT COUNT(*) AS n FROM users")
    return int(row["n"]) if row else 0
