"""What a chat's lane sends next: its threads round robin, a burst of texts merged into one.

Why: a volunteer's chat receives the relays of all their cases, and Telegram lets about one
message per second into a chat. Served first in, first out, one person who sends 300
messages holds every other case of that volunteer back for minutes. So the rows of a chat
are grouped by ``thread`` (one case, see :mod:`bot.storage.outbox`): the thread served least
recently goes next, and consecutive plain texts of that thread are merged into one message
(within Telegram's 4096 characters), in order, each keeping its header. A chat whose rows
have no thread (a person's own chat) is served in ``id`` order exactly as before.

Pure functions over outbox rows: the sender reads the rows, this module decides, the sender
delivers and records every merged row as sent with the one message's id (so a reply to it
still finds its case through the row's ``ref``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.storage.outbox import OutboxRow

MAX_TEXT = 4096  # Telegram's limit for a message, in UTF-16 code units after entity parsing
SEPARATOR = "\n"
# A row may be merged with the next one only if it sets nothing but these (no keyboard).
_MERGEABLE_KEYS = frozenset({"chat_id", "text", "parse_mode", "link_preview_options"})


@dataclass(frozen=True)
class Plan:
    """The units to send now (each one message: one row, or several merged), and whether
    the read held everything pending for the chat (then the lane may stop after them)."""

    units: list[list[OutboxRow]]
    complete: bool
    thread: str | None = None  # the thread served (to remember it as served)
    counted: bool = False  # the first unit's flood-limit slot is already taken


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def plan(rows: list[OutboxRow], served: Mapping[str | None, int], *, now: float,
         batch: int) -> Plan:
    """Choose what to send from a chat's pending rows (up to ``batch`` per lane and thread,
    chat lane first, as :func:`bot.storage.outbox.pending_for_chat` reads them).

    ``served``: when each thread of this chat was last served (higher: more recent).
    No threads in the best lane: all its rows, in order. Threads: one unit of the thread
    served least recently among those whose next row is due (never served: oldest first),
    then the sender reads again (another thread may have a message by then).
    """
    if not rows:
        return Plan([], True)
    lane = rows[0].lane
    in_lane = [row for row in rows if row.lane == lane]
    threads: dict[str | None, list[OutboxRow]] = {}
    for row in in_lane:
        threads.setdefault(row.thread, []).append(row)
    if len(threads) == 1 and None in threads:  # no threads: in order, as many as were read
        group = threads[None]
        complete = len(in_lane) == len(rows) and len(group) < batch
        return Plan(units(group, now), complete, None)
    due = [(served.get(thread, -1), group[0].id, thread) for thread, group in threads.items()
           if group[0].due_at <= now]
    if not due:  # every thread waits for a retry: the lane stops until the first is due
        return Plan([[min((g[0] for g in threads.values()), key=lambda r: r.due_at)]], False)
    _, _, thread = min(due)
    return Plan(units(threads[thread], now)[:1], False, thread)


def units(rows: list[OutboxRow], now: float) -> list[list[OutboxRow]]:
    """Consecutive rows, each merged with the following ones where :func:`mergeable`."""
    out: list[list[OutboxRow]] = []
    for row in rows:
        if out and row.due_at <= now and mergeable(out[-1], row):
            out[-1].append(row)
        else:
            out.append([row])
    return out


def mergeable(unit: list[OutboxRow], row: OutboxRow) -> bool:
    """Whether ``row`` may join ``unit`` as one message: plain texts of the same thread and
    ref, the same options, and the merged text within Telegram's limit."""
    first = unit[0]
    if row.thread is None or row.thread != first.thread or row.ref != first.ref:
        return False
    if any(r.method != "sendMessage" or not set(r.params) <= _MERGEABLE_KEYS
           or not isinstance(r.params.get("text"), str) for r in (first, row)):
        return False
    if {k: v for k, v in row.params.items() if k != "text"} != \
            {k: v for k, v in first.params.items() if k != "text"}:
        return False
    size = sum(utf16_len(r.params["text"]) for r in unit) + utf16_len(row.params["text"])
    return size + utf16_len(SEPARATOR) * len(unit) <= MAX_TEXT


def merged_params(unit: list[OutboxRow]) -> dict:
    """The one call that delivers ``unit``: the first row's call with every text, in order."""
    if len(unit) == 1:
        return unit[0].params
    return {**unit[0].params, "text": SEPARATOR.join(r.params["text"] for r in unit)}
