"""Token buckets that keep the sender under Telegram's flood limits.

Why: Telegram answers bursts with 429 and a ``retry_after`` that can grow to minutes; staying
under its limits (about 30 messages per second overall, about one per second per chat) is
cheaper than recovering from them. The clock is injected so the arithmetic is tested without
sleeping.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

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

    def is_full(self, now: float) -> bool:
        self._refill(now)
        return self.tokens >= self.capacity


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

    async def acquire(self, chat_id: int | None) -> None:
        """Wait until a message to ``chat_id`` may be sent, and count it."""
        while (wait := self.reserve(chat_id)) > 0:
            await asyncio.sleep(wait)

    def _chat_bucket(self, chat_id: int | None, now: float) -> TokenBucket | None:
        if chat_id is None:
            return None
        bucket = self._chats.get(chat_id)
        if bucket is None:
            if len(self._chats) >= 10_000:  # forget idle chats: a full bucket is a new bucket
                self._chats = {k: b for k, b in self._chats.items() if not b.is_full(now)}
            bucket = self._chats[chat_id] = TokenBucket(self._chat_rate, self._chat_burst, now)
        return bucket
