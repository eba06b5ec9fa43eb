"""Follow-up runs and their timers: one row per procedure run a person asked to be followed.

Why per run and not per person: someone may register two births months apart; each run has
its own follow-up and deadlines. These rows name the person (user id, procedure), so /forget
deletes them (`erase_user`); the timers go with them (ON DELETE CASCADE). Timers live here,
not in memory, so a restart finds them again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from bot.storage.db import Reader, Tx
from bot.storage.dialect import postgres

SIGNAL = "followups"  # Database.signal name: a timer was added
STOPPED_COUNTER = "followups_stopped"  # counters row per procedure: runs stopped


@dataclass(frozen=True)
class Run:
    id: int
    user_id: int
    flow_id: str
    country: str | None
    office_id: str | None
    lang: str
    status: str
    reported_blocker: bool


@dataclass(frozen=True)
class Timer:
    id: int
    run_id: int
    kind: str  # followup | reminder
    ref: str | None  # the reminder id
    deadline: str | None  # YYYY-MM-DD shown in a reminder
    due_at: float


def _run(row: Any) -> Run:
    return Run(row["id"], row["user_id"], row["flow_id"], row["country"], row["office_id"],
               row["lang"], row["status"], bool(row["reported_blocker"]))


async def create_run(tx: Tx, *, user_id: int, flow_id: str, country: str | None,
                     office_id: str | None, lang: str) -> int:
    cursor = await tx.execute(
        "INSERT INTO followup_runs (user_id, flow_id, country, office_id, lang, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)", (user_id, flow_id, country, office_id, lang, time.time()))
    return int(cursor.lastrowid)


async def get_run(db: Reader, run_id: int) -> Run | None:
    row = await db.fetchone("SELECT * FROM followup_runs WHERE id = ?", (run_id,))
    return None if row is None else _run(row)


async def add_timer(tx: Tx, run_id: int, kind: str, due_at: float, *, ref: str | None = None,
                    deadline: str | None = None) -> None:
    await tx.execute("INSERT INTO followup_timers (run_id, kind, ref, deadline, due_at)"
                     " VALUES (?, ?, ?, ?, ?)", (run_id, kind, ref, deadline, due_at))
    tx.signal(SIGNAL)


async def timers_of(db: Reader, run_id: int) -> list[Timer]:
    rows = await db.fetchall("SELECT * FROM followup_timers WHERE run_id = ? AND done = 0"
                             " ORDER BY due_at", (run_id,))
    return [_timer(r) for r in rows]


def _timer(row: Any) -> Timer:
    return Timer(row["id"], row["run_id"], row["kind"], row["ref"], row["deadline"],
                 row["due_at"])


async def due_timers(db: Reader, now: float, limit: int = 500) -> list[Timer]:
    rows = await db.fetchall("SELECT * FROM followup_timers WHERE done = 0 AND due_at <= ?"
                             " ORDER BY due_at LIMIT ?", (now, limit))
    return [_timer(r) for r in rows]


async def next_due(db: Reader) -> float | None:
    row = await db.fetchone("SELECT MIN(due_at) AS due FROM followup_timers WHERE done = 0")
    return None if row is None else row["due"]


async def runs_by_id(db: Reader, run_ids: set[int]) -> dict[int, Run]:
    """Several runs in one query (a wave of timers must not cost one query each)."""
    if not run_ids:
        return {}
    marks = ", ".join("?" * len(run_ids))
    rows = await db.fetchall(f"SELECT * FROM followup_runs WHERE id IN ({marks})",
                             tuple(run_ids))
    return {row["id"]: _run(row) for row in rows}


async def finish_timers(tx: Tx, timer_ids: list[int]) -> set[int]:
    """Mark timers done in one statement; return those this call finished (not already)."""
    if not timer_ids:
        return set()
    marks = ", ".join("?" * len(timer_ids))
    rows = await tx.fetchall(f"UPDATE followup_timers SET done = 1 WHERE done = 0"
                             f" AND id IN ({marks}) RETURNING id", tuple(timer_ids))
    return {row["id"] for row in rows}


async def postpone_timer(tx: Tx, timer_id: int, due_at: float) -> None:
    await tx.execute("UPDATE followup_timers SET due_at = ? WHERE id = ?", (due_at, timer_id))


async def stop_run(tx: Tx, run_id: int, flow_id: str) -> None:
    """The person pressed "stop": no more messages for this run, and the run (which names
    them) goes at once with its timers; only an anonymous count per procedure stays."""
    await tx.execute("DELETE FROM followup_timers WHERE run_id = ?", (run_id,))
    await tx.execute("DELETE FROM followup_runs WHERE id = ?", (run_id,))
    await tx.execute("INSERT INTO counters (name, key, count) VALUES (?, ?, 1)"
                     " ON CONFLICT (name, key) DO UPDATE SET count = counters.count + 1",
                     (STOPPED_COUNTER, flow_id))


async def mark_answered(tx: Tx, run_id: int, reported_blocker: bool) -> bool:
    """Record that the follow-up was answered, once; False when it already was."""
    return await tx.changes(
        "UPDATE followup_runs SET status = 'answered', answered_at = ?,"
        " reported_blocker = ? WHERE id = ? AND status = 'active'",
        (time.time(), int(reported_blocker), run_id)) == 1


async def erase_user(tx: Tx, user_id: int) -> int:
    """/forget: every run of the person, with its timers; returns how many runs went."""
    await tx.execute("DELETE FROM followup_timers WHERE run_id IN"
                     " (SELECT id FROM followup_runs WHERE user_id = ?)", (user_id,))
    return await tx.changes("DELETE FROM followup_runs WHERE user_id = ?", (user_id,))


async def prune_finished(tx: Tx) -> int:
    """Delete runs nothing will use again: stopped, or answered without a blocker, with no
    timer left. (A reported blocker keeps its run: it is who hears what changed.)"""
    return await tx.changes(
        "DELETE FROM followup_runs WHERE (status = 'stopped' OR (status = 'answered'"
        " AND reported_blocker = 0)) AND NOT EXISTS (SELECT 1 FROM followup_timers AS t"
        " WHERE t.run_id = followup_runs.id AND t.done = 0)")


_REPORTERS = (
    "SELECT user_id, lang, MAX(id) FROM followup_runs WHERE flow_id = ?"
    " AND reported_blocker = 1 AND status != 'stopped' AND answered_at <= ?"
    " AND user_id > ? GROUP BY user_id ORDER BY user_id LIMIT ?")
_REPORTERS_PG = (
    "SELECT DISTINCT ON (user_id) user_id, lang, id FROM followup_runs WHERE flow_id = ?"
    " AND reported_blocker = 1 AND status != 'stopped' AND answered_at <= ?"
    " AND user_id > ? ORDER BY user_id, id DESC LIMIT ?")


async def blocker_reporters(db: Reader, flow_id: str, *, reported_by: float, after: int,
                            limit: int) -> list[tuple[int, str]]:
    """(user id, language) of people who reported a blocker on a procedure by `reported_by`
    and did not stop its messages, one row per person (their latest run's language), in
    user id order from `after` (a note goes out in chunks)."""
    # SQLite takes a bare column (lang) from the row that gave MAX(id); the index walks
    # (flow, user) in order, so each chunk reads only its own people.
    # PostgreSQL refuses a bare column beside MAX: DISTINCT ON says the same.
    rows = await db.fetchall(
        (_REPORTERS_PG if postgres(db) else _REPORTERS), (flow_id, reported_by, after, limit))
    return [(int(r["user_id"]), str(r["lang"])) for r in rows]


async def announced(db: Reader) -> set[tuple[str, str]]:
    """Notes completely sent (a note cut short by a restart is not among them)."""
    rows = await db.fetchall("SELECT flow_id, note_id FROM change_notes WHERE done = 1")
    return {(r["flow_id"], r["note_id"]) for r in rows}


async def claim_note(tx: Tx, flow_id: str, note_id: str, now: float) -> Any:
    """The note's sending state, created on first sight: who reported by then hears of it."""
    await tx.execute("INSERT INTO change_notes (flow_id, note_id, announced_at) VALUES (?, ?, ?)"
                     " ON CONFLICT DO NOTHING", (flow_id, note_id, now))
    return await tx.fetchone("SELECT * FROM change_notes WHERE flow_id = ? AND note_id = ?",
                             (flow_id, note_id))


async def advance_note(tx: Tx, flow_id: str, note_id: str, *, cursor: int, sent: int,
                       done: bool) -> None:
    await tx.execute("UPDATE change_notes SET cursor = ?, recipients = recipients + ?, done = ?"
                     " WHERE flow_id = ? AND note_id = ?",
                     (cursor, sent, int(done), flow_id, note_id))
async def summary(db: Reader) -> list[Any]:
    """Per procedure: runs by status, runs that reported a blocker, timers still to fire."""
    return await db.fetchall(
        "SELECT r.flow_id AS flow_id,"
        " SUM(r.status = 'active') AS active, SUM(r.status = 'answered') AS answered,"
        " COALESCE((SELECT c.count FROM counters AS c WHERE c.name = ?"
        " AND c.key = r.flow_id), 0) AS stopped, SUM(r.reported_blocker) AS reported,"
        " (SELECT COUNT(*) FROM followup_timers AS t JOIN followup_runs AS x"
        "  ON x.id = t.run_id WHERE x.flow_id = r.flow_id AND t.done = 0) AS pending,"
        " (SELECT MIN(t.due_at) FROM followup_timers AS t JOIN followup_runs AS x"
        "  ON x.id = t.run_id WHERE x.flow_id = r.flow_id AND t.done = 0) AS next_due"
        " FROM followup_runs AS r GROUP BY r.flow_id ORDER BY r.flow_id", (STOPPED_COUNTER,))


async def change_notes(db: Reader) -> list[Any]:
    return await db.fetchall("SELECT * FROM change_notes ORDER BY announced_at, flow_id")
