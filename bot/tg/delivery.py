"""One message's delivery: the Bot API call and what its outcome means for the row.

How each outcome is treated:

* success → ``sent``, with the new message's id in ``result`` (so it can be edited later);
* ``RetryAfter`` → retried at ``now + retry_after``;
* ``TimedOut`` / ``NetworkError`` (including 5xx) → retried after 1, 2, 4… s (capped, jittered:
  :class:`bot.tg.retry_policy.Backoff`);
* ``Forbidden`` (the person blocked the bot) → the chat is marked blocked, its pending rows are
  dropped and ``on_blocked(chat_id)`` is called: no retry storm against a closed door;
* ``BadRequest`` "message is not modified" → counts as sent;
* ``BadRequest`` on ``editMessageText`` because the message is gone or too old → the same text
  is sent as a new message;
* a refused token (401, whatever PTB calls it) → left pending (due a few seconds later,
  no attempt counted): the runtime stops, and the message goes after a restart;
* any other error → ``failed`` (logged with the method and Telegram's description only).

Why apart from the sender's loop: the loop decides which chat and which rows go next; this
module decides what one attempt means, and is the only place that calls Telegram for it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import InitVar, dataclass, field
from typing import Any

from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from bot.ops import metrics
from bot.storage import outbox
from bot.storage.db import Database
from bot.storage.outbox import OutboxRow
from bot.tg import delivery_plan
from bot.tg.api_calls import call_api, counts_as_message, summary
from bot.tg.api_status import is_token_refusal
from bot.tg.connectivity import api_host, network_reason
from bot.tg.delivery_commit import OutcomeCommit
from bot.tg.ratelimit import RateLimiter
from bot.tg.retry_policy import Backoff, retry_after_seconds

log = logging.getLogger("bot.tg.sender")  # the sender's log, whichever module writes it

BlockedHook = Callable[[int], Awaitable[None]]
TOKEN_REFUSED_DELAY_S = 5.0  # a refused token stops the bot; the row is due soon after a restart

_EDIT_GONE = ("message to edit not found", "message can't be edited")
_RESEND_KEYS = ("business_connection_id", "chat_id", "text", "parse_mode", "entities",
                "link_preview_options", "reply_markup")


@dataclass(kw_only=True, eq=False)
class Courier:
    """Delivers one message (one row, or several merged) within the flood limits."""

    bot: Bot
    db: Database
    limiter: RateLimiter
    outcomes: OutcomeCommit  # where final outcomes go (the group commit)
    backoff: Backoff
    clock: Callable[[], float]
    on_blocked: BlockedHook | None
    max_in_flight: InitVar[int]  # calls on the wire at once
    _in_flight: asyncio.Semaphore = field(init=False)
    _turn_of: dict[int, float] = field(init=False, default_factory=dict)  # chat -> created_at

    def __post_init__(self, max_in_flight: int) -> None:
        self._in_flight = asyncio.Semaphore(max_in_flight)

    async def deliver(self, unit: list[OutboxRow], unsaved: list[asyncio.Future[None]],
                      counted: bool = False) -> bool:
        """Try one message (one row, or several merged); True if it reached a final state
        (the chat's next row may go). ``counted``: its flood-limit slot is already taken.

        Final outcomes are handed to the group commit; their futures go to ``unsaved``.
        """
        row = unit[0]
        first = self.opens_turn(row)
        if counts_as_message(row.method) and not counted:
            await self.limiter.acquire(row.chat_id, first=first, lane=row.lane)
        try:
            async with self._in_flight:
                result = await self._call(row, delivery_plan.merged_params(unit))
        except RetryAfter as exc:
            metrics.RATE_LIMITED.inc()
            delay = retry_after_seconds(exc)
            await self._retry(row, delay, f"RetryAfter: {delay:g}s")
            return False
        except Forbidden as exc:
            if row.chat_id is None:
                unsaved.append(self._fail(row, exc))
                return True
            await self._blocked(row.chat_id)
            return False
        except BadRequest as exc:
            if len(unit) > 1:  # Telegram refused the merged text: each row on its own
                for single in unit:
                    if not await self.deliver([single], unsaved):
                        return False
                return True
            if "message is not modified" in exc.message.lower():
                unsaved.append(self.outcomes.add(sent=(row.id, {"not_modified": True})))
                return True
            unsaved.append(self._fail(row, exc))
            return True
        except NetworkError as exc:  # TimedOut, 5xx, connection errors (BadRequest is above)
            reason = f"{api_host(self.bot.base_url)}: {network_reason(exc)}"
            await self._retry(row, self.backoff(row.attempts + 1), reason)
            return False
        except Exception as exc:  # ChatMigrated, bad params: retrying won't help
            if is_token_refusal(exc):  # the runtime stops; the row waits for a new token
                await self._postpone(row)
                return False
            unsaved.append(self._fail(row, exc))
            return True
        unsaved.append(self.outcomes.add(sent=(row.id, result)))
        for merged in unit[1:]:  # each merged row maps to the one message (replies find it)
            extra = {**result, "merged_into": row.id} if isinstance(result, dict) else result
            unsaved.append(self.outcomes.add(sent=(merged.id, extra)))
        return True

    def opens_turn(self, row: OutboxRow) -> bool:
        """Whether ``row`` is the first call a turn queued for its chat (its first answer).

        A turn's calls share their ``created_at`` (queued in one statement), so a change of
        ``created_at`` within a chat's lane is a new turn. The rate limiter lets first
        answers go ahead of the rest when the flood limits make messages wait.
        """
        if row.chat_id is None:
            return False
        if len(self._turn_of) >= 10_000:
            self._turn_of.clear()
        previous = self._turn_of.get(row.chat_id)
        self._turn_of[row.chat_id] = row.created_at
        return previous != row.created_at

    async def _call(self, row: OutboxRow, params: dict[str, Any]) -> Any:
        try:
            return summary(await call_api(self.bot, row.method, params))
        except BadRequest as exc:
            text = exc.message.lower()
            if row.method != "editMessageText" or not any(s in text for s in _EDIT_GONE):
                raise
            params = {k: row.params[k] for k in _RESEND_KEYS if k in row.params}
            if "chat_id" not in params or "text" not in params:
                raise
            log.info("sender: outbox row %s: edit impossible, sending a new message", row.id)
            result = summary(await call_api(self.bot, "sendMessage", params))
            return {**result, "fallback": "sendMessage"} if isinstance(result, dict) else result

    async def _retry(self, row: OutboxRow, delay: float, error: str) -> None:
        log.warning("sender: %s (outbox row %s) retried in %.1fs: %s",
                    row.method, row.id, delay, error)
        async with self.db.transaction() as tx:
            await outbox.retry_at(tx, row.id, self.clock() + delay, error)

    async def _postpone(self, row: OutboxRow) -> None:
        """Keep the row pending, untouched but for a short delay (no spin until the stop):
        an authorisation error is never a reason to give up a message."""
        async with self.db.transaction() as tx:
            await outbox.postpone(tx, row.id, self.clock() + TOKEN_REFUSED_DELAY_S)

    def _fail(self, row: OutboxRow, exc: Exception) -> asyncio.Future[None]:
        error = f"{type(exc).__name__}: {getattr(exc, 'message', exc)}"
        log.error("sender: %s failed: %s", row.method, error)
        return self.outcomes.add(failed=(row.id, error))

    async def _blocked(self, chat_id: int) -> None:
        async with self.db.transaction() as tx:
            dropped = await outbox.block_chat(tx, chat_id)
        log.info("sender: chat %s blocked the bot; %d queued calls dropped", chat_id, dropped)
        if self.on_blocked is not None:
            try:
                await self.on_blocked(chat_id)
            except Exception:
                log.exception("sender: on_blocked hook failed")
