"""Claiming inbox rows among several processes (PostgreSQL): per chat, in order, once.

Why: with several bot processes on one database, each must take work no other process is
doing, without breaking a chat's order. A row is claimable when it is the oldest pending
row of its chat (so nothing older of that chat is pending or in flight) and not under a live
lease. The claim (``FOR UPDATE SKIP LOCKED``: processes never wait for each other) sets a
lease and counts an attempt; the turn then marks the row done in the transaction of its
effects, only if this process still holds it. A process that dies mid-turn has its turn
rolled back by the server; the row comes back when its lease ends. An update claimed more
than ``max_attempts`` times (it kept killing its process) is set aside by the caller.
Chat-less updates (no order to keep) are claimable side by side.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from bot.storage.db import Database, Tx

LEASE_SECONDS = 10.0
MAX_ATTEMPTS = 3

_CLAIM = (
    "WITH c AS (SELECT i.update_id FROM inbox AS i WHERE i.status = 'pending'"
    " AND (i.lease_until IS NULL OR i.lease_until < ?)"
    " AND NOT EXISTS (SELECT 1 FROM inbox AS j WHERE j.chat_id = i.chat_id"
    " AND j.status = 'pending' AND j.update_id < i.update_id)"
    " ORDER BY i.update_id LIMIT ? FOR UPDATE SKIP LOCKED)"
    " UPDATE inbox SET lease_until = ?, lease_owner = ?, attempts = attempts + 1"
    " FROM c WHERE inbox.update_id = c.update_id"
    " RETURNING inbox.update_id, inbox.chat_id, inbox.attempts"
)


@dataclass(frozen=True)
class Lease:
    update_id: int
    chat_id: int | None
    attempts: int  # this claim included


async def claim(db: Database, owner: str, limit: int,
                lease: float = LEASE_SECONDS) -> list[Lease]:
    """Lease up to ``limit`` claimable rows (at most one per chat), oldest first."""
    now = time.time()
    async with db.transaction() as tx:
        rows = await tx.fetchall(_CLAIM, (now, limit, now + lease, owner))
    return sorted((Lease(r[0], r[1], r[2]) for r in rows), key=lambda x: x.update_id)


async def release(db: Database, owner: str, update_ids: list[int], delay: float = 0.0) -> None:
    """Give rows back (stopping, or a transient error: retry after ``delay`` seconds)."""
    if not update_ids:
        return
    marks = ", ".join("?" * len(update_ids))
    async with db.transaction() as tx:
        await tx.execute(
            f"UPDATE inbox SET lease_until = ?, lease_owner = NULL WHERE update_id IN ({marks})"
            " AND status = 'pending' AND lease_owner = ?",
            (time.time() + delay if delay else None, *update_ids, owner))


async def renew(tx: Tx, owner: str, update_id: int, lease: float = LEASE_SECONDS) -> bool:
    """Extend a lease this process holds (a turn that waits, e.g. a flooding chat's)."""
    return await tx.changes(
        "UPDATE inbox SET lease_until = ? WHERE update_id = ? AND status = 'pending'"
        " AND lease_owner = ?", (time.time() + lease, update_id, owner)) > 0
