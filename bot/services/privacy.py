"""Erasing a person (`/forget`): nothing left that identifies them; counts stay anonymous.

What goes, in one transaction (the list an operator can check against the schema):

* their profile (``users``), session, bookkeeping keys (``kv``), the ``blocked_chats`` mark;
* every update they sent (content and chat id), every call the bot made to them (the last
  ones, still on their way, blank themselves once delivered: ``outbox.EPHEMERAL``);
* their cases become anonymous records: messages, notes, reason, context, comment, free-text
  outcome, suggestions and timers go (services register the details in :data:`ERASERS`);
* the volunteer's side of those cases: updates tagged with the case (replies quoting them,
  presses on their case's messages, /close OUTCOME…) and the relays in the volunteer's chat;
* any other stored update or call that spells their name, username or id (a forward, a
  mention): the last net;
* their id in the audit trail, invites and suggestions (the rows stay, without it);
* a volunteer also leaves the roster (services: their cases go back to the queue).

``PRAGMA secure_delete`` zeroes what is erased, and once the goodbye is delivered the WAL is
checkpointed and truncated, so no older copy of a page stays in the files.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from contextvars import ContextVar
from typing import Any

from bot.config import Settings
from bot.storage import cases, erasure, inbox, outbox, sessions, users
from bot.storage.db import Database, Tx

log = logging.getLogger(__name__)

# Run first, with the person's id: other services' parts (mediation anonymises the cases,
# tells their volunteers, and takes a volunteer off the roster; publishing unlinks proposals).
# One that needs the settings (e.g. to route a released case) reads :func:`settings`.
Eraser = Callable[[Tx, int], Awaitable[None]]
ERASERS: list[Eraser] = []
# The services that register an eraser when imported. /forget imports them all first, so an
# entry point that never loaded one of them (the `forget` command line) still erases its part.
# Services only: no module of bot.tg is named here (services never depend on Telegram).
ERASER_MODULES = ("bot.services.mediation_erasure", "bot.services.workspace",
                  "bot.services.publishing", "bot.services.followups")
_SETTINGS: ContextVar[Settings | None] = ContextVar("passerelle_forget_settings", default=None)

CHECKPOINT_WAIT_S = 60.0
_CHECKPOINTS: set[asyncio.Task[None]] = set()  # running checkpoints (a task needs a holder)
WINDOW_SLACK_S = 3600.0  # clocks and batching: search from an hour before they appeared
MIN_NAME = 2  # shorter names would blank half the log; the id and the links still find them


async def forget(tx: Tx, user_id: int, chat_id: int, settings: Settings | None = None, *,
                 up_to_update: int | None = None) -> None:
    """Erase everything that identifies `user_id` inside the caller's transaction.

    ``settings``: the running bot's (routing a volunteer's released cases uses them); the
    defaults otherwise. ``up_to_update``: the /forget turn's own update; what the person
    sends after it is new.
    """
    names = identity_names(await inbox.payloads_of_chat(tx, chat_id), user_id)
    fragments = json_fragments(names, user_id)
    since_update, since_call = await _first_traces(tx, user_id, chat_id)
    case_ids = await cases.ids_for_person(tx, user_id)
    for module in ERASER_MODULES:
        importlib.import_module(module)
    token = _SETTINGS.set(settings or Settings(bot_token=""))
    try:
        for eraser in ERASERS:
            await eraser(tx, user_id)
    finally:
        _SETTINGS.reset(token)
    await inbox.erase_linked(tx, case_ids, chat_id)
    await inbox.erase_chat(tx, chat_id, up_to=up_to_update)
    await outbox.erase_chat(tx, chat_id)
    await inbox.erase_mentioning(tx, fragments, since_update)
    await outbox.erase_mentioning(tx, fragments, since_call)
    await users.delete(tx, user_id)
    await sessions.delete(tx, chat_id)
    await erasure.drop_kv(tx, user_id)
    await erasure.drop_blocked(tx, chat_id)
    await erasure.unlink_audit(tx, user_id)
    await erasure.unlink_volunteer(tx, user_id)
    await cases.unlink_volunteer(tx, user_id, names)
    tx.after_commit(lambda: _checkpoint_soon(tx.db))


def settings() -> Settings:
    """The settings of the erasure in progress (for an :data:`ERASERS` function)."""
    current = _SETTINGS.get()
    if current is None:
        raise RuntimeError("privacy.settings() outside privacy.forget()")
    return current


def _checkpoint_soon(db: Database) -> None:
    task = asyncio.create_task(checkpoint_after_delivery(db), name="forget-checkpoint")
    _CHECKPOINTS.add(task)
    task.add_done_callback(_CHECKPOINTS.discard)


async def checkpoint_after_delivery(db: Database, timeout: float = CHECKPOINT_WAIT_S) -> None:
    """Once the goodbye calls are out (and blanked), copy the WAL into the file and truncate
    it: the file then holds no older version of an erased page, the WAL no copy at all.

    Why wait: a checkpoint taken while those calls are pending would write them, with the
    person's chat id, into the database file. After ``timeout`` (Telegram down) it runs
    anyway; the retention worker's hourly checkpoint cleans up what is delivered later.
    """
    deadline = time.monotonic() + timeout
    try:
        while await outbox.pending_ephemeral(db) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        await db.checkpoint()
    except Exception:  # e.g. the bot stopped meanwhile: closing the database checkpoints
        log.debug("checkpoint after /forget skipped", exc_info=True)


async def _first_traces(tx: Tx, user_id: int, chat_id: int) -> tuple[int, int]:
    """Where the search for mentions can start, in the inbox and the outbox: nobody quotes
    the person before they first appeared (their profile, first update, first case or the
    bot's first message to them, whichever is oldest, less an hour); ids grow with time.
    Nothing known about them: everything is searched.

    Why: the search reads every stored update it covers; for most people it starts near the
    end, so the writer is held for milliseconds instead of a scan of the whole retention.
    """
    known = [t for t in (await users.created_at(tx, user_id),
                         await inbox.first_of_chat(tx, chat_id),
                         await outbox.first_of_chat(tx, chat_id),
                         await cases.first_opened(tx, user_id)) if t is not None]
    if not known:
        return 0, 0
    since = min(known) - WINDOW_SLACK_S
    return (await erasure.first_since(tx, "inbox", since),
            await erasure.first_since(tx, "outbox", since))


def identity_names(payloads: list[dict[str, Any]], user_id: int) -> list[str]:
    """The person's names as Telegram gave them in their updates (``from`` and their private
    ``chat``): first and last name and username; too short ones are left out (see MIN_NAME)."""
    names: set[str] = set()
    for obj in _objects(payloads):
        if obj.get("id") == user_id:
            names.update(str(obj[key]) for key in ("first_name", "last_name", "username")
                         if obj.get(key))
    return sorted(name for name in names if len(name) >= MIN_NAME)


def json_fragments(names: list[str], user_id: int) -> list[str]:
    """How the names and the id appear inside stored JSON, to find them anywhere: each name
    as JSON writes it (raw and, when it differs, ASCII-escaped), the id as a JSON value
    (``": 42"``) and as a mention link inside a text (``tg://user?id=42``, as review
    messages name their author); a longer number starting with it matches too, which only
    blanks a log row more."""
    found = {f": {user_id}", f"tg://user?id={user_id}"}  # a mention link (review messages)
    for name in names:
        found.add(json.dumps(name, ensure_ascii=False)[1:-1])
        found.add(json.dumps(name)[1:-1])
    return sorted(found)


def _objects(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from _objects(item)
    elif isinstance(value, list):
        for item in value:
            yield from _objects(item)


async def handled_for_case(tx: Tx, update_id: int, case: cases.Case) -> None:
    """Tag the update being handled with the case it acted on (see :func:`forget`); an
    update about a case whose person is already forgotten is blanked at once."""
    await inbox.link_case(tx, update_id, case.id)
    if case.person_id is None and case.outcome == cases.FORGOTTEN:
        await inbox.blank(tx, update_id)
