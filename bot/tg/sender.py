"""Delivers outbox rows to the Bot API: in order per chat, within flood limits, retried.

Why: every message the bot owes someone is in the outbox until Telegram has it. Each chat is a
lane that sends its rows strictly in ``id`` order: a row that cannot go yet (flood limit,
Telegram down) holds back the chat's later rows, so nobody receives answers before questions.
Different chats proceed side by side.

How each outcome is treated:

* success → ``sent``, with the new message's id in ``result`` (so it can be edited later);
* ``RetryAfter`` → retried at ``now + retry_after``;
* ``TimedOut`` / ``NetworkError`` (including 5xx) → retried after 1, 2, 4… s (capped, jittered);
* ``Forbidden`` (the person blocked the bot) → the chat is marked blocked, its pending rows are
  dropped and ``on_blocked(chat_id)`` is called: no retry storm against a closed door;
* ``BadRequest`` "message is not modified" → counts as sent;
* ``BadRequest`` on ``editMessageText`` because the message is gone or too old → the same text
  is sent as a new message;
* any other error → ``failed`` (logged with the method and Telegram's description only).

Delivery is at least once: if the process dies between Telegram's answer and the ``sent``
mark, the row is sent again after restart.

Cheap under load: a lane reads its chat's next rows in one query and delivers them; their
outcomes are written together with those of the other lanes (one transaction for every row
delivered meanwhile), and the lane waits for them before it reads again, so a delivered row
is never read as pending. At most ``max_in_flight`` calls are on the wire at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import logging
import random
import time
import warnings
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.warnings import PTBDeprecationWarning, PTBUserWarning

from bot.storage import outbox
from bot.storage.db import Database
from bot.storage.outbox import OutboxRow
from bot.tg import uploads
from bot.tg.ratelimit import RateLimiter

log = logging.getLogger(__name__)

BlockedHook = Callable[[int], Awaitable[None]]

# Not messages: exempt from the flood-limit buckets.
_UNLIMITED = frozenset({"answerCallbackQuery", "answerInlineQuery", "sendChatAction"})
_MESSAGE_PREFIXES = ("send", "copy", "forward", "edit")
_EDIT_GONE = ("message to edit not found", "message can't be edited")
_RESEND_KEYS = ("business_connection_id", "chat_id", "text", "parse_mode", "entities",
                "link_preview_options", "reply_markup")


async def call_api(bot: Bot, method: str, params: dict[str, Any], **timeouts: float) -> Any:
    """``bot.do_api_request`` for stored calls, without PTB's "use Bot.send_message" warning.

    Why: the outbox stores calls as (method, JSON params), so they are replayed generically;
    PTB warns on every known method name called this way.
    """
    warnings.filterwarnings(
        "ignore", message=r"Please use 'Bot\.", category=PTBUserWarning, append=False
    )
    return await bot.do_api_request(method, api_kwargs=uploads.prepare(dict(params)), **timeouts)


def counts_as_message(method: str) -> bool:
    """Whether a call counts against the flood limits (answering a button press does not)."""
    return method not in _UNLIMITED and method.startswith(_MESSAGE_PREFIXES)


def retry_after_seconds(exc: RetryAfter) -> float:
    """``exc.retry_after`` in seconds, whether PTB gives an int or a timedelta."""
    with warnings.catch_warnings():  # no await inside: safe with asyncio
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


class Sender:
    """The outbox delivery loop; ``await start()`` / ``await stop()``."""

    def __init__(
        self,
        bot: Bot,
        db: Database,
        *,
        limiter: RateLimiter | None = None,
        on_blocked: BlockedHook | None = None,
        clock: Callable[[], float] = time.time,
        backoff_base: float = 1.0,
        backoff_cap: float = 60.0,
        poll_interval: float = 30.0,
        rng: random.Random | None = None,
        max_in_flight: int = 8,
        batch: int = 20,
    ) -> None:
        self._bot = bot
        self._db = db
        self._limiter = limiter or RateLimiter()
        self._on_blocked = on_blocked
        self._clock = clock
        self._backoff_base = backoff_base
        self._backoff_cap = backoff_cap
        self._poll_interval = poll_interval
        self._rng = rng or random.Random()
        self._lanes: dict[Hashable, asyncio.Task[None]] = {}
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._in_flight = asyncio.Semaphore(max_in_flight)
        self._batch = batch
        self._outcomes = _Outcomes(db)
        self._turn_of: dict[int, float] = {}  # chat -> created_at of its latest row tried
        self._rescan: set[Hashable] = set()  # chats given new work while busy: again after
        self._scan = True  # read every head at the next wake (else: only the chats posted)

    async def start(self) -> None:
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name="sender")

    async def stop(self, grace: float = 10.0) -> None:
        """Stop; deliveries in flight get ``grace`` seconds to finish and be recorded."""
        self._stopping = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        lanes = list(self._lanes.values())
        if lanes:
            _, late = await asyncio.wait(lanes, timeout=grace)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        await self._outcomes.drain()  # outcomes of cancelled lanes are still written

    def wake(self) -> None:
        """Rescan the outbox now (writers normally wake the sender through ``tx.post``)."""
        self._scan = True
        self._db.signal(outbox.SIGNAL).set()

    async def run_once(self) -> None:
        """Deliver every row due now, then return (tests; also a manual flush)."""
        await self._start_due()
        while self._lanes:
            await asyncio.gather(*self._lanes.values(), return_exceptions=True)

    def backoff(self, attempt: int) -> float:
        """Delay before retry number ``attempt`` (1, 2, 4… × base, capped; equal jitter)."""
        delay = min(self._backoff_cap, self._backoff_base * 2 ** max(0, attempt - 1))
        return delay / 2 + self._rng.uniform(0, delay / 2)

    async def _run(self) -> None:
        """Start lanes for the chats writers post; read every head at start, when a row
        falls due, after a lane was held back, and on each poll.

        Why not read every head after every commit: under load there is one per chat
        waiting, read again for each turn that commits.
        """
        signal = self._db.signal(outbox.SIGNAL)
        self._scan, scan_at = True, 0.0
        while not self._stopping:
            signal.clear()
            fresh = self._db.take(outbox.SIGNAL)
            now = self._clock()
            try:
                if fresh is not None and not self._scan and now < scan_at:
                    self._start_chats(fresh)
                if fresh is None or self._scan or now >= scan_at:
                    self._scan = False
                    scan_at = now + await self._start_due()
            except Exception:
                log.exception("sender: reading the outbox failed")
                self._scan, scan_at = True, now + self._poll_interval
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(signal.wait(), max(0.0, scan_at - self._clock()))

    def _start_chats(self, chats: list[int | None]) -> None:
        """A lane for each chat given new rows (a chat-less row needs a full read)."""
        for chat_id in chats:
            if chat_id is None:
                self._scan = True
            elif chat_id in self._lanes:
                self._rescan.add(chat_id)
            elif not self._stopping:
                self._start_lane(chat_id, 0, chat_id)

    def _start_lane(self, key: Hashable, row_id: int, chat_id: int | None) -> None:
        self._lanes[key] = asyncio.create_task(self._lane(key, row_id, chat_id),
                                               name="sender-lane")

    async def _start_due(self) -> float:
        """Start a lane for each idle chat whose head row is due; return secs to the next due."""
        now = self._clock()
        next_due = now + self._poll_interval
        for row_id, chat_id, due_at in await outbox.due_heads(self._db):
            key: Hashable = chat_id if chat_id is not None else ("row", row_id)
            if key in self._lanes:
                self._rescan.add(key)
                continue
            if self._stopping:
                continue
            if due_at <= now:
                self._start_lane(key, row_id, chat_id)
            else:
                next_due = min(next_due, due_at)
        return max(0.0, next_due - now)

    async def _lane(self, key: Hashable, row_id: int, chat_id: int | None) -> None:
        clean = finished = False
        try:
            while (outcome := await self._deliver_due(row_id, chat_id)) == "more":
                if chat_id is None:
                    break
            finished = outcome == "done"
            clean = True
        except Exception:  # e.g. the database failed: leave the row pending, retry on poll
            log.exception("sender: lane for outbox row failed")
        finally:
            del self._lanes[key]
            busy = key in self._rescan
            self._rescan.discard(key)
            if not clean:  # no spin on a broken database: the next poll reads everything
                self._scan = True
            elif not finished:  # a row is not due yet, or waits for a retry: time it
                self.wake()
            elif busy and not self._stopping:  # rows were added while it was sending
                self._start_lane(key, row_id, chat_id)

    async def _deliver_due(self, row_id: int, chat_id: int | None) -> str:
        """Deliver the chat's due rows in order: "done" (none left when read), "more" (read
        again), or "held" (a row is not due, is waiting for a retry, or we are stopping).

        Rows are re-read (committed data) rather than taken from the scan: a lane may have
        sent them since (no double sends), and their ``due_at`` may have moved.
        """
        if chat_id is None:
            row = await outbox.get(self._db, row_id)
            rows = [row] if row is not None and row.status == "pending" else []
        else:
            rows = await outbox.pending_for_chat(self._db, chat_id, self._batch)
        unsaved: list[asyncio.Future[None]] = []
        try:
            for row in rows:
                if self._stopping or row.due_at > self._clock():
                    return "held"
                if not await self._deliver(row, unsaved):
                    return "held"
        finally:  # the next read must not see a delivered row as pending
            if unsaved:
                await asyncio.gather(*(asyncio.shield(f) for f in unsaved))
        return "more" if len(rows) == self._batch else "done"

    async def _deliver(self, row: OutboxRow, unsaved: list[asyncio.Future[None]]) -> bool:
        """Try one row; True if it reached a final state (the chat's next row may go).

        Final outcomes are handed to the group commit; their futures go to ``unsaved``.
        """
        first = self._opens_turn(row)
        if counts_as_message(row.method):
            await self._limiter.acquire(row.chat_id, first=first)
        try:
            async with self._in_flight:
                result = await self._call(row)
        except RetryAfter as exc:
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
            if "message is not modified" in exc.message.lower():
                unsaved.append(self._outcomes.add(sent=(row.id, {"not_modified": True})))
                return True
            unsaved.append(self._fail(row, exc))
            return True
        except NetworkError as exc:  # TimedOut, 5xx, connection errors (BadRequest is above)
            await self._retry(row, self.backoff(row.attempts + 1), f"{type(exc).__name__}")
            return False
        except Exception as exc:  # InvalidToken, ChatMigrated, bad params: retrying won't help
            unsaved.append(self._fail(row, exc))
            return True
        unsaved.append(self._outcomes.add(sent=(row.id, result)))
        return True

    def _opens_turn(self, row: OutboxRow) -> bool:
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

    async def _call(self, row: OutboxRow) -> Any:
        try:
            return _summary(await call_api(self._bot, row.method, row.params))
        except BadRequest as exc:
            text = exc.message.lower()
            if row.method != "editMessageText" or not any(s in text for s in _EDIT_GONE):
                raise
            params = {k: row.params[k] for k in _RESEND_KEYS if k in row.params}
            if "chat_id" not in params or "text" not in params:
                raise
            log.info("sender: outbox row %s: edit impossible, sending a new message", row.id)
            result = _summary(await call_api(self._bot, "sendMessage", params))
            return {**result, "fallback": "sendMessage"} if isinstance(result, dict) else result

    async def _retry(self, row: OutboxRow, delay: float, error: str) -> None:
        log.warning("sender: %s (outbox row %s) retried in %.1fs: %s",
                    row.method, row.id, delay, error)
        async with self._db.transaction() as tx:
            await outbox.retry_at(tx, row.id, self._clock() + delay, error)

    def _fail(self, row: OutboxRow, exc: Exception) -> asyncio.Future[None]:
        error = f"{type(exc).__name__}: {getattr(exc, 'message', exc)}"
        log.error("sender: %s failed: %s", row.method, error)
        return self._outcomes.add(failed=(row.id, error))

    async def _blocked(self, chat_id: int) -> None:
        async with self._db.transaction() as tx:
            dropped = await outbox.block_chat(tx, chat_id)
        log.info("sender: chat %s blocked the bot; %d queued calls dropped", chat_id, dropped)
        if self._on_blocked is not None:
            try:
                await self._on_blocked(chat_id)
            except Exception:
                log.exception("sender: on_blocked hook failed")


class _Outcomes:
    """Group commit of final outcomes: one transaction for the rows of all lanes.

    ``add`` returns a future set once the outcome is committed. Outcomes added while a
    transaction is being written go into the next one, so under load each transaction
    carries many rows, and an idle sender still commits a lone row at once.
    """

    def __init__(self, db: Database) -> None:
        self._db = db
        self._sent: list[tuple[int, Any]] = []
        self._failed: list[tuple[int, str]] = []
        self._waiters: list[asyncio.Future[None]] = []
        self._writer: asyncio.Task[None] | None = None

    def add(self, *, sent: tuple[int, Any] | None = None,
            failed: tuple[int, str] | None = None) -> asyncio.Future[None]:
        if sent is not None:
            self._sent.append(sent)
        if failed is not None:
            self._failed.append(failed)
        waiter = asyncio.get_running_loop().create_future()
        waiter.add_done_callback(_retrieve)  # nobody may be left to await it
        self._waiters.append(waiter)
        if self._writer is None:
            self._writer = asyncio.create_task(self._write(), name="sender-outcomes")
        return waiter

    async def drain(self) -> None:
        if self._writer is not None:
            await asyncio.gather(self._writer, return_exceptions=True)

    async def _write(self) -> None:
        try:
            while self._waiters:
                sent, failed, waiters = self._sent, self._failed, self._waiters
                self._sent, self._failed, self._waiters = [], [], []
                try:
                    async with self._db.transaction() as tx:
                        if sent:
                            await outbox.mark_sent_many(tx, sent)
                        if failed:
                            await outbox.mark_failed_many(tx, failed)
                except Exception as exc:
                    for waiter in waiters:
                        if not waiter.done():
                            waiter.set_exception(exc)
                else:
                    for waiter in waiters:
                        if not waiter.done():
                            waiter.set_result(None)
        finally:
            self._writer = None


def _retrieve(future: asyncio.Future[None]) -> None:
    if not future.cancelled():
        future.exception()


def _summary(result: Any) -> Any:
    """What to keep of an API result: the message id, not the message (it holds user text)."""
    if isinstance(result, dict) and "message_id" in result:
        return {"message_id": result["message_id"]}
    return result
