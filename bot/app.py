"""Running the bot: settings, flows, database, the Application and its workers, together.

`Runtime` is what tests start and stop (also to simulate a restart on the same database);
`run_bot` is `python -m bot`: it refuses to start on bad settings, a refused token or invalid
flows, with one clear message and no traceback; while the Bot API is unreachable it retries
with backoff, one log line per attempt, and a signal stops it at once (a supervisor such as
systemd sees a clean exit, never a hang).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import signal
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from telegram.error import InvalidToken, NetworkError
from telegram.ext import Application

from bot import config_check
from bot.config import ConfigError, Settings, load_settings
from bot.i18n import LOCALES_DIR
from bot.logs import setup_logging
from bot.ops.http import MetricsServer
from bot.services import live_flows, shipped_updates
from bot.services.flood import FloodGuard
from bot.services.flow_watch import FlowWatcher
from bot.services.journey import AbandonScanner
from bot.services.library import FlowLibrary, FlowsInvalid
from bot.storage import volunteers
from bot.storage.db import Database, DatabaseUnavailable
from bot.storage.leader import Leadership
from bot.tg.api_probe import ApiProbe
from bot.tg.api_status import REFUSED_LINE, ApiStatus, TokenRefused
from bot.tg.app import build_application
from bot.tg.commands import queue_command_menus
from bot.tg.connectivity import api_host, network_reason, retry_delay
from bot.tg.dispatcher import Dispatcher
from bot.tg.followups.wiring import Followups
from bot.tg.handlers.failure import apologise
from bot.tg.handlers.flood import flood_notice
from bot.tg.intake import Intake
from bot.tg.mediation.wiring import Mediation
from bot.tg.publishing import Publishing
from bot.tg.ratelimit import RateLimiter
from bot.tg.report_jobs import ReportJobs
from bot.tg.sender import Sender
from bot.tg.transport import AiohttpRequest
from bot.tg.webhook import WebhookServer
from bot.tg.workspace.sender import WorkspaceSender
from bot.tg.workspace.targets_worker import TargetWorker

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
    metrics: MetricsServer | None = None
    requests: tuple[AiohttpRequest, ...] = ()
    api_status: ApiStatus = field(default_factory=ApiStatus)
    probe_interval: float | None = None  # default: a third of HEALTH_STALE_SECONDS, <= 10 s
    started_at: float = field(default_factory=time.time)

    def __post_init__(self) -> None:
        self.api_status.host = api_host(self.settings.telegram_api_url)

    async def start(self) -> None:
        """Open the database and the metrics port, then everything that needs Telegram;
        the first call to Telegram (getMe) comes before any worker starts.

        Raises what Telegram or the network raised (InvalidToken, TokenRefused,
        NetworkError); the caller then calls :meth:`disconnect` (to retry) or :meth:`stop`.
        """
        await self.open()
        await self.connect()

    async def open(self) -> None:
        """The parts that need no Telegram: the database, then the metrics port (so
        monitoring sees a 503 with the reason while Telegram is unreachable at start)."""
        if self.db is None:
            self.db = await Database.open(self.settings.database,
                                          pool_size=self.settings.database_pool_size)
            try:  # an upgrade's new versions of edited flows: proposals, never a stop
                await shipped_updates.propose(self.db, self.library)
            except Exception:
                log.exception("flows: the shipped updates could not be turned into proposals")
        if self.settings.metrics_port is not None and self.metrics is None:
            self.metrics = MetricsServer(self.db, host=self.settings.metrics_listen,
                                         port=self.settings.metrics_port,
                                         api_problem=self.api_problem)
            await self.metrics.start()

    def _probe_every(self) -> float:
        """How long the Bot API may stay silent before a getMe: often enough that a quiet
        bot (a long poll answers only every 30 s) never looks stale to /healthz, and a
        revoked token is noticed within 10 s."""
        if self.probe_interval is not None:
            return self.probe_interval
        return max(1.0, min(10.0, self.settings.health_stale_seconds / 3))

    def api_problem(self) -> str | None:
        """Why the Bot API counts as unhealthy now (for /healthz), or None."""
        return self.api_status.stale_reason(self.settings.health_stale_seconds,
                                            self.started_at)

    async def connect(self) -> None:
        """Build the Application, call getMe, start the workers and the intake."""
        assert self.db is not None, "open() first"
        mediation = Mediation(self.settings, self.db)
        publishing = Publishing(self.settings, self.db, self.library)
        report_jobs = ReportJobs(self.db, self.settings, self.library)
        self.requests = (AiohttpRequest(status=self.api_status),
                         AiohttpRequest(connection_pool_size=2, status=self.api_status))
        self.application = build_application(
            self.settings, self.library, db=self.db,
            extra_commands={**mediation.commands, **publishing.commands},
            extra_handlers=publishing.handlers(), requests=self.requests, reports=report_jobs)
        mediation.install(self.application)
        publishing.install(self.application)
        followups = Followups(self.settings, self.db, self.library)
        followups.install(self.application)
        await self.application.initialize()  # getMe: a refused token or no network stops here
        bot = self.application.bot
        limiter = RateLimiter(global_rate=self.settings.send_rate)  # shared: one budget
        sender = Sender(bot, self.db, limiter=limiter, on_blocked=mediation.on_blocked)
        workspace = WorkspaceSender(bot, self.db, self.settings, limiter)
        dispatcher = Dispatcher(self.application, self.db, on_failed=apologise,
                                flood=FloodGuard(), on_flood=flood_notice,
                                lease_seconds=self.settings.inbox_lease_seconds)
        await dispatcher.start()
        shared = [sender, *mediation.workers(), *publishing.workers(bot), *followups.workers(),
                  workspace, TargetWorker(self.db, self.library),
                  AbandonScanner(self.db, self.settings.abandon_after_hours)]
        local = [report_jobs, ApiProbe(bot, self.api_status, self._probe_every())]
        if self.db.postgres:  # flows published in another process are loaded here too
            local.append(FlowWatcher(self.library))
        self.workers = [dispatcher, *shared, *local]
        if self.db.postgres:  # several processes: the elected one sends and runs timers
            leadership = Leadership(getattr(self.db, "url", ""), shared)
            self.workers.insert(1, leadership)
            await leadership.start()
            for worker in local:
                await worker.start()
        else:
            for worker in self.workers[1:]:
                await worker.start()
        roster = await volunteers.all_volunteers(self.db)
        await queue_command_menus(self.db, self.settings, tuple(v.user_id for v in roster))
        if self.settings.webhook_url:
            self.webhook = WebhookServer(bot, self.db, url=self.settings.webhook_url,
                                         secret_token=self.settings.webhook_secret or "",
                                         host=self.settings.webhook_listen,
                                         port=self.settings.webhook_port,
                                         api_problem=self.api_problem,
                                         shared=self.db.postgres)
            await self.webhook.start()
        else:
            intake = Intake(bot, self.db, timeout=self.poll_timeout,
                            on_invalid_token=self.api_status.refused.set)
            await intake.start()
            self.workers.insert(0, intake)

    @property
    def token_refused(self) -> asyncio.Event:
        """Set when Telegram refused the token (401 on any call, any mode)."""
        return self.api_status.refused

    async def disconnect(self) -> None:
        """Close what :meth:`connect` opened, also after it failed half-way."""
        if self.webhook is not None:
            with contextlib.suppress(Exception):
                await self.webhook.stop()
            self.webhook = None
        for worker in self.workers:
            with contextlib.suppress(Exception):
                await worker.stop()
        self.workers = []
        if self.application is not None:
            with contextlib.suppress(Exception):
                await self.application.shutdown()
            self.application = None
        for request in self.requests:  # Application.shutdown skips them when getMe failed
            with contextlib.suppress(Exception):
                await request.shutdown()
        self.requests = ()

    async def stop(self) -> None:
        """Close everything that was opened, also after a start that failed half-way."""
        await self.disconnect()
        if self.metrics is not None:
            with contextlib.suppress(Exception):
                await self.metrics.stop()
            self.metrics = None
        if self.db is not None:
            await self.db.close()
            self.db = None


async def _serve(runtime: Runtime) -> int:
    """Start (retrying while Telegram is unreachable), run until a signal; the exit code."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    api = api_host(runtime.settings.telegram_api_url)
    try:
        for attempt in itertools.count(1):
            try:
                await runtime.start()
                break
            except (InvalidToken, TokenRefused):
                if not runtime.token_refused.is_set():  # else the transport said it already
                    log.critical(REFUSED_LINE)
                return 2
            except DatabaseUnavailable as exc:
                if not runtime.settings.database_url:
                    raise  # a SQLite file that cannot be opened does not heal by waiting
                await runtime.stop()
                delay = retry_delay(attempt)
                log.error("%s; attempt %d, next try in %.0f s", exc, attempt, delay)
                if await _wait(stop, delay):
                    return 0
            except NetworkError as exc:  # TimedOut included; the message names no secret
                await runtime.disconnect()
                delay = retry_delay(attempt)
                log.error("cannot reach the Telegram Bot API at %s (%s); attempt %d, next try "
                          "in %.0f s", api, network_reason(exc), attempt, delay)
                if await _wait(stop, delay):
                    return 0
        log.info("Passerelle is running (%s)", "webhook" if runtime.settings.webhook_url
                 else "long polling")
        waits = [asyncio.create_task(stop.wait()),
                 asyncio.create_task(runtime.token_refused.wait())]
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        for task in waits:
            task.cancel()
        if runtime.token_refused.is_set():  # the transport logged the one line
            return 2
        return 0
    finally:
        await runtime.stop()


async def _wait(stop: asyncio.Event, seconds: float) -> bool:
    """Sleep up to `seconds`; True when a stop signal came first."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
    return stop.is_set()


def prepare_flows(settings: Settings) -> bool:
    """Seed or update FLOWS_DIR from the shipped flows (services/live_flows.py); False (after
    one line on stderr) when there are no flows to run."""
    if live_flows.same_folder(settings.shipped_flows_dir, settings.flows_dir):
        log.warning("FLOWS_DIR is the shipped folder %s: a change published from Telegram edits "
                    "a file git tracks (git pull then stops); set FLOWS_DIR=data/flows",
                    settings.flows_dir)
        return True
    try:
        done = live_flows.sync(settings.shipped_flows_dir, settings.flows_dir)
    except live_flows.FlowsDirError as exc:
        if settings.flows_dir.is_dir() and any(settings.flows_dir.iterdir()):
            log.warning("%s; running the flows it has", exc)
            return True
        print(f"passerelle: {exc}", file=sys.stderr)
        return False
    if done.seeded:
        log.info("FLOWS_DIR %s created from the shipped flows", settings.flows_dir)
    for rel in done.updated + done.added:
        log.info("flows: %s updated to the shipped version", rel)
    return True


def run_bot() -> int:
    """`python -m bot`: exit 2 on bad settings or a refused token, 1 on invalid flows."""
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"passerelle: {exc}", file=sys.stderr)
        return 2
    setup_logging(settings)
    for warning in config_check.warnings(settings):
        log.warning("%s", warning)
    if not LOCALES_DIR.is_dir():  # e.g. a non-editable install: the UI would be English only
        log.warning("no UI catalogues at %s: install with `pip install -e .`", LOCALES_DIR)
    if not prepare_flows(settings):
        return 1
    try:
        library = FlowLibrary.load(settings.flows_dir)
    except FlowsInvalid as exc:
        for problem in exc.result.errors:
            print(problem, file=sys.stderr)
        print(f"passerelle: {len(exc.result.errors)} errors in {settings.flows_dir}; fix them "
              "(python -m bot flows check) and start again", file=sys.stderr)
        return 1
    try:
        return asyncio.run(_serve(Runtime(settings, library)))
    except DatabaseUnavailable as exc:
        log.critical("%s", exc)
        return 1
    except Exception:  # one redacted record (the log filter scrubs secrets), then exit 1
        log.critical("Passerelle stopped on an unexpected error", exc_info=True)
        return 1
