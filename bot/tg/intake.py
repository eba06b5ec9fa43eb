"""Long polling that stores updates *before* Telegram is told they were received.

Why: Telegram forgets an update once a ``getUpdates`` call passes an ``offset`` above its id.
PTB's Updater does that as soon as updates are in memory; here a batch is first committed to
the inbox together with the next offset, and only the *next* ``getUpdates`` (with that
offset) acknowledges it. A crash in between means Telegram sends the batch again, and the
inbox drops the duplicates.

Updates are fetched as raw JSON (not parsed by PTB): an update PTB cannot parse is then a
failed inbox row, not a batch that can never be acknowledged.

An offset is sent only to confirm the batch just stored (then none until the next batch),
so Telegram is never told to forget an update the inbox does not hold; the state is tied to
the bot's id and survives ids that restart (see :mod:`bot.tg.polling_state`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Callable, Sequence
from typing import Any

from telegram import Bot, Update
from telegram.error import InvalidToken, NetworkError, RetryAfter

from bot.storage import inbox
from bot.storage.db import Database
from bot.tg import polling_state
from bot.tg.api_calls import call_api
from bot.tg.api_status import is_token_refusal
from bot.tg.connectivity import api_host, network_reason
from bot.tg.retry_policy import retry_after_seconds

log = logging.getLogger(__name__)


class Intake:
    """Polls ``getUpdates`` into the inbox; ``await start()`` / ``await stop()``."""

    def __init__(
        self,
        bot: Bot,
        db: Database,
        *,
        timeout: int = 30,
        limit: int = 100,
        allowed_updates: Sequence[str] = Update.ALL_TYPES,
        backoff_base: float = 1.0,
        backoff_cap: float = 30.0,
        on_invalid_token: Callable[[], None] | None = None,
    ) -> None:
        self._bot = bot
        self._db = db
        self._timeout = timeout
        self._limit = limit
        self._allowed = list(allowed_updates)
        self._backoff_base = backoff_base
        self._backoff_cap = backoff_cap
        self._on_invalid_token = on_invalid_token  # the runtime stops: polling cannot go on
        self._task: asyncio.Task[None] | None = None
        self._stopped = asyncio.Event()
        self._storing = False  # True while a batch is being committed: let it finish
        self._state: polling_state.PollingState | None = None  # read once (only we write it)
        self._confirm: int | None = None  # the offset that confirms the batch just stored

    async def start(self) -> None:
        """Remove any webhook (getUpdates refuses to work with one) and start polling."""
        await self._bot.delete_webhook(drop_pending_updates=False)
        self._stopped.clear()
        self._task = asyncio.create_task(self.run(), name="intake")

    async def stop(self) -> None:
        """Stop polling; a batch being stored is stored first."""
        self._stopped.set()
        if self._task is None:
            return
        if not self._storing:
            self._task.cancel()  # nothing received yet is lost: it was never acknowledged
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None

    async def run(self) -> None:
        """Poll until stopped; network trouble and flood limits are waited out."""
        failures = 0
        while not self._stopped.is_set():
            try:
                await self.poll_once()
                failures = 0
            except RetryAfter as exc:
                await self._sleep(retry_after_seconds(exc))
            except Exception as exc:
                if isinstance(exc, InvalidToken) or is_token_refusal(exc):
                    # The transport logged the one line; the runtime stops (exit 2).
                    if self._on_invalid_token is not None:
                        self._on_invalid_token()
                    return
                failures += 1
                delay = min(self._backoff_cap, self._backoff_base * 2 ** (failures - 1))
                delay = delay / 2 + random.uniform(0, delay / 2)
                reason = (network_reason(exc) if isinstance(exc, NetworkError)
                          else type(exc).__name__)
                log.warning("intake: getUpdates at %s failed (%s); retry in %.1fs",
                            api_host(self._bot.base_url), reason, delay)
                await self._sleep(delay)

    async def poll_once(self, timeout: int | None = None) -> list[int]:
        """One ``getUpdates``; store the batch and where polling stands; return the new ids
        (as the inbox numbers them)."""
        bot_id = self._bot.id
        if self._state is None:
            self._state = await polling_state.load(self._db)
            self._confirm = polling_state.start_offset(self._state, bot_id, time.time())
        offset = self._confirm
        timeout = self._timeout if timeout is None else timeout
        params: dict[str, Any] = {
            "timeout": timeout,
            "limit": self._limit,
            "allowed_updates": self._allowed,
        }
        if offset is not None:
            params["offset"] = offset
        batch = await call_api(self._bot, "getUpdates", params, read_timeout=timeout + 10)
        if not isinstance(batch, list):
            raise TypeError(f"getUpdates returned {type(batch).__name__}, not a list")
        self._confirm = None  # answered: what the offset confirmed is gone from Telegram
        if not batch:
            return []
        self._storing = True
        try:
            state = await polling_state.place(self._db, self._state, bot_id, batch, time.time())
            if state.base:
                batch = [{**u, "update_id": int(u["update_id"]) + state.base} for u in batch]
            async with self._db.transaction() as tx:
                new = await inbox.add_many(tx, batch)
                await polling_state.save(tx, state)
            self._state = state
            self._confirm = state.last + 1
        finally:
            self._storing = False
        return new

    async def _sleep(self, delay: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopped.wait(), delay)
