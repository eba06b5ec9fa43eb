"""Making /report's files off the conversation path, then sending them through the outbox.

Why not in the handler: building a report reads a million events and draws charts (a second
or two). Inside the turn that would hold the database's only writer, and everyone's answers,
for that long. The handler only queues a request after its turn commits; the report is built
here on a read-only connection of its own (in WAL mode it never blocks the writer), the files
are rendered in a thread, and a short transaction puts sendDocument and sendPhoto in the
outbox, which delivers and retries them like any other message.

A request lost in a crash while being built is not re-run: the admin sees no file and asks
again (the figures would have changed anyway).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass

from bot.config import Settings
from bot.i18n import format_day, gettext_for, territory_name
from bot.services import report_formats, reports
from bot.services.library import FlowLibrary
from bot.storage.db import Database
from bot.storage.reports import Period, ReadOnly
from bot.tg.markup import escape
from bot.tg.turn import Turn
from bot.tg.uploads import binary_file

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Request:
    chat_id: int
    period: Period
    fmt: str
    lang: str


class ReportJobs:
    """Builds requested reports in the background; ``stop()`` cancels unfinished ones."""

    def __init__(self, db: Database, settings: Settings, library: FlowLibrary) -> None:
        self.db, self.settings, self.library = db, settings, library
        self._tasks: set[asyncio.Task[None]] = set()

    def submit(self, request: Request) -> None:
        task = asyncio.create_task(self._run(request), name="passerelle-report")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def start(self) -> None:
        """Nothing to start: requests arrive through :meth:`submit`."""

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self, request: Request) -> None:
        _ = gettext_for(request.lang)
        try:
            document, chart, caption = await self.make(request)
        except Exception:
            log.exception("report: building failed")
            await self._send(request, [("sendMessage", {"text": escape(_(
                "The report could not be made. The error is in the bot's log."))})])
            return
        name = f"passerelle-report-{request.period.until}.{report_formats.EXTENSIONS[request.fmt]}"
        calls = [("sendDocument", {"document": binary_file(name, document),
                                   "caption": caption, "parse_mode": "HTML"})]
        if chart:  # no picture when no procedure was used in the period
            calls.append(("sendPhoto", {"photo": binary_file("chart.png", chart), "caption":
                                        escape(_("Started and completed, per procedure"))}))
        await self._send(request, calls)

    async def make(self, request: Request) -> tuple[bytes, bytes, str]:
        """The report file, the main chart (PNG) and the document's caption."""
        from bot.services.report_charts import main_chart  # matplotlib only when needed

        reader = await ReadOnly.of(self.db)
        try:
            report = await reports.build(reader, self.library.flows, request.period,
                                         lang=request.lang,
                                         min_count=self.settings.report_min_count)
        finally:
            await reader.close()
        document = await asyncio.to_thread(report_formats.render, report, request.fmt)
        chart = await asyncio.to_thread(main_chart, report, "png")
        async with self.db.transaction() as tx:  # later reports are suppressed with it
            await reports.release(tx, report)
        return document, chart, caption(request, report.min_count)

    async def _send(self, request: Request, calls: list[tuple[str, dict]]) -> None:
        async with self.db.transaction() as tx:
            turn = Turn(tx, 0, None)
            for method, params in calls:
                turn.send(method, {"chat_id": request.chat_id, **params},
                          chat_id=request.chat_id)
            await turn.flush()


def caption(request: Request, min_count: int) -> str:
    _ = gettext_for(request.lang)
    period = request.period
    where = (territory_name(period.country, request.lang) if period.country
             else _("All countries"))
    return escape(_("Passerelle report: {where}, {since} – {until}. Counts under {n} are "
                    "hidden.").format(where=where, since=format_day(period.since, request.lang),
                                      until=format_day(period.until, request.lang),
                                      n=min_count))
