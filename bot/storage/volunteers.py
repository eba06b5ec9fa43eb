"""The volunteer roster and one-time invites.

Countries and languages are stored as comma-separated codes: the roster is small, and
matching happens in Python where the rules live (bot/services/routing.py).
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from bot.storage.db import Reader, Tx


@dataclass(frozen=True)
class Volunteer:
    user_id: int
    countries: tuple[str, ...]
    languages: tuple[str, ...]
    alias: str | None = None
    available: bool = True
    current_case: int | None = None
    notified_at: float | None = None  # when they were last offered a case

    def covers(self, country: str | None, lang: str | None = None) -> bool:
        return country in self.countries and (lang is None or lang in self.languages)


def _split(value: str) -> tuple[str, ...]:
    return tuple(part for part in value.split(",") if part)


def _volunteer(row) -> Volunteer:
    return Volunteer(row["user_id"], _split(row["countries"]), _split(row["languages"]),
                     row["alias"], bool(row["available"]), row["current_case"],
                     row["notified_at"])


async def upsert(tx: Tx, user_id: int, countries: tuple[str, ...], languages: tuple[str, ...],
                 alias: str | None = None) -> None:
    await tx.execute(
        "INSERT INTO volunteers (user_id, countries, languages, alias, added_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET"
        " countries = excluded.countries, languages = excluded.languages,"
        " alias = COALESCE(excluded.alias, volunteers.alias)",
        (user_id, ",".join(countries), ",".join(languages), alias, time.time()))


async def remove(tx: Tx, user_id: int) -> bool:
    return await tx.changes("DELETE FROM volunteers WHERE user_id = ?", (user_id,)) > 0


async def get(db: Reader, user_id: int) -> Volunteer | None:
    row = await db.fetchone("SELECT * FROM volunteers WHERE user_id = ?", (user_id,))
    return None if row is None else _volunteer(row)


async def all_volunteers(db: Reader) -> list[Volunteer]:
    return [_volunteer(r) for r in await db.fetchall("SELECT * FROM volunteers ORDER BY user_id")]


async def for_country(db: Reader, country: str | None) -> list[Volunteer]:
    """Volunteers covering ``country``, by user id (routing reads only these)."""
    if not country:
        return []
    rows = await db.fetchall("SELECT * FROM volunteers WHERE ',' || countries || ',' LIKE ?"
                             " ORDER BY user_id", (f"%,{country},%",))
    return [v for v in map(_volunteer, rows) if country in v.countries]


async def reading_languages(db: Reader, user_ids: list[int]) -> dict[int, tuple[str | None,
                                                                              str | None]]:
    """For each id, in one query: the bot language they chose (users.lang, if any) and their
    first working language as a volunteer (if they are one), for notifications."""
    if not user_ids:
        return {}
    values = ",".join(["(?)"] * len(user_ids))
    rows = await db.fetchall(
        f"WITH ids(id) AS (VALUES {values}) SELECT ids.id AS id, u.lang AS lang,"
        " v.languages AS languages FROM ids LEFT JOIN users AS u ON u.user_id = ids.id"
        " LEFT JOIN volunteers AS v ON v.user_id = ids.id", user_ids)
    return {r["id"]: (r["lang"], (_split(r["languages"]) or (None,))[0] if r["languages"]
                      else None) for r in rows}


async def mark_notified(tx: Tx, user_ids: list[int], at: float) -> None:
    """Remember when these volunteers were offered a case (fan-out: least recent first)."""
    await tx.executemany("UPDATE volunteers SET notified_at = ? WHERE user_id = ?",
                         [(at, user_id) for user_id in user_ids])


async def set_available(tx: Tx, user_id: int, available: bool) -> None:
    await tx.execute("UPDATE volunteers SET available = ?, away_until = CASE WHEN ? = 1"
                     " THEN NULL ELSE away_until END WHERE user_id = ?",
                     (int(available), int(available), user_id))


async def set_current_case(tx: Tx, user_id: int, case_id: int | None) -> None:
    await tx.execute("UPDATE volunteers SET current_case = ? WHERE user_id = ?",
                     (case_id, user_id))


async def clear_current_case(tx: Tx, case_id: int) -> None:
    """Whoever had ``case_id`` as their current case no longer has a current case."""
    await tx.execute("UPDATE volunteers SET current_case = NULL WHERE current_case = ?",
                     (case_id,))


async def set_alias(tx: Tx, user_id: int, alias: str | None) -> None:
    await tx.execute("UPDATE volunteers SET alias = ? WHERE user_id = ?", (alias, user_id))


@dataclass(frozen=True)
class Invite:
    token: str
    countries: tuple[str, ...]
    languages: tuple[str, ...]


async def create_invite(tx: Tx, created_by: int, countries: tuple[str, ...],
                        languages: tuple[str, ...], ttl_seconds: float) -> str:
    token = secrets.token_urlsafe(18)  # 24 characters of A-Za-z0-9_-: fits a deep link
    now = time.time()
    await tx.execute(
        "INSERT INTO invites (token, countries, languages, created_by, created_at, expires_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (token, ",".join(countries), ",".join(languages), created_by, now, now + ttl_seconds))
    return token


async def consume_invite(tx: Tx, token: str, user_id: int) -> Invite | None:
    """Use an invite once: None when unknown, expired or already used (atomically).

    Spent means ``used_at`` is set: /forget blanks ``used_by`` (the id names a person) but
    keeps the time, so an erased volunteer's link never works again for anyone."""
    now = time.time()
    used = await tx.changes(
        "UPDATE invites SET used_by = ?, used_at = ?"
        " WHERE token = ? AND used_at IS NULL AND expires_at > ?", (user_id, now, token, now))
    if used != 1:
        return None
    row = await tx.fetchone("SELECT * FROM invites WHERE token = ?", (token,))
    return Invite(token, _split(row["countries"]), _split(row["languages"]))
