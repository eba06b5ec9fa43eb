"""Where long polling stands: which bot, the last update id received, and how Telegram's ids
map to the inbox's.

Why more than an offset: Telegram forgets every update below the ``offset`` a getUpdates
call passes. A bare stored offset swallows updates without a trace in two cases the Bot API
documents: a new bot (another token) on an old database, whose ids start elsewhere, and
Telegram restarting a bot's ids (at random, after a week without updates). So the state
names the bot (its getMe id) and when it was written, an offset is only ever sent to
confirm what the inbox has just stored, and ids that go backwards are moved after the
inbox's highest id (the ``base``) instead of colliding with old rows or being dropped, with
one log line each time.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass
from typing import Any

from bot.storage import inbox, kv
from bot.storage.db import Reader, Tx

log = logging.getLogger("bot.tg.intake")

STATE_KEY = "polling.state"
LEGACY_OFFSET_KEY = "polling.offset"  # before the state named its bot


@dataclass(frozen=True)
class PollingState:
    bot_id: int | None
    last: int | None  # the highest Telegram update id stored (in the current sequence)
    base: int = 0  # inbox update_id = Telegram's update_id + base
    at: float = 0.0  # when `last` was stored


async def load(db: Reader) -> PollingState:
    """The stored state; a database from before this format gives its offset, no bot."""
    raw = await kv.get(db, STATE_KEY)
    if raw is not None:
        data: dict[str, Any] = json.loads(raw)
        return PollingState(data.get("bot_id"), data.get("last"), int(data.get("base", 0)),
                            float(data.get("at", 0.0)))
    legacy = await kv.get(db, LEGACY_OFFSET_KEY)
    return PollingState(None, None if legacy is None else int(legacy) - 1, 0, time.time())


async def save(tx: Tx, state: PollingState) -> None:
    await kv.put(tx, STATE_KEY, json.dumps(asdict(state)))
    await kv.delete(tx, LEGACY_OFFSET_KEY)


def start_offset(state: PollingState, bot_id: int, now: float) -> int | None:
    """The offset for the first getUpdates after a start: none (Telegram then sends what it
    has not been told about, and the inbox drops what it already holds), except for a state
    written before it named its bot (an upgrade: that offset was confirmed this way).

    Why never the stored offset: Telegram may have restarted the bot's ids while it was
    stopped, and that offset would tell it to forget every new update.
    """
    if state.bot_id is not None or state.last is None:
        return None
    return state.last + 1


async def _redelivered(db: Reader, update: dict[str, Any], base: int) -> bool:
    """Whether ``update`` is one the inbox already holds (sent again because the previous
    process stopped before confirming it), not a new one with a reused id."""
    stored = await inbox.get(db, int(update["update_id"]) + base)
    if stored is None:
        return False
    blank = set(stored.payload) == {"update_id"}  # erased by /forget since
    return blank or {**stored.payload, "update_id": 0} == {**update, "update_id": 0}


async def place(db: Reader, state: PollingState, bot_id: int, batch: list[dict[str, Any]],
                now: float) -> PollingState:
    """The state for a batch: the same base, or a new one placed after every inbox row when
    the bot changed or its ids went backwards (logged once); a batch sent again after a
    restart keeps the base (the inbox drops it as duplicates)."""
    ids = [int(update["update_id"]) for update in batch]
    low, high = min(ids), max(ids)
    other_bot = state.bot_id is not None and state.bot_id != bot_id
    backwards = (not other_bot and state.last is not None and low <= state.last
                 and not await _redelivered(db, batch[ids.index(low)], state.base))
    base = state.base
    if other_bot or backwards:
        row = await db.fetchone("SELECT MAX(update_id) FROM inbox")
        top = int(row[0]) if row is not None and row[0] is not None else 0
        base = max(0, top + 1 - low) if other_bot else top + 1 - low
        if other_bot:
            log.warning("polling: this database was last polled by another bot (id %s); "
                        "bot %s starts a new sequence of update ids (nothing dropped)",
                        state.bot_id, bot_id)
        else:
            log.warning("polling: Telegram's update ids went backwards (%d after %d; Telegram "
                        "restarts them after a week without updates); stored after the "
                        "previous ones, nothing dropped", low, state.last)
    return PollingState(bot_id, max(high, state.last or high) if not (other_bot or backwards)
                        else high, base, now)
