"""SQL for reports: every figure is aggregated in SQLite, nothing per person leaves it.

Why in SQL: a report covers a million journey events and a hundred thousand cases; grouping
and ranking where the data lives (with the indexes of the journey and cases tables) is what
keeps a report under two seconds. Each query returns counts or ranked delays per procedure;
none returns an id, a name or a text anyone typed.
"""

from __future__ import annotations

import json
import time as clock
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import aiosqlite

from bot.storage.db import Reader, Tx


@dataclass(frozen=True)
class Period:
    """The report's filter: a country (or all) and a range of UTC days, both ends included."""

    country: str | None
    since: date
    until: date

    @property
    def start_ts(self) -> float:
        return datetime.combine(self.since, time(), UTC).timestamp()

    @property
    def end_ts(self) -> float:
        return datetime.combine(self.until + timedelta(days=1), time(), UTC).timestamp()


@dataclass(frozen=True)
class Release:
    """A report given out: its filter and each count it showed (None: hidden)."""

    id: int
    period: Period
    min_count: int
    cells: dict[str, int | None]


async def released_overlapping(db: Reader, period: Period) -> list[Release]:
    """Reports given out before whose days overlap ``period``, oldest first."""
    rows = await db.fetchall(
        "SELECT id, country, since, until, min_count, cells FROM report_releases"
        " WHERE since <= ? AND until >= ? ORDER BY id",
        (period.until.isoformat(), period.since.isoformat()))
    return [Release(r["id"], Period(r["country"], date.fromisoformat(r["since"]),
                                    date.fromisoformat(r["until"])),
                    r["min_count"], json.loads(r["cells"])) for r in rows]


async def add_release(tx: Tx, period: Period, min_count: int,
                      cells: dict[str, int | None]) -> None:
    await tx.execute(
        "INSERT INTO report_releases (country, since, until, min_count, created_at, cells)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (period.country, period.since.isoformat(), period.until.isoformat(), min_count,
         clock.time(), json.dumps(cells, ensure_ascii=False, separators=(",", ":"))))


def _where(period: Period, day: str | None = None, ts: str | None = None,
           country: str = "country") -> tuple[str, list[Any]]:
    clauses, params = [], []
    if day:
        clauses.append(f"{day} BETWEEN ? AND ?")
        params += [period.since.isoformat(), period.until.isoformat()]
    if ts:
        clauses.append(f"{ts} >= ? AND {ts} < ?")
        params += [period.start_ts, period.end_ts]
    if period.country:
        clauses.append(f"{country} = ?")
        params.append(period.country)
    return " AND ".join(clauses) or "1", params


async def journey_counts(db: Reader, period: Period) -> list[Any]:
    """(flow_id, kind, step_id, detail, n) over the period: grouped in the key's order."""
    where, params = _where(period, day="day")
    return await db.fetchall(
        "SELECT flow_id, kind, step_id, detail, SUM(n) AS n FROM journey_events"
        f" WHERE {where} GROUP BY flow_id, kind, step_id, detail", params)


async def started_by_language(db: Reader, period: Period) -> list[Any]:
    """(flow_id, lang, n): runs started, per procedure and language."""
    where, params = _where(period, day="day")
    return await db.fetchall(
        "SELECT flow_id, lang, SUM(n) AS n FROM journey_events"
        f" WHERE kind = 'started' AND {where} GROUP BY flow_id, lang", params)


async def case_figures(db: Reader, period: Period) -> list[Any]:
    """Per procedure, in one pass over the period's cases: cases, answered cases, the
    nearest-rank median and p90 of the seconds from opening to a volunteer's first answer
    (ranked in SQL, not fetched case by case), and how many ratings of 1 to 5."""
    where, params = _where(period, ts="c.created_at", country="c.country")
    return await db.fetchall(
        "WITH firsts AS (SELECT c.flow_id AS flow_id, c.rating AS rating, (SELECT"
        " MIN(m.created_at) FROM case_messages AS m WHERE m.case_id = c.id AND m.direction"
        f" = 'out') - c.created_at AS delay FROM cases AS c WHERE {where}),"
        " ranked AS (SELECT flow_id, rating, delay, ROW_NUMBER() OVER (PARTITION BY flow_id"
        " ORDER BY delay NULLS LAST) AS k, COUNT(delay) OVER (PARTITION BY flow_id) AS answered"
        " FROM firsts)"
        " SELECT flow_id, COUNT(*) AS cases, MAX(answered) AS answered,"
        " MAX(CASE WHEN k = (answered + 1) / 2 THEN delay END) AS median,"
        " MAX(CASE WHEN k = (9 * answered + 9) / 10 THEN delay END) AS p90,"
        " SUM(rating = 1) AS r1, SUM(rating = 2) AS r2, SUM(rating = 3) AS r3,"
        " SUM(rating = 4) AS r4, SUM(rating = 5) AS r5"
        " FROM ranked GROUP BY flow_id", params)


async def outcome_counts(db: Reader, period: Period) -> list[Any]:
    """(flow_id, source, result, n) from the anonymous outcome records."""
    where, params = _where(period, day="day")
    return await db.fetchall(
        "SELECT flow_id, source, result, COUNT(*) AS n FROM outcome_reports"
        f" WHERE {where} GROUP BY flow_id, source, result", params)


async def blocker_counts(db: Reader, period: Period) -> list[Any]:
    """(flow_id, office_id, blocker, n): each blocker named in an outcome record."""
    where, params = _where(period, day="o.day", country="o.country")
    return await db.fetchall(
        "SELECT o.flow_id AS flow_id, o.office_id AS office_id, b.value AS blocker,"
        " COUNT(*) AS n FROM outcome_reports AS o, json_each(o.blockers) AS b"
        f" WHERE {where} GROUP BY o.flow_id, o.office_id, b.value", params)


class ReadOnly:
    """A connection of its own for a long report, so the bot's shared reader (which the
    sender and dispatcher use) is never held by it. WAL lets it read beside the writer."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    @classmethod
    async def of(cls, db: Any) -> Any:
        """A reader for a long report on ``db``: a connection of its own on SQLite; on
        PostgreSQL the database itself (each query takes a pooled connection)."""
        if db.postgres:
            return _Pooled(db)
        return await cls.open(db.path)

    @classmethod
    async def open(cls, path: str | Path) -> ReadOnly:
        conn = await aiosqlite.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)
        conn.row_factory = aiosqlite.Row
        await conn.execute("PRAGMA busy_timeout=5000")
        return cls(conn)

    async def fetchall(self, sql: str, params: Any = ()) -> list[aiosqlite.Row]:
        return list(await self._conn.execute_fetchall(sql, params))

    async def fetchone(self, sql: str, params: Any = ()) -> aiosqlite.Row | None:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def close(self) -> None:
        await self._conn.close()


class _Pooled:
    """PostgreSQL needs no separate reader: MVCC reads never wait for writers."""

    def __init__(self, db: Any) -> None:
        self._db = db

    async def fetchall(self, sql: str, params: Any = ()) -> list[Any]:
        return list(await self._db.fetchall(sql, params))

    async def fetchone(self, sql: str, params: Any = ()) -> Any:
        return await self._db.fetchone(sql, params)

    async def close(self) -> None:
        """The database stays open: it is the bot's."""


async def target_counts(db: Reader, period: Period) -> list[tuple[str, str, str, str, int]]:
    """Response targets met or missed, as (country, month, kind, outcome, n), from the
    anonymous counters ``target_first`` / ``target_next`` (key ``CC:YYYY-MM:met|missed``),
    for the months the period touches (the counters are kept per month of the case's
    opening, so a month is reported whole) and the period's country."""
    rows = await db.fetchall(
        "SELECT name, key, count FROM counters WHERE name IN ('target_first', 'target_next')")
    first, last = period.since.isoformat()[:7], period.until.isoformat()[:7]
    found = []
    for r in rows:
        parts = str(r["key"]).split(":")
        if len(parts) != 3 or parts[2] not in ("met", "missed"):
            continue
        country, month, outcome = parts
        if not first <= month <= last or (period.country and country != period.country):
            continue
        found.append((country, month, str(r["name"])[len("target_"):], outcome,
                      int(r["count"])))
    return found
