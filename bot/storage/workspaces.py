"""Team workspaces: forum supergroups bound to countries, and the topic of each case.

Why a table per topic and not a column of ``cases``: a topic can be lost (deleted by hand,
closed, rights removed) and recreated; its thread id changes while the case does not, and
``thread_id IS NULL`` is the one mark that says "recreate it before sending".
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from bot.storage.db import Reader, Tx


@dataclass(frozen=True)
class Workspace:
    chat_id: int
    countries: tuple[str, ...]
    lang: str
    bound_by: int | None
    queue_thread_id: int | None
    queue_message_id: int | None


@dataclass(frozen=True)
class Topic:
    case_id: int
    chat_id: int
    thread_id: int | None
    card_message_id: int | None
    status: str
    alias: str | None
    repairs: int
    repair_cause: str | None
    closed: bool


def _workspace(row: Any) -> Workspace:
    return Workspace(row["chat_id"], tuple(c for c in row["countries"].split(",") if c),
                     row["lang"], row["bound_by"], row["queue_thread_id"],
                     row["queue_message_id"])


def _topic(row: Any) -> Topic:
    return Topic(row["case_id"], row["chat_id"], row["thread_id"], row["card_message_id"],
                 row["status"], row["alias"], row["repairs"], row["repair_cause"],
                 bool(row["closed"]))


async def bind(tx: Tx, chat_id: int, countries: tuple[str, ...], lang: str,
               user_id: int) -> list[int]:
    """Bind the chat to ``countries``; each country has one workspace, so the countries are
    taken from any other chat that had them. Returns the chats that lost countries."""
    others = await tx.fetchall("SELECT * FROM workspaces WHERE chat_id != ?", (chat_id,))
    losers = []
    for row in others:
        kept = [c for c in _workspace(row).countries if c not in countries]
        if len(kept) != len(_workspace(row).countries):
            losers.append(row["chat_id"])
            if kept:
                await tx.execute("UPDATE workspaces SET countries = ? WHERE chat_id = ?",
                                 (",".join(kept), row["chat_id"]))
            else:
                await tx.execute("DELETE FROM workspaces WHERE chat_id = ?", (row["chat_id"],))
    await tx.execute(
        "INSERT INTO workspaces (chat_id, countries, lang, bound_by, bound_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (chat_id) DO UPDATE SET"
        " countries = excluded.countries, lang = excluded.lang, bound_by = excluded.bound_by,"
        " bound_at = excluded.bound_at", (chat_id, ",".join(countries), lang, user_id,
                                          time.time()))
    return losers


async def unbind(tx: Tx, chat_id: int) -> bool:
    return await tx.changes("DELETE FROM workspaces WHERE chat_id = ?", (chat_id,)) > 0


async def get(db: Reader, chat_id: int) -> Workspace | None:
    row = await db.fetchone("SELECT * FROM workspaces WHERE chat_id = ?", (chat_id,))
    return None if row is None else _workspace(row)


async def all_workspaces(db: Reader) -> list[Workspace]:
    return [_workspace(r) for r in await db.fetchall("SELECT * FROM workspaces"
                                                      " ORDER BY chat_id")]


async def for_country(db: Reader, country: str | None) -> Workspace | None:
    """The workspace of a country (countries are few and short: matched in Python)."""
    if not country:
        return None
    for workspace in await all_workspaces(db):
        if country in workspace.countries:
            return workspace
    return None


async def migrate_chat(tx: Tx, old: int, new: int) -> bool:
    """A group became a supergroup (a new chat id): its binding and topics follow it."""
    if await get(tx, new) is not None or await get(tx, old) is None:
        return False
    for table in ("workspaces", "case_topics", "ws_outbox", "ws_notices"):
        await tx.execute(f"UPDATE {table} SET chat_id = ? WHERE chat_id = ?", (new, old))
    return True


async def set_queue_message(tx: Tx, chat_id: int, thread_id: int | None,
                            message_id: int | None) -> None:
    await tx.execute("UPDATE workspaces SET queue_thread_id = ?, queue_message_id = ?"
                     " WHERE chat_id = ?", (thread_id, message_id, chat_id))


# -- topics -----------------------------------------------------------------------------------
async def add_topic(tx: Tx, case_id: int, chat_id: int) -> None:
    """A case enters the workspace: its topic is created by the workspace sender."""
    await tx.execute("INSERT INTO case_topics (case_id, chat_id, created_at) VALUES (?, ?, ?)"
                     " ON CONFLICT (case_id) DO NOTHING", (case_id, chat_id, time.time()))


async def topic(db: Reader, case_id: int) -> Topic | None:
    row = await db.fetchone("SELECT * FROM case_topics WHERE case_id = ?", (case_id,))
    return None if row is None else _topic(row)


async def topic_by_thread(db: Reader, chat_id: int, thread_id: int) -> Topic | None:
    row = await db.fetchone("SELECT * FROM case_topics WHERE chat_id = ? AND thread_id = ?",
                            (chat_id, thread_id))
    return None if row is None else _topic(row)


async def topics_of_chat(db: Reader, chat_id: int) -> list[Topic]:
    rows = await db.fetchall("SELECT * FROM case_topics WHERE chat_id = ? ORDER BY case_id",
                             (chat_id,))
    return [_topic(r) for r in rows]


async def set_thread(tx: Tx, case_id: int, thread_id: int) -> None:
    """The topic exists (again): its new thread id; the card is to be posted in it."""
    await tx.execute("UPDATE case_topics SET thread_id = ?, card_message_id = NULL"
                     " WHERE case_id = ?", (thread_id, case_id))


async def lose_thread(tx: Tx, case_id: int, cause: str) -> None:
    """Self-repair: the topic is gone for ``cause``; the next send recreates it."""
    await tx.execute("UPDATE case_topics SET thread_id = NULL, card_message_id = NULL,"
                     " repairs = repairs + 1, repair_cause = ? WHERE case_id = ?",
                     (cause, case_id))


async def set_card(tx: Tx, case_id: int, message_id: int) -> None:
    await tx.execute("UPDATE case_topics SET card_message_id = ? WHERE case_id = ?",
                     (message_id, case_id))


async def set_status(tx: Tx, case_id: int, status: str, alias: str | None = None) -> None:
    """What the card and icon show; ``alias``: the claimer's (kept when None)."""
    await tx.execute("UPDATE case_topics SET status = ?, closed = ?,"
                     " alias = COALESCE(?, alias) WHERE case_id = ?",
                     (status, int(status == "closed"), alias, case_id))


async def drop_topics(tx: Tx, case_ids: list[int]) -> list[Topic]:
    """For /forget: the topics of these cases, removed from the table (returned as they were,
    so the caller can delete them in Telegram)."""
    found = []
    for case_id in case_ids:
        row = await tx.fetchone("SELECT * FROM case_topics WHERE case_id = ?", (case_id,))
        if row is not None:
            found.append(_topic(row))
            await tx.execute("DELETE FROM case_topics WHERE case_id = ?", (case_id,))
    return found


async def note_cause(tx: Tx, chat_id: int, cause: str, every_s: float) -> bool:
    """Whether the admins should be told of ``cause`` in this chat now (once per cause, again
    after ``every_s``); records that they are told."""
    row = await tx.fetchone("SELECT told_at FROM ws_notices WHERE chat_id = ? AND cause = ?",
                            (chat_id, cause))
    now = time.time()
    if row is not None and now - float(row["told_at"]) < every_s:
        return False
    await tx.execute("INSERT INTO ws_notices (chat_id, cause, told_at) VALUES (?, ?, ?)"
                     " ON CONFLICT (chat_id, cause) DO UPDATE SET told_at = excluded.told_at",
                     (chat_id, cause, now))
    return True


async def active_cases(db: Reader, countries: tuple[str, ...]) -> list[Any]:
    """``(id, status, volunteer_id, created_at)`` of the open and taken cases of countries,
    with the claimer's alias (the queue summary)."""
    if not countries:
        return []
    marks = ",".join("?" * len(countries))
    return await db.fetchall(
        "SELECT c.id, c.status, c.volunteer_id, c.created_at, v.alias FROM cases AS c"
        " LEFT JOIN volunteers AS v ON v.user_id = c.volunteer_id"
        f" WHERE c.status IN ('open', 'taken') AND c.country IN ({marks}) ORDER BY c.id",
        countries)
