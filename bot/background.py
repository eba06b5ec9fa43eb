"""One background task per worker: `start()` runs the worker's `_run()` loop, `stop()` ends it.

The workers (timers, retention, follow-ups, proposals, the dispatcher) each own one long-lived
asyncio task, started with the runtime and cancelled when it stops. Their loops differ; how the
task is started, named and stopped does not, so it lives here once. A task named after its
worker shows up by that name in asyncio's debug output and in a hung process's task dump.
It sits outside tg/ so that a service's worker (one that needs no Telegram) can use it too.
"""

from __future__ import annotations

import asyncio
import contextlib
from abc import ABC, abstractmethod
from typing import ClassVar


class BackgroundWorker(ABC):
    """A worker whose `_run()` loop runs as one named task between `start()` and `stop()`."""

    task_name: ClassVar[str]
    _task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self.task_name)

    async def stop(self) -> None:
        """Cancel the loop and wait until it has ended (a stopped worker may start again)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    @abstractmethod
    async def _run(self) -> None:
        """The worker's loop; it runs until cancelled."""


async def sleep_until_due(wake: asyncio.Event, upcoming: float | None, now: float,
                          cap: float) -> None:
    """Sleep until `upcoming` (a Unix time; None: nothing due), at most `cap` seconds, or
    until a commit sets `wake` (new work). Timer workers call it between their runs: a
    timer added meanwhile wakes them, and a clock change costs at most `cap`."""
    delay = cap if upcoming is None else max(0.05, upcoming - now)
    wake.clear()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(wake.wait(), min(delay, cap))
