"""The unit of work of one update: its transaction and the Bot API calls it wants made.

Why: handlers never call the Bot API. They read and write through ``current_turn().tx`` and
queue output with ``current_turn().send(...)``; the dispatcher writes the queued calls to the
outbox in the same transaction that marks the update done. So an update is either fully
handled (state saved *and* replies queued) or not at all, and replies survive a crash.

The turn is found through a :class:`contextvars.ContextVar` because python-telegram-bot calls
handlers with ``(update, context)`` only; blocking handlers run in the dispatcher's task, so
they see the turn it bound.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import Any

from telegram import TelegramObject

from bot.storage import outbox
from bot.storage.db import Tx

# Methods whose chat is named by ``chat_id``: send() fills it in from the turn's chat when the
# caller left it out. (editMessage* on an inline message uses inline_message_id instead.)
_CHAT_PREFIXES = (
    "send",
    "copyMessage",
    "forwardMessage",
    "editMessage",
    "deleteMessage",
    "pinChatMessage",
    "unpinChatMessage",
    "stopPoll",
    "stopMessageLiveLocation",
)


@dataclass(frozen=True)
class Outgoing:
    """One queued Bot API call, written to the outbox when the turn commits."""

    chat_id: int | None
    method: str
    params: dict[str, Any]
    ref: str | None = None
    lane: str = "chat"
    thread: str | None = None


@dataclass
class Turn:
    """The processing of one update: ``tx`` is open for the whole turn."""

    tx: Tx
    update_id: int
    chat_id: int | None
    outgoing: list[Outgoing] = field(default_factory=list)
    error: BaseException | None = None  # set when a handler raised (PTB swallows it)
    closed: bool = False
    # Chats that asked to be forgotten in this turn: the calls queued for them leave no
    # trace once delivered (outbox.EPHEMERAL).
    forgotten: set[int] = field(default_factory=set)

    def send(
        self,
        method: str,
        params: dict[str, Any],
        *,
        ref: str | None = None,
        chat_id: int | None = None,
        lane: str = "chat",
        thread: str | None = None,
    ) -> None:
        """Queue a Bot API call (e.g. ``"sendMessage"``); delivered after the turn commits.

        ``chat_id`` (default: ``params["chat_id"]``, else the turn's chat) orders delivery:
        one chat's calls go out in the order they were queued. ``params`` may hold PTB
        objects (e.g. an ``InlineKeyboardMarkup``); they are stored as JSON right away, so a
        value that cannot be serialised fails here, in the handler, not later in the sender.
        ``lane`` and ``thread``: see :mod:`bot.storage.outbox`.
        """
        if self.closed:
            raise RuntimeError("this turn is over: send() from a blocking handler only")
        data = json.loads(json.dumps(params, default=_to_json, ensure_ascii=False))
        if chat_id is None:
            given = data.get("chat_id")
            chat_id = given if isinstance(given, int) else self.chat_id
        if chat_id in self.forgotten:
            ref = outbox.EPHEMERAL
        if (
            "chat_id" not in data
            and "inline_message_id" not in data
            and chat_id is not None
            and method.startswith(_CHAT_PREFIXES)
        ):
            data["chat_id"] = chat_id
        self.outgoing.append(Outgoing(chat_id, method, data, ref, lane, thread))

    async def flush(self) -> list[int]:
        """Write the queued calls to the outbox (inside ``tx``); return their row ids.

        All in one statement: the turn holds the database's only writer meanwhile.
        """
        ids = await outbox.enqueue_many(
            self.tx, [outbox.NewRow(out.chat_id, out.method, out.params, out.ref, None,
                                    out.lane, out.thread) for out in self.outgoing])
        self.outgoing.clear()
        return ids

    def forget_chat(self, chat_id: int) -> None:
        """The chat asked to be forgotten: what this turn sends it (already queued or not)
        leaves no trace once delivered (``outbox.EPHEMERAL``)."""
        self.forgotten.add(chat_id)
        self.outgoing = [replace(out, ref=outbox.EPHEMERAL) if out.chat_id == chat_id else out
                         for out in self.outgoing]


_current: ContextVar[Turn | None] = ContextVar("passerelle_turn", default=None)


def current_turn() -> Turn:
    """The turn being processed; raises :class:`RuntimeError` outside one."""
    turn = _current.get()
    if turn is None or turn.closed:
        raise RuntimeError("no turn in progress: handlers must run through the Dispatcher")
    return turn


@contextmanager
def bind(turn: Turn) -> Iterator[Turn]:
    """Make ``turn`` the current turn for the block; close it on the way out."""
    token = _current.set(turn)
    try:
        yield turn
    finally:
        turn.closed = True
        _current.reset(token)


def _to_json(value: object) -> object:
    if isinstance(value, TelegramObject):
        return value.to_dict()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
