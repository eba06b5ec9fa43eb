"""Logging that never leaks secrets: the bot token is scrubbed from every record.

python-telegram-bot and httpx log request URLs, and a Bot API URL contains the token.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
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


def setup_logging(settings: Settings) -> None:
    """Log lines to stderr with secrets scrubbed, and uncaught exceptions through the same
    filter: Python's own traceback printer would otherwise write the token (PTB's
    InvalidToken quotes it) straight to stderr."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
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
    # At DEBUG, aiosqlite logs every statement with its parameters and PTB every Bot API
    # call with its parameters and result: people's messages would reach the logs. The
    # bot's own DEBUG lines never carry them.
    for chatty in ("aiosqlite", "telegram"):
        logging.getLogger(chatty).setLevel(max(logging.INFO, root.level))
