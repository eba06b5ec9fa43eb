"""Saying why Telegram cannot be reached, in one line that names no secret.

Why: the Bot API URL holds the token (``https://api.telegram.org/bot<token>/getMe``), and the
exceptions of HTTP clients often quote the URL. What an operator needs is the host, the
reason (refused, DNS, timeout) and when the next try comes; never the token.
"""

from __future__ import annotations

import random
from urllib.parse import urlsplit

from telegram.error import NetworkError, TimedOut

from bot.logs import TOKEN_IN_TEXT

RETRY_FIRST_S = 1.0
RETRY_CAP_S = 60.0


def api_host(api_url: str) -> str:
    """`scheme://host[:port]` of the Bot API base URL: enough to act on, nothing secret."""
    parts = urlsplit(api_url)
    return f"{parts.scheme}://{parts.netloc}"


def network_reason(exc: NetworkError) -> str:
    """A short reason for a failed call, with anything shaped like a token scrubbed."""
    if isinstance(exc, TimedOut):
        return "timed out"
    reason = str(exc.message if hasattr(exc, "message") else exc) or type(exc).__name__
    return TOKEN_IN_TEXT.sub("***", reason)


def retry_delay(attempt: int, *, jitter: bool = True) -> float:
    """Exponential backoff (1, 2, 4 … 60 s) with ±25% jitter, so restarted bots do not
    knock on Telegram's door in step."""
    delay = min(RETRY_CAP_S, RETRY_FIRST_S * 2 ** (attempt - 1))
    return delay * random.uniform(0.75, 1.25) if jitter else delay
