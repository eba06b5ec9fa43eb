"""Cases: a person's question handed to volunteers, with its messages and its lifecycle.

A case outlives conversations and sessions: the person can come back days later. The
`take` update is conditional, so the first press wins even if two arrive together.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from bot.storage.db import Reader, Tx

ACTIVE = ("open", "taken")
FORGOTTEN = "forgotten"  # the outcome of a case whose person used /forget


@dataclass(frozen=True)
class Case:
    id: int
    person_id: int | None
    person_name: str | None
    country: str | None
    lang: str
    flow_id: str | None
    step_id: str | None
    reason: str | None
    context: dict[str, Any]
    status: str
    volunteer_id: int | None
    notify_stage: int
    person_blocked: bool
    outcome: str | None
    rating: int | None
    created_at: float
    taken_at: float | None

    @property
    def active(self) -> bool:
        return self.status in ACTIVE


def _case(row: Any) -> Case:
    return Case(row["id"], row["person_id"], row["person_name"], row["country"], row["lang"],
                row["flow_id"], row["step_id"], row["reason"],
                json.loads(row["context"]) if row["context"] else {}, row["status"],
                row["volunteer_id"], row["notify_stage"], bool(row["person_blocked"]),
                row["outcome"], row["rating"], row["created_at"], row["taken_at"])


async def create(tx: Tx, *, person_id: int, person_name: str | None, country: str | None,
                 lang: str, flow_id: str | None, step_id: str | None, reason: str | None,
                 context: dict[str, Any]) -> int:
    cursor = await tx.execute(
        "INSERT INTO cases (person_id, person_name, country, lang, flow_id, step_id, reason,"
        " context, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (person_id, person_name, country, lang, flow_id, step_id, reason,
         json.dumps(context, ensure_ascii=False), time.time()))
    return int(cursor.lastrowid)


async def get(db: Reader, case_id: int) -> Case | None:
    row = await db.fetchone("SELECT * FROM cases WHERE id = ?", (case_id,))
    return None if row is None else _case(row)


async def active_for_person(db: Reader, person_id: int) -> Case | None:
    row = await db.fetchone(
        "SELECT * FROM cases WHERE person_id = ? AND status IN ('open', 'taken')"
        " ORDER BY id DESC LIMIT 1", (person_id,))
    return None if row is None else _case(row)


async def latest_for_person(db: Reader, person_id: int) -> Case | None:
    row = await db.fetchone("SELECT * FROM cases WHERE person_id = ? ORDER BY id DESC LIMIT 1",
                            (person_id,))
    return None if row is None else _case(row)


async def take(tx: Tx, case_id: int, volunteer_id: int) -> bool:
    """Claim an open case; False when someone else was first (or it is not open)."""
    return await tx.changes(
        "UPDATE cases SET status = 'taken', volunteer_id = ?, taken_at = ?"
        " WHERE id = ? AND status = 'open'", (volunteer_id, time.time(), case_id)) == 1


async def release(tx: Tx, case_id: int) -> None:
    await tx.execute("UPDATE cases SET status = 'open', volunteer_id = NULL, taken_at = NULL,"
                     " notify_stage = 0 WHERE id = ?", (case_id,))


async def transfer(tx: Tx, case_id: int, volunteer_id: int) -> None:
    await tx.execute("UPDATE cases SET volunteer_id = ?, taken_at = ? WHERE id = ?",
                     (volunteer_id, time.time(), case_id))


async def close(tx: Tx, case_id: int, outcome: str) -> None:
    await tx.execute("UPDATE cases SET status = 'closed', outcome = ?, closed_at = ?"
                     " WHERE id = ?", (outcome, time.time(), case_id))


async def set_outcome(tx: Tx, case_id: int, outcome: str) -> None:
    """The volunteer's typed outcome, kept until the case closes with its buttons."""
    await tx.execute("UPDATE cases SET outcome = ? WHERE id = ?", (outcome, case_id))


async def rate(tx: Tx, case_id: int, rating: int) -> None:
    await tx.execute("UPDATE cases SET rating = ? WHERE id = ?", (rating, case_id))


async def comment(tx: Tx, case_id: int, text: str) -> None:
    await tx.execute("UPDATE cases SET comment = ? WHERE id = ?", (text, case_id))


async def add_notify_wave(tx: Tx, case_id: int) -> int:
    """Count one more notification wave of the case; return how many came before it."""
    row = await tx.fetchone("UPDATE cases SET notify_waves = notify_waves + 1 WHERE id = ?"
                            " RETURNING notify_waves", (case_id,))
    return 0 if row is None else int(row[0]) - 1


async def set_stage(tx: Tx, case_id: int, stage: int) -> None:
    await tx.execute("UPDATE cases SET notify_stage = ? WHERE id = ?", (stage, case_id))


async def for_volunteer(db: Reader, volunteer_id: int) -> list[Case]:
    rows = await db.fetchall("SELECT * FROM cases WHERE volunteer_id = ? AND status = 'taken'"
                             " ORDER BY created_at", (volunteer_id,))
    return [_case(r) for r in rows]


async def open_cases(db: Reader, countries: tuple[str, ...] | None = None,
                     languages: tuple[str, ...] | None = None, limit: int = 50) -> list[Case]:
    """Open cases oldest first, optionally only in some countries and languages.

    The filters are in SQL, before the LIMIT: filtering a page of the oldest cases in Python
    would come back empty whenever the oldest cases all belong to other volunteers.
    """
    where, params = ["status = 'open'"], []
    for column, values in (("country", countries), ("lang", languages)):
        if values is not None:
            where.append(f"{column} IN ({','.join('?' * len(values)) or 'NULL'})")
            params += list(values)
    rows = await db.fetchall(f"SELECT * FROM cases WHERE {' AND '.join(where)}"
                             " ORDER BY created_at LIMIT ?", (*params, limit))
    return [_case(r) for r in rows]


async def mark_person_blocked(tx: Tx, person_id: int) -> list[Case]:
    rows = await tx.fetchall("SELECT * FROM cases WHERE person_id = ? AND status IN"
                             " ('open', 'taken')", (person_id,))
    await tx.execute("UPDATE cases SET person_blocked = 1 WHERE person_id = ? AND status IN"
                     " ('open', 'taken')", (person_id,))
    return [_case(r) for r in rows]


async def set_person_blocked(tx: Tx, case_id: int, blocked: bool) -> None:
    await tx.execute("UPDATE cases SET person_blocked = ? WHERE id = ?", (int(blocked), case_id))


async def add_message(tx: Tx, case_id: int, direction: str, author_id: int | None, kind: str,
                      content: str | None, chat_id: int | None = None,
                      message_id: int | None = None) -> None:
    await tx.execute(
        "INSERT INTO case_messages (case_id, direction, author_id, kind, content, chat_id,"
        " message_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (case_id, direction, author_id, kind, content, chat_id, message_id, time.time()))


async def messages(db: Reader, case_id: int) -> list[Any]:
    return await db.fetchall("SELECT * FROM case_messages WHERE case_id = ? ORDER BY id",
                             (case_id,))


async def first_opened(db: Reader, person_id: int) -> float | None:
    row = await db.fetchone("SELECT MIN(created_at) FROM cases WHERE person_id = ?",
                            (person_id,))
    return None if row is None or row[0] is None else float(row[0])


async def ids_for_person(db: Reader, person_id: int) -> list[int]:
    rows = await db.fetchall("SELECT id FROM cases WHERE person_id = ?", (person_id,))
    return [int(r[0]) for r in rows]


async def anonymise_person(tx: Tx, person_id: int) -> list[Case]:
    """For /forget: cases stay as anonymous records (status, rating, dates, country, flow).

    Everything said in them goes: messages and notes (a note about a person is about them),
    the reason they typed, the context, the comment, the volunteer's free-text outcome (it
    often names the person), suggestions made from the case, its timers, and the copies the
    outbox holds in the volunteers' chats. Returns the cases as they were, so callers can
    tell their volunteers.
    """
    rows = await tx.fetchall("SELECT * FROM cases WHERE person_id = ?", (person_id,))
    for row in rows:
        for table in ("case_messages", "suggestions", "timers"):
            await tx.execute(f"DELETE FROM {table} WHERE case_id = ?", (row["id"],))
        await erase_relayed(tx, row["id"])
    await tx.execute("UPDATE cases SET person_id = NULL, person_name = NULL, context = NULL,"
                     " reason = NULL, comment = NULL, status = 'closed', outcome = ?,"
                     " closed_at = COALESCE(closed_at, ?) WHERE person_id = ?",
                     (FORGOTTEN, time.time(), person_id))
    return [_case(r) for r in rows]


async def unlink_volunteer(tx: Tx, volunteer_id: int, names: list[str]) -> None:
    """For a volunteer's /forget: the cases they handled and messages they wrote stay, as
    the people's case history, but no longer say who they were (a message of theirs that
    spells one of their ``names`` loses its text)."""
    if names:
        spelled = " OR ".join(["instr(content, ?) > 0"] * len(names))
        await tx.execute(f"UPDATE case_messages SET content = NULL WHERE author_id = ?"
                         f" AND ({spelled})", (volunteer_id, *names))
    await tx.execute("UPDATE cases SET volunteer_id = NULL WHERE volunteer_id = ?",
                     (volunteer_id,))
    await tx.execute("UPDATE case_messages SET author_id = NULL WHERE author_id = ?",
                     (volunteer_id,))
    await tx.execute("UPDATE case_messages SET chat_id = NULL, message_id = NULL"
                     " WHERE chat_id = ?", (volunteer_id,))


async def erase_relayed(tx: Tx, case_id: int) -> int:
    """Blank the outbox rows of a case (refs ``case:<id>:…``); undelivered ones are dropped.

    A range on ``ref`` instead of LIKE, so the ``outbox_ref`` index serves it.
    """
    return await tx.changes(
        "UPDATE outbox SET params = '{}', result = NULL, error = NULL,"
        " status = CASE status WHEN 'pending' THEN 'dropped' ELSE status END"
        " WHERE ref >= ? AND ref < ?", (f"case:{case_id}:", f"case:{case_id};"))


async def purge_content(tx: Tx, older_than: float) -> int:
    """Retention: blank relayed message content older than `older_than` (Unix seconds)."""
    return await tx.changes("UPDATE case_messages SET content = NULL WHERE content IS NOT NULL"
                              " AND direction != 'note' AND created_at < ?", (older_than,))


async def link(tx: Tx, case_id: int, earlier: int) -> None:
    """The case follows ``earlier`` (the person wrote again after it was closed)."""
    await tx.execute("UPDATE cases SET linked_to = ? WHERE id = ?", (earlier, case_id))


async def linked_to(db: Reader, case_id: int) -> int | None:
    row = await db.fetchone("SELECT linked_to FROM cases WHERE id = ?", (case_id,))
    return None if row is None else row["linked_to"]
