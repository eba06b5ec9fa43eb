"""The dispatcher on PostgreSQL: claims per chat, shared by every process.

Why apart from :mod:`bot.tg.dispatcher`: with one SQLite file and one process, lanes in memory
keep each chat's order; with several processes the database must say who handles what. The
loop here leases the oldest pending row of chats that have none in flight
(:mod:`bot.storage.inbox_claims`), runs each as a turn (the same turn as on SQLite, which
marks the row done only if this process still holds it), and claims again when a turn ends, a
commit in any process signals new rows (NOTIFY), or every ``poll`` seconds.

Failures: a handler that raises fails its update at once (apology, row kept as ``failed``),
as on SQLite; a database that is unreachable or a deadlock gives the row back for a retry;
a row claimed more than ``MAX_ATTEMPTS`` times (its turn never finished: the process died
each time) is set aside with an apology, and its chat goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import TYPE_CHECKING

from bot.storage import inbox, inbox_claims
from bot.storage.inbox_claims import MAX_ATTEMPTS, Lease

if TYPE_CHECKING:
    from bot.tg.dispatcher import Dispatcher

log = logging.getLogger(__name__)

CAPACITY = 8  # turns in flight per process (each holds a pooled connection)
POLL = 1.0  # seconds between claims when nothing signalled (another process's crash, leases)
RETRY_DELAY = 2.0  # a row given back after a transient database error


class SetAside(Exception):
    """The update's turn never finished in ``MAX_ATTEMPTS`` tries."""


class SharedLoop:
    """The claim loop of one dispatcher (see the module docstring)."""

    def __init__(self, dispatcher: Dispatcher, lease: float = 10.0) -> None:
        self.d = dispatcher
        self.lease = lease
        self.db = dispatcher._db
        self.owner: str = getattr(self.db, "instance", "local")
        self.running: dict[int, asyncio.Task[None]] = {}
        self.wake = self.db.signal(inbox.SIGNAL)

    async def run(self) -> None:
        while not self.d._stopping:
            self.wake.clear()
            self.db.take(inbox.SIGNAL)  # what was posted: the claim reads the table anyway
            try:
                await self.claim_and_start()
            except Exception:
                log.warning("dispatcher: claiming updates failed", exc_info=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), POLL)

    async def claim_and_start(self) -> int:
        free = CAPACITY - len(self.running)
        if free <= 0 or self.d._stopping:
            return 0
        leases = await inbox_claims.claim(self.db, self.owner, free, self.lease)
        for lease in leases:
            task = asyncio.create_task(self.handle(lease), name="dispatcher-turn")
            self.running[lease.update_id] = task
        return len(leases)

    async def drain(self, patience: float = 4 * RETRY_DELAY) -> None:
        """Handle every pending row until none is left (tests; ``process_pending``).

        A row given back after a transient database error (a deadlock under load) is not
        claimable for ``RETRY_DELAY`` seconds: wait for it, up to ``patience`` seconds,
        instead of returning with the chat's later updates still pending.
        """
        deadline = time.monotonic() + patience
        while True:
            if await self.claim_and_start() or self.running:
                await asyncio.wait(list(self.running.values()),
                                   return_when=asyncio.FIRST_COMPLETED)
                continue
            if not await inbox.pending_keys(self.db) or time.monotonic() > deadline:
                return
            await asyncio.sleep(0.05)

    async def stop(self) -> None:
        tasks = list(self.running.values())
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    async def handle(self, lease: Lease) -> None:
        try:
            if lease.attempts > MAX_ATTEMPTS:
                await self.set_aside(lease)
                return
            # Stopping cuts a flood pause short: a claimed row is handled, not given back.
            # While the chat waits out its flood pause the lease is renewed (the row is not
            # locked yet: its turn's transaction locks it from its first statement on).
            keep = asyncio.create_task(self.keep(lease.update_id))
            try:
                notice = await self.d._slow_down(lease.chat_id)
            finally:
                keep.cancel()
            try:
                await self.d._process(lease.update_id, lease.chat_id, None, notice=notice,
                                      owner=self.owner)
            except Exception:  # transient (see Dispatcher._process): try again later
                log.warning("dispatcher: an update will be retried", exc_info=True)
                with contextlib.suppress(Exception):
                    await inbox_claims.release(self.db, self.owner, [lease.update_id],
                                               RETRY_DELAY)
        except Exception:
            log.exception("dispatcher: update %s could not be recorded", lease.update_id)
        finally:
            self.running.pop(lease.update_id, None)
            self.wake.set()  # the chat's next update may be claimed now

    async def keep(self, update_id: int) -> None:
        """Renew the lease on ``update_id`` every third of its length until cancelled."""
        while True:
            await asyncio.sleep(self.lease / 3)
            with contextlib.suppress(Exception):
                async with self.db.transaction() as tx:
                    await inbox_claims.renew(tx, self.owner, update_id, self.lease)

    async def set_aside(self, lease: Lease) -> None:
        row = await inbox.get(self.db, lease.update_id)
        update = None
        if row is not None:
            with contextlib.suppress(Exception):
                update = self.d._parse(lease.update_id, row.payload)
        reason = (f"set aside after {lease.attempts - 1} attempts: its turn never finished"
                  " (the process handling it stopped each time)")
        log.error("update %s %s", lease.update_id, reason)
        await self.d._fail(lease.update_id, lease.chat_id, update, SetAside(reason), reason)
