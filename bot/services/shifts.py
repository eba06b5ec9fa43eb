"""Shifts and capacity: who is working now, how much they hold, who gets the next case.

A new workspace case is *suggested* (mentioned in its topic) to one volunteer: on shift,
not away, under their capacity (default 5 open cases), speaking the person's language; the
one suggested least recently first (round robin). When nobody qualifies the case stays
unclaimed and the admins get one digest (not one message per case).
"""

from __future__ import annotations

import re
import time
from datetime import UTC, date, datetime

from bot.services.roles import Role
from bot.storage import shifts
from bot.storage.cases import Case
from bot.storage.db import Tx
from bot.storage.shifts import Shift

MAX_CAPACITY = 50
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$|^(\d{1,2})\.(\d{1,2})\.(\d{4})$")

ON = "You are on shift: new cases in your languages may be suggested to you."
OFF = "You are off shift: no new case will be suggested to you."
AWAY = "You are away until {date}: new cases go to others."
AWAY_NOW = "You are away: new cases go to others first."
BACK = "You are available: new cases will reach you."
CAPACITY = "You take at most {n} open cases at once."
USAGE = ("Use /shift on, /shift off, /away, /away until 2026-12-24, /available or "
         "/capacity 5.")
NOT_VOLUNTEER = "This command is for volunteers."


def parse_day(text: str) -> date | None:
    """``2026-12-24`` or ``24.12.2026``."""
    match = _DATE.match(text.strip())
    if not match:
        return None
    year, month, day = ((match[1], match[2], match[3]) if match[1] else
                        (match[6], match[5], match[4]))
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


async def command(tx: Tx, role: Role, name: str, args: str) -> str:
    """/shift on|off, /away [until DATE], /available, /capacity N: the answer to show."""
    if role.volunteer is None:
        return NOT_VOLUNTEER
    user_id, words = role.user_id, args.split()
    if name == "shift" and words[:1] in (["on"], ["off"]):
        await shifts.set_on_shift(tx, user_id, words[0] == "on")
        return ON if words[0] == "on" else OFF
    if name == "away":
        if not words:
            await shifts.set_away(tx, user_id, None)
            return AWAY_NOW
        day = parse_day(words[-1]) if words[0] == "until" and len(words) == 2 else None
        if day is None or day <= datetime.now(UTC).date():
            return USAGE
        until = datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()
        await shifts.set_away(tx, user_id, until)
        return AWAY.format(date=day.isoformat())
    if name == "available":
        await shifts.set_back(tx, user_id)
        return BACK
    if name == "capacity" and len(words) == 1 and words[0].isdigit() \
            and 1 <= int(words[0]) <= MAX_CAPACITY:
        await shifts.set_capacity(tx, user_id, int(words[0]))
        return CAPACITY.format(n=int(words[0]))
    return USAGE


def qualifies(shift: Shift, case: Case, now: float) -> bool:
    away = not shift.available and (shift.away_until is None or shift.away_until > now)
    return (shift.on_shift and not away and shift.open_cases < shift.capacity
            and case.country in shift.countries and case.lang in shift.languages
            and shift.user_id != case.person_id)


async def suggest(tx: Tx, case: Case, now: float | None = None) -> Shift | None:
    """The volunteer to suggest the case to (round robin), or None: nobody qualifies."""
    now = time.time() if now is None else now
    pool = [s for s in await shifts.roster(tx) if qualifies(s, case, now)]
    if not pool:
        return None
    chosen = min(pool, key=lambda s: (s.suggested_at or 0.0, s.user_id))
    await shifts.mark_suggested(tx, chosen.user_id, now)
    return chosen


async def return_from_away(tx: Tx, now: float) -> None:
    """Volunteers whose ``away until`` date has passed are available again."""
    for shift in await shifts.roster(tx):
        if not shift.available and shift.away_until is not None and shift.away_until <= now:
            await shifts.set_back(tx, shift.user_id)
