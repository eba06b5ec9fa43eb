"""Reports over overlapping days: what two of them give away together, as equations.

A report for 1-30 November shows 40 runs started; one for 1-29 November showed 38: two
people started on the 30th, a count the threshold hides in any single report. So every report
given out is remembered (``report_releases``: its days, its country and each count it showed
or hid; counts only, nothing about anyone), and a new report is suppressed together with the
released ones it overlaps. For a count ``k`` of a released report P and of the new report N:

    P_k = I_k + A_k        N_k = I_k + B_k

where ``I_k`` is the count over the days both cover, ``A_k`` over P's other days and ``B_k``
over N's other days. ``I``, ``A`` and ``B`` are never published: they are unknowns whose true
value the suppression knows, and one from 1 to ``REPORT_MIN_COUNT - 1`` must not become
derivable. P's counts are fixed (shown ones are known, hidden ones stay unknown); only N's
cells can still be hidden. With N extending P by a day (A empty), ``B_k = N_k - P_k`` is
derivable as soon as both are shown, so N hides ``N_k`` (and its complements) when that day's
count is small.

Why suppression and not noise (differential privacy): a partner reads counts of tens, where
noise large enough to protect one person would change the figures they act on, and noise must
be budgeted over every report ever released; suppression keeps every shown figure exact and
only needs what was released, which the bot knows. Limits: a report made from a copy of the
database elsewhere is not remembered; only the last :data:`MAX_RELEASES` overlapping releases
are considered (make reports over fixed periods: months, quarters).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Hashable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from bot.storage.reports import Period, Release

from .suppression import Line

MAX_RELEASES = 12
ALL, NO_FLOW = "*", "-"  # as in reports.py (which imports this module)
Counts = Callable[[Period], Awaitable[Mapping[Hashable, int]]]


@dataclass
class Constraints:
    lines: list[Line] = field(default_factory=list)
    known: dict[Hashable, int] = field(default_factory=dict)    # released and shown
    frozen: set[Hashable] = field(default_factory=set)          # released and hidden
    private: dict[Hashable, int] = field(default_factory=dict)  # never published


def key_text(key: Hashable) -> str:
    """A cell key as stored with a release (JSON of the key's parts)."""
    return json.dumps(key, ensure_ascii=False)


def _spans(period: Period, other: Period) -> tuple[list[Period], list[Period], list[Period]]:
    """(days of both, days of ``other`` only, days of ``period`` only) as periods."""
    def days(since: date, until: date) -> list[Period]:
        return [Period(period.country, since, until)] if since <= until else []

    one = timedelta(days=1)
    both = days(max(period.since, other.since), min(period.until, other.until))
    only_other = (days(other.since, min(other.until, period.since - one))
                  + days(max(other.since, period.until + one), other.until))
    only_new = (days(period.since, min(period.until, other.since - one))
                + days(max(period.since, other.until + one), period.until))
    return both, only_other, only_new


async def _sum(counts: Counts, spans: list[Period]) -> dict[Hashable, int]:
    total: dict[Hashable, int] = {}
    for span in spans:
        for key, value in (await counts(span)).items():
            total[key] = total.get(key, 0) + value
    return total


async def constraints(released: list[Release], period: Period, values: Mapping[Hashable, int],
                      counts: Counts) -> Constraints:
    """The equations linking the new report's cells to the released reports it overlaps."""
    found = Constraints()
    if not released:
        return found
    by_text = {key_text(key): key for key in values}
    for release in released[-MAX_RELEASES:]:
        both, only_old, only_new = _spans(period, release.period)
        if not both:
            continue
        same_scope = release.period.country == period.country
        regions = {"I": await _sum(counts, both)}
        if only_old:
            regions["A"] = await _sum(counts, only_old)
        if only_new:
            regions["B"] = await _sum(counts, only_new)
        for text, shown in release.cells.items():
            key = by_text.get(text)
            if key is None or (not same_scope and _sums_all(key)):
                continue  # not in this report, or a sum over other countries
            old: Any = ("release", release.id, text)
            if shown is None:
                found.frozen.add(old)
            else:
                found.known[old] = int(shown)
            part = {name: (name, release.id, text) for name in regions}
            for name, cell in part.items():
                found.private[cell] = regions[name].get(key, 0)
            found.lines.append(Line(tuple(part[n] for n in ("I", "A") if n in part), old))
            found.lines.append(Line(tuple(part[n] for n in ("I", "B") if n in part), key))
    return found


def _sums_all(key: Hashable) -> bool:
    """A row whose meaning depends on the country filter: all procedures, or none ("-")."""
    return isinstance(key, tuple) and (ALL in key or NO_FLOW in key)
