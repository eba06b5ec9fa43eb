"""The "Response targets" table of a report: per country and month, how many first answers
and next answers came within the country's targets (bot/services/targets.py) and how many
did not.

Why apart from the other tables: these counts come from anonymous monthly counters, not
from days, so they cannot join the day-by-day equations of ``report_overlaps`` (a month
counts whole in any report that touches it). Each cell stands alone (no totals are
published), so hiding the counts from 1 to ``REPORT_MIN_COUNT - 1`` is all the suppression
they need, with the zero beside a hidden count ("c,0" would say the few cases all met, or all
missed, the target); the same month of the same country is hidden alike in every report.
Limit: the current month's counts grow, so two reports a day apart differ by that day's.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from bot.storage import reports as sql
from bot.storage.db import Reader
from bot.storage.reports import Period

from .suppression import Line, suppress, telling_zeros

COLUMNS = ["country", "month", "first_met", "first_missed", "next_met", "next_missed"]
COUNTS = COLUMNS[2:]


async def rows(db: Reader, period: Period, min_count: int, hidden: Any) -> list[dict[str, Any]]:
    """One row per country and month with a count; ``hidden`` stands for a suppressed cell."""
    counts: Counter[tuple[str, str, str]] = Counter()
    for country, month, kind, outcome, n in await sql.target_counts(db, period):
        counts[(country, month, f"{kind}_{outcome}")] += n
    places = sorted({(country, month) for country, month, _ in counts})
    values = {(country, month, c): counts[(country, month, c)]
              for country, month in places for c in COUNTS}
    secret = suppress(values, [], min_count)
    # "c,0" would tell that the few cases of a month all met (or all missed) the target.
    answers = [Line(((country, month, f"{kind}_met"), (country, month, f"{kind}_missed")),
                    (country, month, kind), attribute=True)
               for country, month in places for kind in ("first", "next")]
    secret |= telling_zeros(values, answers, secret)
    return [{"country": country, "month": month,
             **{c: hidden if (country, month, c) in secret else values[(country, month, c)]
                for c in COUNTS}} for country, month in places]
