"""Running the bot: settings, flows, database, the Application and its workers, together.

`Runtime` is what tests start and stop (also to simulate a restart on the same database);
`run_bot` is `python -m bot`: it refuses to start on a bad token or invalid flows, with one
clear message and no traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from dataclasses import dataclass, field
from typing import Any

from telegram.ext import Application

from bot.config import ConfigError, Settings, load_settings
from bot.i18n import LOCALES_DIR
from bot.logs import setup_logging
from bot.services.journey import AbandonScanner
from bot.services.library import FlowLibrary, FlowsInvalid
from bot.storage import volunteers
from bot.storage.db import Database
from bot.tg.app import build_application
from bot.tg.commands import queue_command_menus
from bot.tg.dispatcher import Dispatcher
from bot.tg.intake import Intake
from bot.tg.mediation.wiring import Mediation
from bot.tg.ratelimit import RateLimiter
from bot.tg.report_jobs import ReportJobs
from bot.tg.sender import Sender
from bot.tg.webhook import WebhookServer

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    """Everything a running bot owns; `await start()` then `await stop()`."""

    settings: Settings
    library: FlowLibrary
    poll_timeout: int = 30
    db: Database | None = None
    application: Application[Any, Any, Any, Any, Any, Any] | None = None
    workers: list[Any] = field(default_factory=list)
    webhook: WebhookServer | None = None

    async def start(self) -> None:
        self.db = await Database.open(self.settings.database_path)
        mediation = Mediation(self.settings, self.db)
        report_jobs = ReportJobs(self.db, self.settings, self.library)
        self.application = build_application(self.settings, self.library, db=self.db,
                                              extra_commands=mediation.commands,
                                              reports=report_jobs)
        mediation.install(self.application)
        bot = self.application.bot
        sender = Sender(bot, self.db, limiter=RateLimiter(global_rate=self.settings.send_rate),
                        on_blocked=mediation.on_blocked)
        dispatcher = Dispatcher(self.application, self.db)
        await dispatcher.start()
        await sender.start()
        self.workers = [dispatcher, sender, *mediation.workers(), report_jobs,
                        AbandonScanner(self.db, self.settings.abandon_after_hours)]
        for worker in self.workers[2:]:
            await worker.start()
        roster = await volunteers.all_volunteers(self.db)
        await queue_command_menus(self.db, self.settings, tuple(v.user_id for v in roster))
        if self.settings.webhook_url:
            self.webhook = WebhookServer(bot, self.db, url=self.settings.webhook_url,
                                         secret_token=self.settings.webhook_secret or "",
                                         host=self.settings.webhook_listen,
                                         port=self.settings.webhook_port)
            await self.webhook.start()
        else:
            intake = Intake(bot, self.db, timeout=self.poll_timeout)
            await intake.start()
            self.workers.insert(0, intake)

    async def stop(self) -> None:
        if self.webhook is not None:
            await self.webhook.stop()
        for worker in self.workers:
            with contextlib.suppress(Exception):
                await worker.stop()
        self.workers = []
        if self.application is not None:
            with contextlib.suppress(Exception):
                await self.application.shutdown()
        if self.db is not None:
            await self.db.close()


async def _serve(runtime: Runtime) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await runtime.start()
    log.info("Passerelle is running (%s)", "webhook" if runtime.settings.webhook_url
             else "long polling")
    try:
        await stop.wait()
    finally:
        await runtime.stop()


def run_bot() -> int:
    """`python -m bot`: exit 2 on bad settings, 1 on invalid flows, 0 after a clean stop."""
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"passerelle: {exc}", file=sys.stderr)
        return 2
    if settings.webhook_url and not settings.webhook_secret:
        print("passerelle: WEBHOOK_URL needs WEBHOOK_SECRET (see .env.example)", file=sys.stderr)
        return 2
    setup_logging(settings)
    if not LOCALES_DIR.is_dir():  # e.g. a non-editable install: the UI would be English only
        log.warning("no UI catalogues at %s: install with `pip install -e .`", LOCALES_DIR)
    try:
        library = FlowLibrary.load(settings.flows_dir)
    except FlowsInvalid as exc:
        for problem in exc.result.errors:
            print(problem, file=sys.stderr)
        print(f"passerelle: {len(exc.result.errors)} errors in {settings.flows_dir}; fix them "
              "(python -m bot flows check) and start again", file=sys.stderr)
        return 1
    asyncio.run(_serve(Runtime(settings, library)))
    return 0
