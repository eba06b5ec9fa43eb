"""`python -m bot report`: the anonymous report for partners, as CSV (zip), HTML or JSON.

    python -m bot report --country KZ --since 2026-10-01 --until 2026-10-31 --format html
    python -m bot report --format csv -o reports/kz-october.zip --lang ru

Reads the database from the settings (``DATABASE_PATH``; no token needed) with the same
service as /report, so both give the same figures. Without -o the file is written as
``passerelle-report-<until>.<zip|html|json>``; ``-o -`` prints HTML or JSON. Bad input gets
one line on stderr and exit status 2.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from bot.config import Settings
from bot.engine import load_flows
from bot.i18n import LANGUAGES
from bot.private_files import write_private
from bot.services import report_formats, reports
from bot.storage.db import Database


async def make_report(settings: Settings, period: reports.Period, fmt: str, lang: str
                      ) -> tuple[reports.Report, bytes]:
    flows = load_flows(settings.flows_dir).flows
    db = await Database.open(settings.database, create=False)
    try:
        report = await reports.build(db, flows, period, lang=lang,
                                     min_count=settings.report_min_count)
        data = await asyncio.to_thread(report_formats.render, report, fmt)
        async with db.transaction() as tx:  # given out: later reports are suppressed with it
            await reports.release(tx, report)
    finally:
        await db.close()
    return report, data


def run(country: str | None, since: str | None, until: str | None, fmt: str,
        output: str | None, lang: str, settings: Settings) -> int:
    if lang not in LANGUAGES:
        print(f"passerelle: --lang must be one of {', '.join(LANGUAGES)}", file=sys.stderr)
        return 2
    try:
        period = reports.make_period(country, since, until)
    except reports.ReportError as exc:
        print(f"passerelle: {exc}", file=sys.stderr)
        return 2
    if output == "-" and fmt == "csv":
        print("passerelle: CSV comes as a zip (the tables and their dictionary): give -o PATH",
              file=sys.stderr)
        return 2
    report, data = asyncio.run(make_report(settings, period, fmt, lang))
    if output == "-":
        sys.stdout.write(data.decode())
        return 0
    path = Path(output or f"passerelle-report-{period.until}.{report_formats.EXTENSIONS[fmt]}")
    path.parent.mkdir(parents=True, exist_ok=True)
    write_private(path, data)  # 0600 like the database: exports stay with the bot user
    procedures = sum(1 for r in report.table("procedures").rows if r["started"])
    print(f"{path}: {period.country or 'all countries'}, {period.since} to {period.until}, "
          f"{procedures} procedures used, counts under {report.min_count} hidden")
    return 0
