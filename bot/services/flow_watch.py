"""Several processes: a flow published (or /reload) in one process is loaded by the others.

Why: publishing writes the flow files and reloads the library of the process that handled
the admin's button; the other processes behind the load balancer would keep answering with
the old flows. Each process looks at the flow files' modification times every few seconds
and reloads when they changed (a set with errors keeps the running one, as /reload does).
The flows folder must be the same for every process (one machine, or a shared volume).
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from bot.background import BackgroundWorker
from bot.services.library import FlowLibrary

log = logging.getLogger(__name__)


def stamp(directory: Path) -> tuple[int, float]:
    """How many flow files and the newest modification time among them (and the folders)."""
    count, newest = 0, 0.0
    for path in directory.rglob("*"):
        try:
            newest = max(newest, path.stat().st_mtime)
        except OSError:
            continue
        count += path.suffix in (".yaml", ".yml")
    return count, newest


class FlowWatcher(BackgroundWorker):
    """Reloads ``library`` when its folder changed; ``interval`` seconds between looks."""

    task_name = "passerelle-flow-watch"

    def __init__(self, library: FlowLibrary, interval: float = 5.0) -> None:
        self.library = library
        self.interval = interval
        self._seen = stamp(library.directory)

    async def check(self) -> bool:
        """Reload if the files changed since the last look; True when it reloaded."""
        now = await asyncio.to_thread(stamp, self.library.directory)
        if now == self._seen:
            return False
        self._seen = now
        result = await asyncio.to_thread(self.library.reload)
        return result.ok

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.check()
            except Exception:
                log.exception("flows: looking for changes failed")
