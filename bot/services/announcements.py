"""Telling people what came of their reports: a flow's `changes:` notes, announced once.

Why this shape: a change note is content, written in the flow file next to the procedure it
changes and reviewed like any content. When a flow set is loaded (start or /reload), each note
never announced before goes, in their language, to the people who reported a blocker on that
procedure in a follow-up and did not stop its follow-ups. The note is claimed in the same
transaction that queues its messages, so it is sent once even across restarts, and people who
report later do not receive old news. The link person -> procedure is the follow-up run
(erased by /forget); the anonymous outcome records are never read here.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from bot.engine import Flow, FlowSet
from bot.engine.outcomes import ChangeNote
from bot.services.followups import enqueue_bulk
from bot.storage import followups
from bot.storage.db import Database

CHUNK = 500  # people per transaction
ComposeNote = Callable[[Flow, ChangeNote, str], dict[str, Any]]


async def announce(db: Database, flows: FlowSet, compose: ComposeNote, *,
                   now: float | None = None) -> dict[str, int]:
    """Send every change note not completely sent yet; return recipients per `flow/note`.

    In chunks of `CHUNK` people, each in its own transaction with the note's progress, so a
    wave of thousands never holds the database's writer for long and a restart resumes
    where it stopped: everyone gets the note once.
    """
    done = await followups.announced(db)
    sent: dict[str, int] = {}
    for flow in flows.flows.values():
        for note in flow.outcomes.changes if flow.outcomes else ():
            if (flow.id, note.id) not in done:
                sent[f"{flow.id}/{note.id}"] = await _send(db, flow, note, compose,
                                                           time.time() if now is None else now)
    return sent


async def _send(db: Database, flow: Flow, note: ChangeNote, compose: ComposeNote,
                now: float) -> int:
    while True:
        async with db.transaction() as tx:
            state = await followups.claim_note(tx, flow.id, note.id, now)
            people = await followups.blocker_reporters(
                tx, flow.id, reported_by=state["announced_at"], after=state["cursor"],
                limit=CHUNK)
            await enqueue_bulk(tx, [(user_id, compose(flow, note, lang))
                                    for user_id, lang in people])
            finished = len(people) < CHUNK
            await followups.advance_note(tx, flow.id, note.id,
                                         cursor=people[-1][0] if people else state["cursor"],
                                         sent=len(people), done=finished)
        if finished:
            return int(state["recipients"]) + len(people)
