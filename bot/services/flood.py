"""Who is flooding the bot: a per-chat budget of updates, a slow-down, and one notice.

Why: one person who sends hundreds of messages (a stuck key, a paste split into lines, a
bored teenager) must not take the volunteers' attention or the bot's flood budget from
everyone else, and must lose nothing either. Each chat may send ``burst`` updates at once,
then ``rate`` per second; beyond that its updates wait in the inbox (stored, acknowledged to
Telegram, handled in order) and are handled at ``rate``. The first time a chat is slowed
down it gets one polite notice; it may get another only after a quiet spell (its budget is
full again). Other chats are not touched: each chat waits in its own lane.

Telegram-free and clock-injected, so the rules are tested without sleeping.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

Clock = Callable[[], float]


@dataclass(frozen=True)
class Verdict:
    wait: float  # seconds before the chat's next update may be handled (0: now, counted)
    notice: bool = False  # tell the person (once per flood)


@dataclass
class _Budget:
    tokens: float
    stamp: float
    noticed: bool = False


class FloodGuard:
    """The per-chat update budget; :meth:`check` before handling each update of a chat."""

    def __init__(self, burst: int = 20, rate: float = 1.0, clock: Clock = time.monotonic,
                 max_chats: int = 10_000) -> None:
        if burst < 1 or rate <= 0:
            raise ValueError("burst must be >= 1 and rate > 0")
        self.burst, self.rate = burst, rate
        self._clock = clock
        self._max_chats = max_chats
        self._chats: dict[int, _Budget] = {}

    def check(self, chat_id: int) -> Verdict:
        """Count an update of ``chat_id`` if its budget allows; else say how long to wait
        (nothing counted: ask again after waiting)."""
        now = self._clock()
        budget = self._chats.get(chat_id)
        if budget is None:
            if len(self._chats) >= self._max_chats:
                self._forget_quiet(now)
            budget = self._chats[chat_id] = _Budget(float(self.burst), now)
        budget.tokens = min(float(self.burst), budget.tokens + (now - budget.stamp) * self.rate)
        budget.stamp = now
        if budget.tokens >= self.burst:
            budget.noticed = False  # a quiet spell ends the flood
        if budget.tokens >= 1 - 1e-9:
            budget.tokens -= 1
            return Verdict(0.0)
        notice = not budget.noticed
        budget.noticed = True
        return Verdict((1 - budget.tokens) / self.rate, notice)

    def _forget_quiet(self, now: float) -> None:
        """Drop chats whose budget is full again (they are new chats for the rules)."""
        self._chats = {
            chat: b for chat, b in self._chats.items()
            if b.tokens + (now - b.stamp) * self.rate < self.burst
        }
