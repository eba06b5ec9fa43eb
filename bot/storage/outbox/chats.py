"""Per-chat bookkeeping: chats that blocked the bot, and erasing a chat's calls.

Why together: both act on every row of one chat (dropped when it blocks the bot, blanked
when the person asks to be forgotten), plus the retention that deletes old finished rows.
"""

from __future__ import annotations

import time

from bot.storage.db import Reader, Tx
from bot.storage.outbox.rows import BLOCKED, EPHEMERAL, SCRUB


async def block_chat(tx: Tx, chat_id: int) -> int:
    """Remember that ``chat_id`` blocked the bot; drop its pending rows; return how many."""
    await tx.execute(
        "INSERT OR IGNORE INTO blocked_chats (chat_id, blocked_at) VALUES (?, ?)",
        (chat_id, time.time()),
    )
    return await tx.changes(
        f"UPDATE outbox SET status = 'dropped', error = ?, {SCRUB}"
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
    row = await db.fetchone("SELECT created_at FROM outbox WHERE chat_id = ?"
                            " ORDER BY id LIMIT 1", (chat_id,))
    return None if row is None else float(row[0])


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
