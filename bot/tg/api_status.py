"""What the bot last heard from the Bot API: when it last answered, why it failed, whether
it refused the token.

Why one object fed by the transport: python-telegram-bot names a refused token differently
depending on the call (``InvalidToken`` for getMe at start, ``EndPointNotFound`` for the
calls the outbox replays through ``do_api_request`` once the bot is initialised), so code
that catches "InvalidToken" misses a token revoked while running. The HTTP status does not
lie: the transport (:class:`bot.tg.transport.AiohttpRequest`) reports every answer here and
raises :class:`TokenRefused` for a 401, whatever the method. Health (``/healthz``, the
``passerelle_last_api_success_timestamp_seconds`` metric) reads the same object, so it tells
the truth about Telegram instead of about the database only.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from telegram.error import EndPointNotFound, InvalidToken, TelegramError

from bot.ops import metrics

log = logging.getLogger(__name__)

REFUSED_LINE = "Telegram refused the token: get a new one from @BotFather"


class TokenRefused(TelegramError):
    """Telegram answered 401 Unauthorized: the token was revoked or is wrong.

    Not a subclass of ``InvalidToken`` on purpose: PTB's ``do_api_request`` turns an
    ``InvalidToken`` into ``EndPointNotFound``; this one reaches the caller as it is.
    """

    def __init__(self, message: str = "Unauthorized") -> None:
        super().__init__(message)


def is_token_refusal(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) means Telegram refused the token.

    Also for bots built on PTB's own transport: a 401 becomes ``InvalidToken("Unauthorized")``,
    wrapped in ``EndPointNotFound`` once the bot is initialised.
    """
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, TokenRefused):
            return True
        if isinstance(seen, InvalidToken) and "unauthorized" in str(seen).lower():
            return True
        if not isinstance(seen, (EndPointNotFound, InvalidToken)):
            return False
        seen = seen.__cause__
    return False


@dataclass
class ApiStatus:
    """Last answer, last failure and a refused token, as seen by the transport."""

    host: str = ""
    clock: Callable[[], float] = time.time
    last_success: float | None = None  # Unix time of the last 2xx answer
    last_error: str | None = None  # why the last call failed (no secret), None after success
    failing_since: float | None = None
    refused: asyncio.Event = field(default_factory=asyncio.Event)

    def answered(self, status: int) -> None:
        """The Bot API answered ``status``; 2xx counts as success, 401 as a refused token."""
        if 200 <= status <= 299:
            now = self.clock()
            self.last_success = now
            if self.last_error is not None:
                log.info("the Telegram Bot API at %s answers again", self.host)
            self.last_error = None
            self.failing_since = None
            metrics.LAST_API_SUCCESS.set(now)
        elif status == 401:
            if not self.refused.is_set():
                log.critical(REFUSED_LINE)
            self.refused.set()
        elif status >= 500:
            self.failed(f"HTTP {status}")

    def failed(self, reason: str) -> None:
        """A call could not reach the Bot API (``reason`` names no secret)."""
        if self.last_error is None:
            self.failing_since = self.clock()
            if self.last_success is not None:  # during a run (at start, the runtime says it)
                log.error("cannot reach the Telegram Bot API at %s (%s); retrying",
                          self.host, reason)
        self.last_error = reason

    def stale_reason(self, stale_after: float, started_at: float) -> str | None:
        """Why the Bot API counts as unhealthy now, or None when it answered recently."""
        if self.refused.is_set():
            return "Telegram refused the token"
        now = self.clock()
        last = self.last_success
        if last is None:
            if self.last_error is not None:
                return f"the Bot API at {self.host} was never reached ({self.last_error})"
            last = started_at
        age = now - last
        if age <= stale_after:
            return None
        cause = f": {self.last_error}" if self.last_error else ""
        return (f"no successful Bot API call to {self.host} for {age:.0f} s "
                f"(HEALTH_STALE_SECONDS={stale_after:g}){cause}")
