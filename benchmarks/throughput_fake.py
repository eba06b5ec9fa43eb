"""The loopback fake Bot API of the tests, timed for `benchmarks/throughput.py`.

Why the tests' fake and not a leaner one: both bots then meet the same server, which checks
every call against the Bot API spec (a violation is reported, so the benchmark also proves
the bot stayed within the rules under load). Its per-call cost is the same for both bots
and is paid in the load generator's process, not in the bots' CPU figures.

The subclass adds one thing: a ``listener`` told, for every call addressed to a chat, when
it arrived and which pressable button it carried (the button a simulated person presses
next).
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from fakebotapi import FakeBotAPI

# Buttons that move a journey forward: a country, a procedure, a flow answer, the echo bot's.
PRESSABLE = re.compile(r"^(c:[A-Z]{2}|s:.+|f:\d+:.+|e:\d+)$")
# Calls that answer a person (everything the bots send back; getUpdates & co. are not).
_ANSWERS = ("sendMessage", "editMessageText", "editMessageReplyMarkup", "answerCallbackQuery",
            "sendVenue", "sendPhoto", "sendDocument", "sendLocation", "copyMessage",
            "deleteMessage", "sendChatAction")

# listener(chat_id, method, button or None, perf_counter at arrival); button = (message_id, data)
Listener = Callable[[int, str, tuple[int, str] | None, float], None]


class TimedFake(FakeBotAPI):
    """:class:`FakeBotAPI` that reports each answer to a chat as it arrives."""

    def __init__(self) -> None:
        super().__init__()
        self.listener: Listener | None = None
        self._query_chat: dict[str, int] = {}

    def press_button(self, user_id: int, message_id: int, data: str) -> int:
        """``press``, remembering whose query it is (answerCallbackQuery names no chat)."""
        update_id = self.press(user_id, message_id, data)
        self._query_chat[self._queue[-1]["callback_query"]["id"]] = user_id
        return update_id

    def forget_history(self) -> None:
        """Drop recorded calls between runs (the messages stay: people press on them)."""
        self.calls.clear()

    def _heard(self, method: str, params: dict[str, Any], result: Any, now: float) -> None:
        if self.listener is None:
            return
        chat = params.get("chat_id")
        if method == "answerCallbackQuery":
            chat = self._query_chat.pop(str(params.get("callback_query_id")), None)
        if not isinstance(chat, int):
            return
        button = None
        if method == "sendMessage" and isinstance(result, dict):
            button = _first_pressable(result.get("reply_markup"), int(result["message_id"]))
        self.listener(chat, method, button, now)


def _first_pressable(markup: Any, message_id: int) -> tuple[int, str] | None:
    if not isinstance(markup, dict):
        return None
    for row in markup.get("inline_keyboard") or []:
        for button in row:
            data = button.get("callback_data")
            if isinstance(data, str) and PRESSABLE.match(data):
                return message_id, data
    return None


def _timed(method: str) -> Callable[..., Any]:
    plain = getattr(FakeBotAPI, f"api_{method}")

    async def api(self: TimedFake, params: dict[str, Any]) -> Any:
        now = time.perf_counter()
        try:
            result = await plain(self, params)
        except Exception:
            self._heard(method, params, None, now)
            raise
        self._heard(method, params, result, now)
        return result

    api.__name__ = f"api_{method}"
    return api


for _method in _ANSWERS:
    setattr(TimedFake, f"api_{_method}", _timed(_method))
