"""Erasing a person (`/forget`): profile, sessions and message content; counts stay anonymous.

Other services register what they must anonymise (for example cases) in ERASERS, so this
module does not need to know every table.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.storage import inbox, outbox, sessions, users
from bot.storage.db import Tx

Eraser = Callable[[Tx, int], Awaitable[None]]
ERASERS: list[Eraser] = []


async def forget(tx: Tx, user_id: int, chat_id: int, *, up_to_update: int | None = None) -> None:
    """Erase everything personal about `user_id` inside the caller's transaction."""
    await users.delete(tx, user_id)
    await sessions.delete(tx, chat_id)
    await inbox.erase_chat(tx, chat_id, up_to=up_to_update)
    await outbox.erase_chat(tx, chat_id)
    for eraser in ERASERS:
        await eraser(tx, user_id)
