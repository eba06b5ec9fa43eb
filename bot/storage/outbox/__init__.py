"""The outbox: every Bot API call the bot must make, stored before it is attempted.

Why: a message to a person in need must survive a crash, a Telegram outage or a flood limit.
Writers enqueue rows inside their transaction (so a rolled-back turn sends nothing); the
sender delivers them per chat in ``id`` order and records the outcome here. Chats that
blocked the bot are remembered in ``blocked_chats`` so nothing is retried against them.

Statuses: ``pending`` (to deliver at ``due_at``), ``sent``, ``failed`` (Telegram refused it
for good), ``dropped`` (the chat blocked the bot).

Lanes: ``chat`` (the default: answers to people talking to the bot, relays, notifications)
always goes before ``bulk`` (follow-ups, reminders, announcements: waves that may hold
100,000 rows). Within a chat, its chat-lane rows go first, then its bulk rows; each lane in
``id`` order.

Threads: rows may name a ``thread`` (a conversation inside the chat, e.g. one case in a
volunteer's chat). The sender serves a chat's threads round robin, keeps each thread in
``id`` order, and may merge consecutive plain texts of one thread into one message, so one
busy conversation cannot hold up the others of the same chat. Rows without a thread form one
thread of their own.

The package's modules, one job each (every name stays importable from here):
:mod:`.rows` (the row, its constants, reading one), :mod:`.enqueue` (queueing calls),
:mod:`.heads` (the sender's queries), :mod:`.results` (recording outcomes), :mod:`.refs`
(rows by ref), :mod:`.chats` (blocked chats, erasure, retention).
"""

from bot.storage.outbox.chats import (
    block_chat,
    erase_chat,
    erase_mentioning,
    first_of_chat,
    is_blocked,
    pending_ephemeral,
    prune,
    unblock_chat,
)
from bot.storage.outbox.enqueue import enqueue, enqueue_many
from bot.storage.outbox.heads import (
    due_heads,
    head,
    heads,
    next_bulk,
    next_bulk_due,
    pending_for_chat,
)
from bot.storage.outbox.refs import all_by_ref, drop_pending, find_by_ref, ref_of_message
from bot.storage.outbox.results import (
    mark_failed,
    mark_failed_many,
    mark_sent,
    mark_sent_many,
    postpone,
    retry_at,
)
from bot.storage.outbox.rows import (
    BLOCKED,
    BULK_POSTED,
    EPHEMERAL,
    LANES,
    SIGNAL,
    NewRow,
    OutboxRow,
    get,
)

__all__ = [
    "BLOCKED", "BULK_POSTED", "EPHEMERAL", "LANES", "SIGNAL", "NewRow", "OutboxRow",
    "all_by_ref", "block_chat", "drop_pending", "due_heads", "enqueue", "enqueue_many",
    "erase_chat", "erase_mentioning", "find_by_ref", "first_of_chat", "get", "head", "heads",
    "is_blocked", "mark_failed", "mark_failed_many", "mark_sent", "mark_sent_many",
    "next_bulk", "next_bulk_due", "pending_ephemeral", "pending_for_chat", "postpone", "prune",
    "ref_of_message", "retry_at", "unblock_chat",
]
