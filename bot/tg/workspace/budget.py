"""One send budget per workspace group: about 20 calls a minute, for all its topics together.

Why on top of the global limiter: Telegram counts every call into a group (messages, topic
creation and edits) against one per-group allowance; a burst of new cases must not spend it
all on topics and leave a person's words waiting. The person's words may use the whole
window; everything else only ``limit - reserve`` of it, so words find room within seconds
even while a hundred topics are being created. ``retry_after`` pauses the group.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

from bot.tg import ratelimit


class GroupBudget:
    def __init__(self, limit: int | None = None, span: float | None = None, reserve: int = 4,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit or ratelimit.GROUP_LIMIT
        self.span = span or ratelimit.GROUP_SPAN
        self.reserve = min(reserve, self.limit - 1)
        self._clock = clock
        self._stamps: dict[int, deque[float]] = {}
        self._paused: dict[int, float] = {}

    def wait(self, chat_id: int, words: bool) -> float:
        """Seconds until a call into ``chat_id`` fits (0: now); words may use the reserve."""
        now = self._clock()
        stamps = self._stamps.setdefault(chat_id, deque())
        while stamps and stamps[0] + self.span <= now:
            stamps.popleft()
        allowed = self.limit if words else self.limit - self.reserve
        pause = max(0.0, self._paused.get(chat_id, 0.0) - now)
        if len(stamps) < allowed:
            return pause
        return max(pause, stamps[len(stamps) - allowed] + self.span - now)

    def take(self, chat_id: int) -> None:
        self._stamps.setdefault(chat_id, deque()).append(self._clock())

    def pause(self, chat_id: int, seconds: float) -> None:
        """Telegram said ``retry_after``: nothing goes into the group before then."""
        self._paused[chat_id] = max(self._paused.get(chat_id, 0.0), self._clock() + seconds)

    def seed(self, chat_id: int, ages: list[float]) -> None:
        """Calls made ``ages`` seconds ago (read from the database after a restart): a new
        process must not spend a minute's budget the previous one already spent."""
        now = self._clock()
        known = list(self._stamps.get(chat_id, ()))
        self._stamps[chat_id] = deque(sorted(
            known + [now - age for age in ages if 0 <= age < self.span]))

    def seeded(self, chat_id: int) -> bool:
        return chat_id in self._stamps

    def rename(self, old: int, new: int) -> None:
        """The group migrated to a new id: its spending follows it."""
        if old in self._stamps:
            self._stamps[new] = self._stamps.pop(old)
