"""Volunteers' shifts, absences and capacity, and the open cases each one holds.

Why apart from the roster module: these columns change many times a day (a shift starts,
someone goes away until Monday) and are read by routing only; the roster changes rarely.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.storage.db import Reader, Tx


@dataclass(frozen=True)
class Shift:
    user_id: int
    alias: str | None
    countries: tuple[str, ...]
    languages: tuple[str, ...]
    on_shift: bool
    available: bool
    away_until: float | None
    capacity: int
    suggested_at: float | None
    open_cases: int


def _split(value: str) -> tuple[str, ...]:
    return tuple(part for part in (value or "").split(",") if part)


def _shift(row: Any) -> Shift:
    return Shift(row["user_id"], row["alias"], _split(row["countries"]),
                 _split(row["languages"]), bool(row["on_shift"]), bool(row["available"]),
                 row["away_until"], row["capacity"], row["suggested_at"], row["open_cases"])


async def roster(db: Reader) -> list[Shift]:
    """Every volunteer with the number of cases they hold (one query)."""
    rows = await db.fetchall(
        "SELECT v.*, (SELECT COUNT(*) FROM cases AS c WHERE c.volunteer_id = v.user_id"
        " AND c.status = 'taken') AS open_cases FROM volunteers AS v ORDER BY v.user_id")
    return [_shift(r) for r in rows]


async def set_on_shift(tx: Tx, user_id: int, on: bool) -> None:
    await tx.execute("UPDATE volunteers SET on_shift = ? WHERE user_id = ?", (int(on), user_id))


async def set_away(tx: Tx, user_id: int, until: float | None) -> None:
    """Away (until ``until``, or until they say /available); back: ``until`` None and
    available again."""
    await tx.execute("UPDATE volunteers SET available = 0, away_until = ? WHERE user_id = ?",
                     (until, user_id))


async def set_back(tx: Tx, user_id: int) -> None:
    await tx.execute("UPDATE volunteers SET available = 1, away_until = NULL WHERE user_id = ?",
                     (user_id,))


async def set_capacity(tx: Tx, user_id: int, capacity: int) -> None:
    await tx.execute("UPDATE volunteers SET capacity = ? WHERE user_id = ?", (capacity, user_id))


async def mark_suggested(tx: Tx, user_id: int, at: float) -> None:
    await tx.execute("UPDATE volunteers SET suggested_at = ? WHERE user_id = ?", (at, user_id))
