"""Local time for messages nobody asked for at that moment: the send hour and quiet hours.

Why: a follow-up at 3 a.m. wakes a family up, and the server's clock is not the person's.
Every dated message is placed at `SEND_HOUR` in the country's time zone, and anything that
falls due inside the quiet hours waits for their end.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SEND_HOUR = 10  # local hour at which a message dated to a day goes out
Quiet = tuple[int, int] | None  # minutes after local midnight: (start, end)


def local_today(now: float, tz: str) -> date:
    return datetime.fromtimestamp(now, ZoneInfo(tz)).date()


def at_send_hour(day: date, tz: str) -> float:
    """The Unix time of `SEND_HOUR` o'clock on `day` in `tz`."""
    return datetime.combine(day, time(SEND_HOUR), ZoneInfo(tz)).timestamp()


def is_quiet(now: float, tz: str, quiet: Quiet) -> bool:
    if not quiet or quiet[0] == quiet[1]:
        return False
    local = datetime.fromtimestamp(now, ZoneInfo(tz))
    minute = local.hour * 60 + local.minute
    start, end = quiet
    if start < end:
        return start <= minute < end
    return minute >= start or minute < end  # the window crosses midnight (21:00-08:00)


def next_allowed(now: float, tz: str, quiet: Quiet) -> float:
    """`now` itself outside the quiet hours, else the moment they end (local time)."""
    if not is_quiet(now, tz, quiet):
        return now
    assert quiet is not None
    zone = ZoneInfo(tz)
    local = datetime.fromtimestamp(now, zone)
    end = time(quiet[1] // 60, quiet[1] % 60)
    candidate = datetime.combine(local.date(), end, zone)
    if candidate.timestamp() <= now:
        candidate = datetime.combine(local.date() + timedelta(days=1), end, zone)
    return candidate.timestamp()
