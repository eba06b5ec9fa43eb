"""When to try a Bot API call again: Telegram's ``retry_after``, else exponential backoff.

Why a policy of its own: the sender retries flood limits and outages, the intake's long
poll honours ``retry_after`` too; the delays are tuned here, not in the delivery code.
"""

from __future__ import annotations

import datetime as dtm
import random
import warnings

from telegram.error import RetryAfter
from telegram.warnings import PTBDeprecationWarning


def retry_after_seconds(exc: RetryAfter) -> float:
    """``exc.retry_after`` in seconds, whether PTB gives an int or a timedelta."""
    with warnings.catch_warnings():  # no await inside: safe with asyncio
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


class Backoff:
    """Delay before retry number ``attempt`` after a timeout or a server error.

    1, 2, 4… × ``base`` seconds, capped at ``cap``, with equal jitter (half fixed, half
    random) so chats that failed together during an outage do not all retry together.
    """

    def __init__(self, base: float = 1.0, cap: float = 60.0,
                 rng: random.Random | None = None) -> None:
        self._base = base
        self._cap = cap
        self._rng = rng or random.Random()

    def __call__(self, attempt: int) -> float:
        delay = min(self._cap, self._base * 2 ** max(0, attempt - 1))
        return delay / 2 + self._rng.uniform(0, delay / 2)
