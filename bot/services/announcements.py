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

from collections.abc import Callable
from typing import Any

from bot.engine import Flow, FlowSet
from bot.engine.outcomes import ChangeNote
from bot.services.followups import enqueue_bulk
from bot.storage import followups
from bot.storage.db import Database

ComposeNote = Callable[[Flow, ChangeNote, str], dict[str, Any]]


async def announce(db: Database, flows: FlowSet, compose: ComposeNote) -> dict[str, int]:
    """Send every change note not announced yet; return recipients per `flow/note`."""
    done = await followups.announced(db)
    sent: dict[str, int] = {}
    for flow in flows.flows.values():
        for note in flow.outcomes.changes if flow.outcomes else ():
            if (flow.id, note.id) in done:
                continue
            async with db.transaction() as tx:
                people = await followups.blocker_reporters(tx, flow.id)
                if not await followups.mark_announced(tx, flow.id, note.id, len(people)):
                    continue
                await enqueue_bulk(tx, [(user_id, compose(flow, note, lang))
                                        for user_id, lang in people])
            sent[f"{flow.id}/{note.id}"] = len(people)
    return sent
