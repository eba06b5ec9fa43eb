"""Outcome fields of flow files and country.yaml: follow-ups, deadline reminders, change notes,
blockers, the country's time zone and quiet hours.

Why modules of their own: these fields say what happens *after* a procedure (days later,
outside the conversation), so the runner never reads them; reading and checking them in
outcome_fields.py keeps parse.py and checker.py to one hook each. Pure: dates are computed
here, sending is the services' job.

Date expressions (``followup:``, a reminder's ``deadline:``)::

    14 days after end          # the day the person reached the end of the procedure
    1 month after birth_date   # a saved `input: date` answer
    birth_date                 # the answer's own date

Units: day(s), week(s), month(s), year(s); months and years keep the day of the month (31 Jan
+ 1 month is 28/29 Feb).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from .located import Pos
from .model import Text

END = "end"
_QUIET = re.compile(r"^\s*([01]\d|2[0-3]):([0-5]\d)\s*-\s*([01]\d|2[0-3]):([0-5]\d)\s*$")
_NOWHERE = Pos(1, 1)


@dataclass(frozen=True)
class When:
    """A date relative to the end of the procedure (``anchor == "end"``) or to an answer."""

    anchor: str
    count: int = 0
    unit: str = "day"
    pos: Pos = _NOWHERE

    def resolve(self, end: date, answers: dict[str, Any]) -> date | None:
        """The date this expression names for one run; None when the answer is missing."""
        if self.anchor == END:
            base = end
        else:
            value = answers.get(self.anchor)
            try:
                base = date.fromisoformat(value) if isinstance(value, str) else None
            except ValueError:
                base = None
            if base is None:
                return None
        return add(base, self.count, self.unit)


def add(day: date, count: int, unit: str) -> date:
    if unit == "day":
        return day + timedelta(days=count)
    if unit == "week":
        return day + timedelta(weeks=count)
    months = count * (12 if unit == "year" else 1)
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


@dataclass(frozen=True)
class Reminder:
    id: str
    deadline: When
    days_before: int
    text: Text
    pos: Pos


@dataclass(frozen=True)
class ChangeNote:
    """What changed because of people's reports: announced once to those who reported."""

    id: str
    date: date
    text: Text
    pos: Pos


@dataclass(frozen=True)
class FlowOutcomes:
    followup: When | None = None
    reminders: tuple[Reminder, ...] = ()
    changes: tuple[ChangeNote, ...] = ()

    @property
    def offered(self) -> bool:
        """Whether the end of this procedure offers follow-ups at all."""
        return self.followup is not None or bool(self.reminders)


@dataclass(frozen=True)
class Blocker:
    id: str
    label: Text


@dataclass(frozen=True)
class CountryOutcomes:
    blockers: tuple[Blocker, ...] = ()
    timezone: str | None = None  # IANA name; None: not given (quiet hours then use UTC)
    quiet_hours: tuple[int, int] | None = None  # minutes after midnight: start, end


def parse_quiet_hours(value: Any) -> tuple[int, int] | None:
    """``"21:00-08:00"`` -> (1260, 480) minutes after midnight; None when malformed."""
    match = _QUIET.match(value) if isinstance(value, str) else None
    if match is None:
        return None
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    return h1 * 60 + m1, h2 * 60 + m2


