"""Proposals of flow changes and the published versions of flow files (SQL only).

The rules (who may do what, what a stale proposal is) live in bot/services/publishing.py.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from bot.storage.db import Reader, Tx


@dataclass(frozen=True)
class Proposal:
    id: int
    status: str
    author_id: int | None
    chat_id: int | None
    file_id: str | None
    file_name: str
    caption: str | None
    flow_id: str | None
    path: str | None
    base_hash: str | None
    content: str | None
    report: str | None
    reviewer_id: int | None
    reason: str | None
    created_at: float


@dataclass(frozen=True)
class Version:
    flow_id: str
    version: int
    content_hash: str
    path: str
    content: str
    source: str
    proposal_id: int | None
    restores: int | None
    author_id: int | None
    approver_id: int | None
    checker: str | None
    published_at: float


def _proposal(row: Any) -> Proposal:
    return Proposal(*(row[name] for name in Proposal.__dataclass_fields__))


def _version(row: Any) -> Version:
    return Version(*(row[name] for name in Version.__dataclass_fields__))


async def add_received(tx: Tx, author_id: int, chat_id: int, file_id: str, file_name: str,
                       caption: str | None) -> int:
    cursor = await tx.execute(
        "INSERT INTO proposals (author_id, chat_id, file_id, file_name, caption, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)", (author_id, chat_id, file_id, file_name, caption,
                                       time.time()))
    tx.signal("proposals")
    return int(cursor.lastrowid)


async def add_shipped(tx: Tx, file_name: str, caption: str) -> int:
    """A proposal from an upgrade of the shipped flows: no author, nothing to download."""
    cursor = await tx.execute(
        "INSERT INTO proposals (file_name, caption, created_at) VALUES (?, ?, ?)",
        (file_name, caption, time.time()))
    return int(cursor.lastrowid)


async def received(db: Reader) -> list[Proposal]:
    """Uploads not yet downloaded and checked (also those a restart interrupted)."""
    rows = await db.fetchall("SELECT * FROM proposals WHERE status = 'received' ORDER BY id")
    return [_proposal(r) for r in rows]


async def get(db: Reader, proposal_id: int) -> Proposal | None:
    row = await db.fetchone("SELECT * FROM proposals WHERE id = ?", (proposal_id,))
    return None if row is None else _proposal(row)


async def set_checked(tx: Tx, proposal_id: int, status: str, *, flow_id: str | None,
                      path: str | None, base_hash: str | None, content: str | None,
                      report: str) -> None:
    await tx.execute(
        "UPDATE proposals SET status = ?, flow_id = ?, path = ?, base_hash = ?, content = ?,"
        " report = ?, file_id = NULL WHERE id = ?",
        (status, flow_id, path, base_hash, content, report, proposal_id))


async def set_status(tx: Tx, proposal_id: int, status: str, *, reviewer_id: int | None = None,
                     reason: str | None = None) -> None:
    await tx.execute(
        "UPDATE proposals SET status = ?, reviewer_id = COALESCE(?, reviewer_id),"
        " reason = COALESCE(?, reason), reviewed_at = ? WHERE id = ?",
        (status, reviewer_id, reason, time.time(), proposal_id))


async def pending(db: Reader) -> list[Proposal]:
    rows = await db.fetchall("SELECT * FROM proposals WHERE status = 'pending' ORDER BY id")
    return [_proposal(r) for r in rows]


async def link_suggestions(tx: Tx, proposal_id: int, flow_id: str, ids: list[int]) -> list[int]:
    """Link volunteers' suggestions about the same flow; return the ids really linked."""
    linked = []
    for suggestion_id in ids:
        if await tx.changes("UPDATE suggestions SET proposal_id = ? WHERE id = ? AND flow_id = ?",
                            (proposal_id, suggestion_id, flow_id)):
            linked.append(suggestion_id)
    return linked


async def linked_suggestions(db: Reader, proposal_id: int) -> list[int]:
    rows = await db.fetchall("SELECT id FROM suggestions WHERE proposal_id = ? ORDER BY id",
                             (proposal_id,))
    return [r["id"] for r in rows]


async def open_suggestions(db: Reader, flow_id: str, limit: int = 10) -> list[Any]:
    return await db.fetchall(
        "SELECT id, kind, step_id, text FROM suggestions WHERE flow_id = ? AND status = 'new'"
        " AND proposal_id IS NULL ORDER BY id DESC LIMIT ?", (flow_id, limit))


async def close_suggestions(tx: Tx, proposal_id: int) -> None:
    await tx.execute("UPDATE suggestions SET status = 'published' WHERE proposal_id = ?",
                     (proposal_id,))


# -- versions ---------------------------------------------------------------------------------

async def latest_version(db: Reader, flow_id: str) -> Version | None:
    row = await db.fetchone("SELECT * FROM flow_versions WHERE flow_id = ?"
                            " ORDER BY version DESC LIMIT 1", (flow_id,))
    return None if row is None else _version(row)


async def versions(db: Reader, flow_id: str) -> list[Version]:
    rows = await db.fetchall("SELECT * FROM flow_versions WHERE flow_id = ? ORDER BY version",
                             (flow_id,))
    return [_version(r) for r in rows]


async def add_version(tx: Tx, *, flow_id: str, content_hash: str, path: str, content: str,
                      source: str, proposal_id: int | None = None, restores: int | None = None,
                      author_id: int | None = None, approver_id: int | None = None,
                      checker: str | None = None) -> int:
    """Record the next version of `flow_id`; return its number."""
    row = await tx.fetchone("SELECT COALESCE(MAX(version), 0) + 1 AS next FROM flow_versions"
                            " WHERE flow_id = ?", (flow_id,))
    number = int(row["next"]) if row else 1
    await tx.execute(
        "INSERT INTO flow_versions (flow_id, version, content_hash, path, content, source,"
        " proposal_id, restores, author_id, approver_id, checker, published_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (flow_id, number, content_hash, path, content, source, proposal_id, restores,
         author_id, approver_id, checker, time.time()))
    return number


async def forget_person(tx: Tx, user_id: int) -> None:
    """/forget: the person's id leaves every proposal and version; their pending work ends."""
    await tx.execute("UPDATE proposals SET status = 'rejected', reason = 'author erased'"
                     " WHERE author_id = ? AND status IN ('received', 'draft', 'pending')",
                     (user_id,))
    await tx.execute("UPDATE proposals SET author_id = NULL, chat_id = NULL, caption = NULL"
                     " WHERE author_id = ?", (user_id,))
    await tx.execute("UPDATE proposals SET reviewer_id = NULL WHERE reviewer_id = ?", (user_id,))
    await tx.execute("UPDATE flow_versions SET author_id = NULL WHERE author_id = ?", (user_id,))
    await tx.execute("UPDATE flow_versions SET approver_id = NULL WHERE approver_id = ?",
                     (user_id,))
    await tx.execute("UPDATE audit SET actor_id = NULL WHERE actor_id = ? AND action LIKE 'flow_%'",
                     (user_id,))
