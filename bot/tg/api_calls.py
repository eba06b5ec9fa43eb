"""Stored Bot API calls: replaying one, whether it counts against flood limits, what to keep.

Why apart from the sender: the outbox stores calls as (method, JSON params), and both the
sender and the intake's long poll call the Bot API this generic way.
"""

from __future__ import annotations

import warnings
from typing import Any

from telegram import Bot
from telegram.warnings import PTBUserWarning

from bot.tg import uploads

# Not messages: exempt from the flood-limit buckets.
_UNLIMITED = frozenset({"answerCallbackQuery", "answerInlineQuery", "sendChatAction"})
_MESSAGE_PREFIXES = ("send", "copy", "forward", "edit")


async def call_api(bot: Bot, method: str, params: dict[str, Any], **timeouts: float) -> Any:
    """``bot.do_api_request`` for stored calls, without PTB's "use Bot.send_message" warning.

    Why: the outbox stores calls as (method, JSON params), so they are replayed generically;
    PTB warns on every known method name called this way.
    """
    warnings.filterwarnings(
        "ignore", message=r"Please use 'Bot\.", category=PTBUserWarning, append=False
    )
    return await bot.do_api_request(method, api_kwargs=uploads.prepare(dict(params)), **timeouts)


def counts_as_message(method: str) -> bool:
    """Whether a call counts against the flood limits (answering a button press does not)."""
    return method not in _UNLIMITED and method.startswith(_MESSAGE_PREFIXES)


def summary(result: Any) -> Any:
    """What to keep of an API result: the message id, not the message (it holds user text)."""
    if isinstance(result, dict) and "message_id" in result:
        return {"message_id": result["message_id"]}
    return result
