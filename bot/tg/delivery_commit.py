"""Group commit of the sender's final outcomes: one transaction for the rows of all lanes.

Why: under load, one transaction per delivered row would make the database the
bottleneck; rows delivered meanwhile by every lane are marked together instead.
"""

from __future__ import annotations

import asyncio
from typing import Any

from bot.storage import outbox
from bot.storage.db import Database


class OutcomeCommit:
    """Writes ``sent`` / ``failed`` marks in shared transactions.

    ``add`` returns a future set once the outcome is committed. Outcomes added while a
    transaction is being written go into the next one, so under load each transaction
    carries many rows, and an idle sender still commits a lone row at once.
    """

    def __init__(self, db: Database) -> None:
        self._db = db
        self._sent: list[tuple[int, Any]] = []
        self._failed: list[tuple[int, str]] = []
        self._waiters: list[asyncio.Future[None]] = []
        self._writer: asyncio.Task[None] | None = None

    def add(self, *, sent: tuple[int, Any] | None = None,
            failed: tuple[int, str] | None = None) -> asyncio.Future[None]:
        if sent is not None:
            self._sent.append(sent)
        if failed is not None:
            self._failed.append(failed)
        waiter = asyncio.get_running_loop().create_future()
        waiter.add_done_callback(_retrieve)  # nobody may be left to await it
        self._waiters.append(waiter)
        if self._writer is None:
            self._writer = asyncio.create_task(self._write(), name="sender-outcomes")
        return waiter

    async def drain(self) -> None:
        if self._writer is not None:
            await asyncio.gather(self._writer, return_exceptions=True)

    async def _write(self) -> None:
        try:
            while self._waiters:
                sent, failed, waiters = self._sent, self._failed, self._waiters
                self._sent, self._failed, self._waiters = [], [], []
                try:
                    async with self._db.transaction() as tx:
                        if sent:
                            await outbox.mark_sent_many(tx, sent)
                        if failed:
                            await outbox.mark_failed_many(tx, failed)
                except Exception as exc:
                    for waiter in waiters:
                        if not waiter.done():
                            waiter.set_exception(exc)
                else:
                    for waiter in waiters:
                        if not waiter.done():
                            waiter.set_result(None)
        finally:
            self._writer = None


def _retrieve(future: asyncio.Future[None]) -> None:
    if not future.cancelled():
        future.exception()
