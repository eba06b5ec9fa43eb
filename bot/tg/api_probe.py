"""A getMe now and then when nothing else has heard from the Bot API.

Why: health is judged by the last successful Bot API call, and a revoked token must stop the
bot within seconds. A bot in webhook mode with nobody writing makes no call at all, and a
polling bot's long poll can hang for its whole timeout (30 s) before it learns anything; a
cheap getMe after ``interval`` seconds of silence keeps both truthful. Its outcome reaches
:class:`bot.tg.api_status.ApiStatus` through the transport, like every other call's.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from telegram import Bot

from bot.background import BackgroundWorker
from bot.tg.api_status import ApiStatus

log = logging.getLogger(__name__)


class ApiProbe(BackgroundWorker):
    """Calls getMe when the Bot API has not answered for ``interval`` seconds."""

    task_name = "api-probe"

    def __init__(self, bot: Bot, status: ApiStatus, interval: float = 10.0) -> None:
        self._bot = bot
        self._status = status
        self._interval = interval

    async def _run(self) -> None:
        while not self._status.refused.is_set():
            last = self._status.last_success or 0.0
            quiet = self._status.clock() - last
            await asyncio.sleep(max(0.5, self._interval - quiet))
            if self._status.clock() - (self._status.last_success or 0.0) < self._interval:
                continue
            with contextlib.suppress(Exception):  # the transport recorded why it failed
                await self._bot.get_me(read_timeout=5, connect_timeout=5, write_timeout=5,
                                       pool_timeout=1)
