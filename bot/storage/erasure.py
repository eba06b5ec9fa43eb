"""What /forget erases outside the person's own tables: the traces their id left elsewhere.

SQL only; the order and the rules are in ``bot/services/privacy.py``. Each function takes the
user id and removes it (or the row that exists only because of it).
"""

from __future__ import annotations

from bot.storage.db import Tx


async def unlink_audit(tx: Tx, user_id: int) -> None:
    """The audit trail keeps what happened to each case, not who did it."""
    await tx.execute("UPDATE audit SET actor_id = NULL WHERE actor_id = ?", (user_id,))
    # Details name ids as key=value ("to=801", "user=801 KG ru"): those naming them go.
    await tx.execute("UPDATE audit SET detail = NULL WHERE detail LIKE ? OR detail LIKE ?",
                     (f"%={user_id}", f"%={user_id} %"))


async def drop_kv(tx: Tx, user_id: int) -> None:
    """Bookkeeping keys about a user end with ``:<user id>`` (e.g. ``awaiting_comment:42``)."""
    await tx.execute("DELETE FROM kv WHERE key LIKE ?", (f"%:{user_id}",))


async def drop_blocked(tx: Tx, chat_id: int) -> None:
    await tx.execute("DELETE FROM blocked_chats WHERE chat_id = ?", (chat_id,))


async def unlink_volunteer(tx: Tx, user_id: int) -> None:
    """Invites they used or made, suggestions they wrote: kept, without their id."""
    await tx.execute("UPDATE invites SET used_by = NULL WHERE used_by = ?", (user_id,))
    await tx.execute("UPDATE invites SET created_by = 0 WHERE created_by = ?", (user_id,))
    await tx.execute("UPDATE suggestions SET volunteer_id = NULL WHERE volunteer_id = ?",
                     (user_id,))
