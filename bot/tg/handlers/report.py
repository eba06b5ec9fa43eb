"""/report for admins: the anonymous report as a file, and its main chart as a picture."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.services import reports
from bot.tg.markup import escape
from bot.tg.report_jobs import Request

from .admin import admin_only

FORMATS = ("html", "csv", "json")


def parse(args: list[str]) -> tuple[reports.Period, str]:
    """`/report [CC] [SINCE [UNTIL]] [html|csv|json]`, in any order; dates YYYY-MM-DD."""
    country, dates, fmt = None, [], "html"
    for arg in args:
        if arg.lower() in FORMATS:
            fmt = arg.lower()
        elif len(arg) == 2 and arg.isalpha():
            country = arg
        else:
            dates.append(arg)
    if len(dates) > 2:
        raise reports.ReportError("at most two dates: since and until")
    return reports.make_period(country, *dates), fmt


async def report_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/report [CC] [SINCE [UNTIL]] [html|csv|json]: built in the background, then sent."""
    person = await admin_only(update, context)
    if person is None:
        return
    _ = person.gettext
    try:
        period, fmt = parse(list(context.args or ()))
    except reports.ReportError as exc:
        person.say(escape(_("Usage: /report [country] [since] [until] [html|csv|json], dates "
                            "as YYYY-MM-DD.") + f"\n{exc}"))
        return
    person.say(escape(_("Preparing the report; it comes in a moment.")))
    request = Request(person.chat_id, period, fmt, person.lang)
    jobs = context.bot_data["reports"]
    person.tx.after_commit(lambda: jobs.submit(request))
