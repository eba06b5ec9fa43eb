"""The inbox: every update from Telegram, stored before Telegram is told it was received.

Why: python-telegram-bot's Updater acknowledges updates as soon as it has queued them in
memory, so a crash loses them. Passerelle writes each update here first (keyed by
``update_id``, so a redelivered update is dropped), and processes it from here; a row stays
``pending`` until the transaction that handled it commits.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from typing import Any

from bot.storage.db import Reader, Tx

SIGNAL = "inbox"  # Database.signal name set after new rows commit


@dataclass(frozen=True)
class InboxRow:
    update_id: int
    chat_id: int | None
    payload: dict[str, Any]
    status: str
    received_at: float


def chat_id_of(update: dict[str, Any]) -> int | None:
    """The chat an update belongs to, read from the raw JSON; ``None`` if it has none.

    Works for every kind of update that has one (messages, edits, channel posts, callback
    queries on a message, chat member changes, reactions…) by looking for ``chat`` or
    ``message.chat`` in the update's payload object, so new update kinds need no change.
    Poll answers, inline queries and the like have no chat.
    """
    for key, obj in update.items():
        if key == "update_id" or not isinstance(obj, dict):
            continue
        chat = obj.get("chat")
        if chat is None and isinstance(obj.get("message"), dict):
            chat = obj["message"].get("chat")
        if isinstance(chat, dict) and isinstance(chat.get("id"), int):
            return chat["id"]
    return None


_INSERT_CHUNK = 500  # rows per INSERT statement (SQLite caps the number of parameters)
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _storable(update: dict[str, Any]) -> str:
    """The update as JSON text that SQLite can store.

    Why: JSON may carry a lone UTF-16 surrogate (``"\\ud83d"``, half an emoji cut by a
    buggy client); Python decodes it into a string that UTF-8 cannot encode, and the whole
    batch would fail to store, again at every retry: intake wedged for everyone. Such
    characters are stored as U+FFFD (the replacement character), so the update is handled
    like any other; valid pairs were already joined by the JSON decoder.
    """
    text = json.dumps(update, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = _LONE_SURROGATE.sub("\ufffd", text)
    return text


async def add_many(tx: Tx, updates: list[dict[str, Any]]) -> list[int]:
    """Store raw updates; return the ids that were new (redelivered ones are dropped).

    One statement per batch (a ``getUpdates`` answer holds up to 100 updates): the intake
    holds the database's only writer while it stores them.
    """
    now = time.time()
    new: set[int] = set()
    for start in range(0, len(updates), _INSERT_CHUNK):
        chunk = updates[start:start + _INSERT_CHUNK]
        values: list[Any] = []
        for update in chunk:
            values += [int(update["update_id"]), chat_id_of(update), _storable(update), now]
        rows = await tx.fetchall(
            "INSERT OR IGNORE INTO inbox (update_id, chat_id, payload, received_at) VALUES "
            + ", ".join(["(?, ?, ?, ?)"] * len(chunk)) + " RETURNING update_id",
            values,
        )
        new.update(int(row[0]) for row in rows)
    ordered: list[int] = []
    posted: list[tuple[int, int | None, dict[str, Any]]] = []
    for update in updates:  # in the order given, each once
        update_id = int(update["update_id"])
        if update_id in new:
            new.discard(update_id)
            ordered.append(update_id)
            posted.append((update_id, chat_id_of(update), update))
    if ordered:
        tx.post(SIGNAL, posted)  # the dispatcher queues exactly these (see pending_keys)
    return ordered


async def pending_keys(db: Reader) -> list[tuple[int, int | None]]:
    """``(update_id, chat_id)`` of the rows not processed yet, oldest first.

    Why not :func:`pending`: the dispatcher scans after every stored batch and needs only
    to know what to queue; each turn reads its payload when it claims the row.
    """
    rows = await db.fetchall(
        "SELECT update_id, chat_id FROM inbox WHERE status = 'pending' ORDER BY update_id")
    return [(row[0], row[1]) for row in rows]


@dataclass(frozen=True)
class Claimed:
    payload: dict[str, Any]
    chat_blocked: bool  # the chat is in blocked_chats (so far it had blocked the bot)


_CLAIM = (
    "UPDATE inbox SET status = 'done', processed_at = ?, error = NULL"
    " WHERE update_id = ? AND status = 'pending' RETURNING payload,"
    " EXISTS (SELECT 1 FROM blocked_chats AS b WHERE b.chat_id = inbox.chat_id)")
_CLAIM_OWNED = _CLAIM.replace(" RETURNING", " AND lease_owner = ? RETURNING")


async def claim(tx: Tx, update_id: int, owner: str | None = None) -> Claimed | None:
    """Mark a pending row done and return its payload; None if it is not pending (or, with
    ``owner``, if that process's lease on it was lost: see :mod:`bot.storage.inbox_claims`).

    Called first in the turn's transaction: if the turn fails, the rollback makes the row
    pending again, so "done" is only ever committed together with the turn's effects.
    Whether the chat is marked blocked comes along, so the turn needs no query to learn it.
    """
    if owner is None:
        row = await tx.fetchone(_CLAIM, (time.time(), update_id))
    else:
        row = await tx.fetchone(_CLAIM_OWNED, (time.time(), update_id, owner))
    return None if row is None else Claimed(json.loads(row[0]), bool(row[1]))


async def pending(db: Reader, limit: int | None = None) -> list[InboxRow]:
    """Rows not processed yet, oldest (lowest ``update_id``) first."""
    sql = (
        "SELECT update_id, chat_id, payload, status, received_at FROM inbox"
        " WHERE status = 'pending' ORDER BY update_id"
    )
    params: tuple[int, ...] = ()
    if limit is not None:
        sql += " LIMIT ?"
        params = (limit,)
    return [_row(r) for r in await db.fetchall(sql, params)]


async def get(db: Reader, update_id: int) -> InboxRow | None:
    row = await db.fetchone(
        "SELECT update_id, chat_id, payload, status, received_at FROM inbox"
        " WHERE update_id = ?",
        (update_id,),
    )
    return None if row is None else _row(row)


async def mark_done(tx: Tx, update_id: int) -> None:
    await tx.execute(
        "UPDATE inbox SET status = 'done', processed_at = ?, error = NULL WHERE update_id = ?",
        (time.time(), update_id),
    )


async def mark_failed(tx: Tx, update_id: int, error: str) -> None:
    """Park a row that its handler could not process, so the chat's next updates go on."""
    await tx.execute(
        "UPDATE inbox SET status = 'failed', processed_at = ?, error = ? WHERE update_id = ?",
        (time.time(), error, update_id),
    )


async def erase_chat(tx: Tx, chat_id: int, up_to: int | None = None) -> int:
    """Blank what a chat sent (for ``/forget``); return how many rows were blanked.

    Rows keep their ``update_id`` (so a redelivery is still recognised as a duplicate) but lose
    their content and their chat id (a blank update needs no lane). With ``up_to`` (pass the
    ``/forget`` turn's own update id), pending rows newer than it are kept: the person sent
    them after asking to be forgotten. Without it, every row is blanked, and blanked pending
    rows are processed as empty updates.
    """
    sql = ("UPDATE inbox SET payload = json_object('update_id', update_id), error = NULL,"
           " chat_id = NULL WHERE chat_id = ?")
    params: tuple[int, ...] = (chat_id,)
    if up_to is not None:
        sql += " AND (status != 'pending' OR update_id <= ?)"
        params = (chat_id, up_to)
    return await tx.changes(sql, params)


async def payloads_of_chat(db: Reader, chat_id: int) -> list[dict[str, Any]]:
    """Every stored update of a chat (for ``/forget``: who the person is, as Telegram said)."""
    rows = await db.fetchall("SELECT payload FROM inbox WHERE chat_id = ?", (chat_id,))
    return [json.loads(row[0]) for row in rows]


async def blank(tx: Tx, update_id: int) -> None:
    """Forget one update's content now (e.g. a contact card the person did not share)."""
    await tx.execute("UPDATE inbox SET payload = json_object('update_id', update_id),"
                     " error = NULL WHERE update_id = ?", (update_id,))


async def link_case(tx: Tx, update_id: int, case_id: int) -> None:
    """Tag an update as handled for a case, so ``/forget`` of its person finds it."""
    await tx.execute("UPDATE inbox SET case_id = ? WHERE update_id = ?", (case_id, update_id))


async def erase_linked(tx: Tx, case_ids: list[int], chat_id: int) -> int:
    """Blank the processed updates tagged with these cases (the volunteer's side quotes the
    person: replies, button presses on their case's messages, /close OUTCOME…); the chat id
    goes too where it was ``chat_id`` (the person's own)."""
    if not case_ids:
        return 0
    marks = ",".join("?" * len(case_ids))
    return await tx.changes(
        "UPDATE inbox SET payload = json_object('update_id', update_id), error = NULL,"
        " chat_id = NULLIF(chat_id, ?)"
        f" WHERE case_id IN ({marks}) AND status != 'pending'", (chat_id, *case_ids))


async def first_of_chat(db: Reader, chat_id: int) -> float | None:
    """When the chat's oldest stored update was received."""
    row = await db.fetchone("SELECT received_at FROM inbox WHERE chat_id = ?"
                            " ORDER BY update_id LIMIT 1", (chat_id,))
    return None if row is None else float(row[0])


async def erase_mentioning(tx: Tx, fragments: list[str], since: int = 0) -> int:
    """Blank processed updates (from ``since`` on) whose JSON contains any of ``fragments``
    (a forgotten person's names as JSON spells them, or their id as a JSON value), wherever
    they are: the last net for a message that quotes or forwards the person outside their
    cases. ``since``: nothing older can mention them (see ``privacy.forget``)."""
    if not fragments:
        return 0
    where = " OR ".join(["instr(payload, ?) > 0"] * len(fragments))
    return await tx.changes(
        "UPDATE inbox SET payload = json_object('update_id', update_id), error = NULL"
        f" WHERE update_id >= ? AND status != 'pending' AND ({where})", (since, *fragments))


async def prune(tx: Tx, older_than: float) -> int:
    """Delete processed rows finished before ``older_than`` (Unix seconds); keep pending ones."""
    return await tx.changes(
        "DELETE FROM inbox WHERE status != 'pending' AND processed_at < ?", (older_than,)
    )


def _row(row: Any) -> InboxRow:
    return InboxRow(
        update_id=row["update_id"],
        chat_id=row["chat_id"],
        payload=json.loads(row["payload"]),
        status=row["status"],
        received_at=row["received_at"],
    )
