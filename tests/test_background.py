"""The workers' shared start/stop: one named task that stop() cancels and waits for."""

from __future__ import annotations

import asyncio

from bot.background import BackgroundWorker
from bot.services.journey import AbandonScanner
from bot.tg.dispatcher import Dispatcher
from bot.tg.followups.worker import FollowupWorker
from bot.tg.mediation.workers import RetentionWorker, TimerWorker
from bot.tg.publishing.worker import ProposalWorker


class Ticker(BackgroundWorker):
    task_name = "ticker"

    def __init__(self) -> None:
        self.running = asyncio.Event()
        self.cancelled = False

    async def _run(self) -> None:
        self.running.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            self.cancelled = True
            raise


def named(name: str) -> list[asyncio.Task]:
    return [task for task in asyncio.all_tasks() if task.get_name() == name]


async def test_start_runs_the_loop_as_a_named_task_and_stop_ends_it() -> None:
    ticker = Ticker()
    await ticker.stop()  # never started: nothing to do
    await ticker.start()
    await asyncio.wait_for(ticker.running.wait(), 5)
    assert len(named("ticker")) == 1
    await ticker.stop()
    assert ticker.cancelled  # stop() returned only after the loop saw its cancellation
    assert named("ticker") == []
    await ticker.stop()  # twice is harmless


async def test_a_stopped_worker_starts_again() -> None:
    ticker = Ticker()
    await ticker.start()
    await ticker.stop()
    ticker.running.clear()
    await ticker.start()
    await asyncio.wait_for(ticker.running.wait(), 5)
    assert len(named("ticker")) == 1
    await ticker.stop()


def test_every_background_worker_uses_it_under_its_own_name() -> None:
    workers = (Dispatcher, FollowupWorker, ProposalWorker, RetentionWorker, TimerWorker,
               AbandonScanner)
    assert all(issubclass(worker, BackgroundWorker) for worker in workers)
    names = [worker.task_name for worker in workers]
    assert len(set(names)) == len(names)
