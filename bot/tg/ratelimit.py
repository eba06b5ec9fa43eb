"""Flood limits that keep the sender within Telegram's, shared fairly.

Why: Telegram answers bursts with 429 and a ``retry_after`` that can grow to minutes; staying
under its limits (30 messages per second overall, about one per second per chat, 20 per
minute in a group) is cheaper than recovering from them. The clock is injected so the
arithmetic is tested without sleeping.

The overall limit is a hard cap over a *sliding* window: at most ``global_rate`` messages in
any one-second window (plus a little margin for network jitter), whatever happened before.
A token bucket alone is not enough: a full bucket lets its whole capacity go at once on top
of the refill, about 60 messages in the first second for a bucket of 30. A small pacing
bucket (``global_burst``) spreads the messages within the window, so when the window is
full a slot frees every 1/30 s instead of thirty at the start of each second: whoever is
first in line waits at most about 33 ms for the next one.

The pacing bucket holds ``global_burst`` tokens (4: a turn's messages) while the window is
at most half full, so a bot that is not busy sends a turn's few messages at once instead of
one every 33 ms (a press answered by an edit and a new question took 33 ms more, 72 ms at
p95 for longer turns). Busier than that, the bucket holds one token: a busy bot is paced
exactly as before, and no burst piles up in front of the window (that would make a pulse of
waiting once a second). Neither ever exceeds ``global_rate`` in any one-second window.

When more is queued than the limits let through, someone waits; :meth:`RateLimiter.acquire`
decides who:

* first the messages that are the *first* answer to something a person did (``first=True``,
  e.g. the greeting after /start), oldest first: everyone gets a sign of life promptly;
* then the rest of the chat lane, least recently served chat first (round robin across
  chats, so one chat with many queued messages cannot hold up the others);
* then the bulk lane (follow-ups, reminders, announcements), the same way: a wave of
  100,000 drains at the overall limit with whatever conversations leave of it.

First answers can only hold the others back while they alone exceed the global rate, and
then nothing could keep up anyway. One task hands out the tokens, so waiting costs nothing
per waiter (no crowd of sleeping lanes waking up to retry).
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

Clock = Callable[[], float]
RANKS = {"first": 0, "chat": 1, "bulk": 2}
WINDOW_SPAN = 1.02  # "one second", with 20 ms for the jitter between our clock and Telegram's
GROUP_LIMIT, GROUP_SPAN = 20, 60.0  # messages per minute in a group or channel


class SlidingWindow:
    """At most ``limit`` grants in any ``span`` seconds (a log of the recent grants)."""

    def __init__(self, limit: int, span: float) -> None:
        if limit < 1 or span <= 0:
            raise ValueError("limit must be >= 1 and span > 0")
        self.limit = limit
        self.span = span
        self._stamps: deque[float] = deque()

    def wait_time(self, now: float) -> float:
        """Seconds until a grant fits in the window (0 if one fits now)."""
        stamps = self._stamps
        # Compared as "frees in at most 1 ns": waiting exactly the returned time must do.
        while stamps and stamps[0] + self.span - now <= 1e-9:
            stamps.popleft()
        return 0.0 if len(stamps) < self.limit else stamps[0] + self.span - now

    def take(self, now: float) -> None:
        self._stamps.append(now)

    def room(self, now: float) -> int:
        """How many more grants the window takes now."""
        self.wait_time(now)  # drops the expired ones
        return self.limit - len(self._stamps)

    def is_empty(self, now: float) -> bool:
        return self.wait_time(now) == 0 and not self._stamps


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
        if self.tokens >= 1 - 1e-9:  # rounding must not leave a wait of 1e-17 s forever
            return 0.0
        return (1 - self.tokens) / self.rate

    def take(self, now: float) -> None:
        self._refill(now)
        self.tokens -= 1
        self.served_at = now

    def is_full(self, now: float) -> bool:
        self._refill(now)
        return self.tokens >= self.capacity

    def cap(self, now: float, most: float) -> None:
        """Hold at most ``most`` tokens now (what is above is dropped, not saved)."""
        self._refill(now)
        self.tokens = min(self.tokens, most)


@dataclass(order=True)
class _Waiter:
    rank: int  # 0: a first answer, 1: the rest of the chat lane, 2: the bulk lane
    priority: float  # first answers: when they asked; the rest: when the chat was last served
    seq: int
    chat_id: int | None = field(compare=False)
    future: asyncio.Future[None] = field(compare=False)


class RateLimiter:
    """A global sliding window and pacing bucket, plus one bucket per chat (and a window
    per group); a message needs room in each."""

    def __init__(
        self,
        global_rate: float = 30.0,
        chat_rate: float = 1.0,
        chat_burst: int = 3,
        clock: Clock = time.monotonic,
        *,
        global_burst: int = 4,
        window_span: float = WINDOW_SPAN,
    ) -> None:
        self._clock = clock
        self._chat_rate = chat_rate
        self._chat_burst = chat_burst
        now = clock()
        self._window = SlidingWindow(max(1, math.floor(global_rate)), window_span)
        self._global = TokenBucket(global_rate, max(1.0, float(global_burst)), now)
        self._chats: dict[int, TokenBucket] = {}
        self._groups: dict[int, SlidingWindow] = {}
        self._waiting: list[_Waiter] = []
        self._seq = itertools.count()
        self._changed = asyncio.Event()
        self._pump: asyncio.Task[None] | None = None

    def _global_wait(self, now: float) -> float:
        window = self._window.wait_time(now)
        if window > 0:
            return window
        if self._window.room(now) * 2 < self._window.limit:  # busy: one at a time
            self._global.cap(now, 1.0)
        return self._global.wait_time(now)

    def _chat_wait(self, chat_id: int | None, now: float) -> float:
        if chat_id is None:
            return 0.0
        wait = self._chat_bucket(chat_id, now).wait_time(now)
        group = self._groups.get(chat_id)
        return max(wait, group.wait_time(now)) if group is not None else wait

    def _take(self, chat_id: int | None, now: float) -> None:
        self._window.take(now)
        self._global.take(now)
        if chat_id is not None:
            self._chat_bucket(chat_id, now).take(now)
            if chat_id < 0:  # groups, supergroups and channels have negative ids
                group = self._groups.get(chat_id)
                if group is None:
                    group = self._groups[chat_id] = SlidingWindow(GROUP_LIMIT, GROUP_SPAN)
                group.take(now)

    def reserve(self, chat_id: int | None) -> float:
        """Take a token for ``chat_id`` and return 0, or return how long to wait (nothing taken)."""
        now = self._clock()
        wait = max(self._global_wait(now), self._chat_wait(chat_id, now))
        if wait > 0:
            return wait
        self._take(chat_id, now)
        return 0.0

    async def acquire(self, chat_id: int | None, *, first: bool = False,
                      lane: str = "chat") -> None:
        """Wait until a message to ``chat_id`` may be sent, and count it.

        ``first``: the message is the first answer to something the person just did.
        ``lane``: "chat" or "bulk" (bulk waits while any chat-lane message waits).
        """
        if not self._waiting and self.reserve(chat_id) == 0:
            return  # nobody is queued and there is room: no turn to wait for
        if first and lane == "chat":
            rank, priority = RANKS["first"], self._clock()
        else:
            rank, priority = RANKS[lane], self._served_at(chat_id)
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
            wait = self._global_wait(now)
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
                chat_wait = self._chat_wait(waiter.chat_id, now)
                if chat_wait > 0:
                    held.append(waiter)
                    soonest = min(soonest, chat_wait)
                    continue
                self._take(waiter.chat_id, now)
                waiter.future.set_result(None)
                return 0.0
            return soonest if held else 0.0
        finally:
            for waiter in held:
                heapq.heappush(self._waiting, waiter)

    def _chat_bucket(self, chat_id: int, now: float) -> TokenBucket:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            if len(self._chats) >= 10_000:  # forget idle chats: a full bucket is a new bucket
                self._chats = {k: b for k, b in self._chats.items() if not b.is_full(now)}
                self._groups = {k: w for k, w in self._groups.items() if not w.is_empty(now)}
            bucket = self._chats[chat_id] = TokenBucket(self._chat_rate, self._chat_burst, now)
        return bucket
