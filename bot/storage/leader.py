"""One process at a time runs the shared workers: elected with a PostgreSQL advisory lock.

Why: the sender must hold the send budgets (about 30 messages a second overall, about one a
second per chat, about 20 a minute per group, ``retry_after``) for all processes together.
Rather than a budget table written at every send, one process is elected to send, and its
in-process rate limiter (:mod:`bot.tg.ratelimit`) stays the single place of budgets. Timer
workers (re-notify waves, follow-ups, reminders, abandonment scans, retention) run in that
process too; their rows are also claimed so that each fires once even if two ran.

The election is a session-level ``pg_try_advisory_lock`` held on a connection of its own:
when the elected process dies (or loses its connection), PostgreSQL releases the lock and
another process takes it within ``retry`` seconds (failover). The lock's key is derived from
the schema, so databases sharing a server elect separately.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import Any

log = logging.getLogger(__name__)

_TRY = "SELECT pg_try_advisory_lock(hashtext(current_schema() || ':passerelle-leader'))"


class Leadership:
    """Starts ``workers`` while this process is elected, stops them when it is not."""

    task_name = "passerelle-leadership"

    def __init__(self, url: str, workers: Sequence[Any], *, retry: float = 2.0) -> None:
        self._url = url
        self._workers = list(workers)
        self._retry = retry
        self._task: asyncio.Task[None] | None = None
        self.leading = False
        self._conn: Any = None  # a psycopg.AsyncConnection of its own

    async def start(self) -> None:
        """Try once now (a lone process leads from its first second), then keep trying."""
        with contextlib.suppress(Exception):
            await self._try()
        self._task = asyncio.create_task(self._run(), name=self.task_name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._resign()

    async def _try(self) -> bool:
        if self._conn is None:
            import psycopg  # only with PostgreSQL (SQLite deployments need no driver)

            self._conn = await psycopg.AsyncConnection.connect(self._url, autocommit=True)
        row = await (await self._conn.execute(_TRY)).fetchone()
        if not (row and row[0]):
            return False
        self.leading = True
        log.info("elected: this process now sends messages and runs the timers")
        for worker in self._workers:
            await worker.start()
        return True

    async def _resign(self) -> None:
        if self.leading:
            self.leading = False
            for worker in self._workers:
                with contextlib.suppress(Exception):
                    await worker.stop()
        if self._conn is not None:
            with contextlib.suppress(Exception):
                await self._conn.close()  # releases the lock if we held it
            self._conn = None

    async def _run(self) -> None:
        while True:
            try:
                if self.leading:
                    await (await self._conn.execute("SELECT 1")).fetchone()
                else:
                    await self._try()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
                log.warning("PostgreSQL unreachable for the election (%s); retry in %.0f s",
                            first[:200], self._retry)
                await self._resign()
            await asyncio.sleep(self._retry)
