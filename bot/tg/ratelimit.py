"""Token buckets that keep the sender under Telegram's flood limits, shared fairly.

Why: Telegram answers bursts with 429 and a ``retry_after`` that can grow to minutes; staying
under its limits (about 30 messages per second overall, about one per second per chat) is
cheaper than recovering from them. The clock is injected so the arithmetic is tested without
sleeping.

When more is queued than the limits let through, someone waits; :meth:`RateLimiter.acquire`
decides who:

* first the messages that are the *first* answer to something a person did (``first=True``,
  e.g. the greeting after /start), oldest first: everyone gets a sign of life promptly;
* then the others, least recently served chat first (round robin across chats, so one chat
  with many queued messages cannot hold up the others).

First answers can only hold the others back while they alone exceed the global rate, and
then nothing could keep up anyway. One task hands out the tokens, so waiting costs nothing
per waiter (no crowd of sleeping lanes waking up to retry).
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field

Clock = Callable[[], float]


class TokenBucket:
    """``rate`` tokens per second, holding at most ``capacity`` (the burst)."""

    def __init__(self, rate: float, capacity: float, now: float) -> None:
        if rate <= 0 or capacity < 1:
            raise ValueError("rate must be > 0 and capacity >= 1")
        self.rate = rate
        self.capacity = capacity
        self.tokens = capacity
        self.stamp = now
        self.served_at: float | None = None  # when a token was last taken

    def _refill(self, now: float) -> None:
        if now > self.stamp:
            self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now

    def wait_time(self, now: float) -> float:
        """Seconds until one token is available (0 if one is available now)."""
        self._refill(now)
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self, now: float) -> None:
        self._refill(now)
        self.tokens -= 1
        self.served_at = now

    def is_full(self, now: float) -> bool:
        self._refill(now)
        return self.tokens >= self.capacity


@dataclass(order=True)
class _Waiter:
    rank: int  # 0: a first answer, 1: the rest
    priority: float  # first answers: when they asked; the rest: when the chat was last served
    seq: int
    chat_id: int | None = field(compare=False)
    future: asyncio.Future[None] = field(compare=False)


class RateLimiter:
    """A global bucket plus one bucket per chat; a message needs a token from both."""

    def __init__(
        self,
        global_rate: float = 30.0,
        chat_rate: float = 1.0,
        chat_burst: int = 3,
        clock: Clock = time.monotonic,
    ) -> None:
        self._clock = clock
        self._chat_rate = chat_rate
        self._chat_burst = chat_burst
        self._global = TokenBucket(global_rate, max(1.0, global_rate), clock())
        self._chats: dict[int, TokenBucket] = {}
        self._waiting: list[_Waiter] = []
        self._seq = itertools.count()
        self._changed = asyncio.Event()
        self._pump: asyncio.Task[None] | None = None

    def reserve(self, chat_id: int | None) -> float:
        """Take a token for ``chat_id`` and return 0, or return how long to wait (nothing taken)."""
        now = self._clock()
        chat = self._chat_bucket(chat_id, now)
        wait = max(self._global.wait_time(now), chat.wait_time(now) if chat else 0.0)
        if wait > 0:
            return wait
        self._global.take(now)
        if chat is not None:
            chat.take(now)
        return 0.0

    async def acquire(self, chat_id: int | None, *, first: bool = False) -> None:
        """Wait until a message to ``chat_id`` may be sent, and count it.

        ``first``: the message is the first answer to something the person just did.
        """
        if not self._waiting and self.reserve(chat_id) == 0:
            return  # nobody is queued and both buckets have a token: no turn to wait for
        rank, priority = (0, self._clock()) if first else (1, self._served_at(chat_id))
        waiter = _Waiter(rank, priority, next(self._seq), chat_id,
                         asyncio.get_running_loop().create_future())
        heapq.heappush(self._waiting, waiter)
        if self._pump is None or self._pump.done():
            self._pump = asyncio.create_task(self._hand_out(), name="rate-limiter")
        self._changed.set()
        try:
            await waiter.future
        except asyncio.CancelledError:
            self._changed.set()  # let the pump drop it (and stop when nobody is left)
            raise

    def _served_at(self, chat_id: int | None) -> float:
        bucket = self._chats.get(chat_id) if chat_id is not None else None
        if bucket is None or bucket.served_at is None:
            return float("-inf")  # never served (or long enough ago to be forgotten)
        return bucket.served_at

    async def _hand_out(self) -> None:
        """Give each token to the best waiter whose chat may receive a message now."""
        while self._waiting:
            self._changed.clear()
            now = self._clock()
            wait = self._global.wait_time(now)
            if wait == 0:
                wait = self._grant(now)
            if wait > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), wait)

    def _grant(self, now: float) -> float:
        """Serve one waiter if one can go; else return how long until one could (inf: none)."""
        held: list[_Waiter] = []
        soonest = float("inf")
        try:
            while self._waiting:
                waiter = heapq.heappop(self._waiting)
                if waiter.future.done():  # cancelled meanwhile
                    continue
                chat = self._chat_bucket(waiter.chat_id, now)
                chat_wait = chat.wait_time(now) if chat is not None else 0.0
                if chat_wait > 0:
                    held.append(waiter)
                    soonest = min(soonest, chat_wait)
                    continue
                self._global.take(now)
                if chat is not None:
                    chat.take(now)
                waiter.future.set_result(None)
                return 0.0
            return soonest if held else 0.0
        finally:
            for waiter in held:
                heapq.heappush(self._waiting, waiter)

    def _chat_bucket(self, chat_id: int | None, now: float) -> TokenBucket | None:
        if chat_id is None:
            return None
        bucket = self._chats.get(chat_id)
        if bucket is None:
            if len(self._chats) >= 10_000:  # forget idle chats: a full bucket is a new bucket
                self._chats = {k: b for k, b in self._chats.items() if not b.is_full(now)}
            bucket = self._chats[chat_id] = TokenBucket(self._chat_rate, self._chat_burst, now)
        return bucket
