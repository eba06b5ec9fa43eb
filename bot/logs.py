"""Logging that never leaks secrets: the bot token is scrubbed from every record.

python-telegram-bot and httpx log request URLs, and a Bot API URL contains the token.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
import time
from types import TracebackType

from bot.config import Settings

TOKEN_IN_TEXT = re.compile(r"\d{3,20}:[A-Za-z0-9_-]{30,60}")


class RedactSecrets(logging.Filter):
    """Replace anything shaped like a bot token (and the configured secrets) with ***."""

    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.secrets = tuple(s for s in secrets if s)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return TOKEN_IN_TEXT.sub("***", text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg, record.args = self.redact(message), None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


class DatabaseDown(logging.Filter):
    """PostgreSQL unreachable: one line per worker and message every ``quiet`` seconds,
    without a traceback (the workers retry by themselves; nothing acknowledged is lost).

    Why a filter: every worker logs its own failure with ``log.exception``; a server that is
    down would otherwise fill the log with identical tracebacks, one per poll.
    """

    def __init__(self, quiet: float = 60.0) -> None:
        super().__init__()
        self.quiet = quiet
        self._last: dict[tuple[str, str], float] = {}

    @staticmethod
    def unreachable(exc: BaseException | None) -> bool:
        return exc is not None and type(exc).__module__.startswith("psycopg") and any(
            c.__name__ in ("OperationalError", "PoolTimeout") for c in type(exc).__mro__)

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if not self.unreachable(exc):
            return True
        key = (record.name, str(record.msg))
        now = time.monotonic()
        if now - self._last.get(key, -self.quiet) < self.quiet:
            return False
        self._last[key] = now
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        record.msg = f"{record.getMessage()}: PostgreSQL unavailable ({first}); retrying"
        record.args, record.exc_info, record.exc_text = None, None, None
        return True


def setup_logging(settings: Settings) -> None:
    """Log lines to stderr with secrets scrubbed, and uncaught exceptions through the same
    filter: Python's own traceback printer would otherwise write the token (PTB's
    InvalidToken quotes it) straight to stderr."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(DatabaseDown())
    handler.addFilter(RedactSecrets((settings.bot_token, settings.webhook_secret or "")))
    uncaught = logging.getLogger("passerelle.uncaught")

    def log_uncaught(kind: type[BaseException], exc: BaseException, tb: TracebackType | None
                     ) -> None:
        uncaught.critical("uncaught %s", kind.__name__, exc_info=(kind, exc, tb))

    sys.excepthook = log_uncaught
    threading.excepthook = lambda args: log_uncaught(
        args.exc_type, args.exc_value or args.exc_type(), args.exc_traceback)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
    logging.getLogger("psycopg.pool").setLevel(logging.ERROR)  # DatabaseDown says it once
    # At DEBUG, aiosqlite logs every statement with its parameters and PTB every Bot API
    # call with its parameters and result: people's messages would reach the logs. The
    # bot's own DEBUG lines never carry them.
    for chatty in ("aiosqlite", "telegram"):
        logging.getLogger(chatty).setLevel(max(logging.INFO, root.level))
