"""The chats behind the fake Bot API: messages, buttons, and the methods acting on them.

Why a model and not canned replies: edits must fail the way Telegram's do ("message to edit
not found", "message is not modified"), callback answers need a real query id, and a
``click`` on a button must find the keyboard the bot really sent. Message ids count per chat,
shared by the person's and the bot's messages, as in Telegram's private chats.
"""

from __future__ import annotations

import itertools
import time
from collections import defaultdict
from typing import Any

from fakebot_limits import visible_text

BOT_USER = {
    "id": 123456789, "is_bot": True, "first_name": "Passerelle", "username": "passerelle_test_bot",
}


class ApiError(Exception):
    """An error answer: HTTP status, Telegram's description, optional ``retry_after``."""

    def __init__(self, status: int, description: str, retry_after: float | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after


class FakeChats:
    """State and Bot API methods of the fake's chats; :class:`FakeBotAPI` adds the HTTP."""

    def __init__(self) -> None:
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.users: dict[int, dict[str, Any]] = {}
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.blocked: set[int] = set()
        self._message_ids: defaultdict[int, itertools.count[int]] = defaultdict(
            lambda: itertools.count(1)
        )
        self._query_ids = itertools.count(5_000_001)
        self._open_queries: set[str] = set()

    def inject(self, content: dict[str, Any]) -> int:  # provided by FakeBotAPI
        raise NotImplementedError

    # -- people's side ------------------------------------------------------------------------
    def block(self, chat_id: int) -> None:
        """The person blocks the bot: every call to the chat gets 403 until :meth:`unblock`."""
        self.blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        self.blocked.discard(chat_id)

    def user_message(
        self, user_id: int, text: str, lang: str = "en", chat_type: str = "private", **extra: Any
    ) -> int:
        """The person writes ``text`` (a leading ``/command`` gets its entity, as in Telegram).

        ``extra``: ``chat_id`` (for groups), ``first_name``, ``username``; any other key is
        added to the message (e.g. ``reply_to_message``).
        """
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split()[0]
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return self._user_says(user_id, lang, chat_type, content, extra)

    def sticker(self, user_id: int, emoji: str = "🙂", lang: str = "en", **extra: Any) -> int:
        sticker = {"file_id": "CAACAgIAAxk-sticker", "file_unique_id": "AgADsticker",
                   "type": "regular", "width": 512, "height": 512, "is_animated": False,
                   "is_video": False, "emoji": emoji}
        return self._user_says(user_id, lang, "private", {"sticker": sticker}, extra)

    def photo(
        self, user_id: int, caption: str | None = None, lang: str = "en", **extra: Any
    ) -> int:
        content: dict[str, Any] = {"photo": _photo_sizes("user")}
        if caption is not None:
            content["caption"] = caption
        return self._user_says(user_id, lang, "private", content, extra)

    def location(
        self, user_id: int, latitude: float, longitude: float, lang: str = "en", **extra: Any
    ) -> int:
        content = {"location": {"latitude": latitude, "longitude": longitude}}
        return self._user_says(user_id, lang, "private", content, extra)

    def edited_message(self, user_id: int, message_id: int, text: str, **extra: Any) -> int:
        """The person edits their message ``message_id`` to ``text``."""
        chat_id = extra.pop("chat_id", user_id)
        message = dict(self.messages.get((chat_id, message_id)) or self._base_message(
            message_id, self._user(user_id, "en"), self._chat(chat_id)))
        message.update(text=text, edit_date=int(time.time()), **extra)
        self.messages[(chat_id, message_id)] = message
        return self.inject({"edited_message": message})

    def press(self, user_id: int, message_id: int, data: str, **extra: Any) -> int:
        """The person presses an inline button with callback ``data`` on ``message_id``."""
        chat_id = extra.pop("chat_id", user_id)
        message = self.messages.get((chat_id, message_id)) or self._base_message(
            message_id, BOT_USER, self._chat(chat_id))
        query_id = str(next(self._query_ids))
        self._open_queries.add(query_id)
        query = {"id": query_id, "from": self._user(user_id, extra.pop("lang", "en")),
                 "message": message, "chat_instance": f"ci{chat_id}", "data": data, **extra}
        return self.inject({"callback_query": query})

    def click(self, user_id: int, button_text: str, chat_id: int | None = None) -> int:
        """Press the button labelled ``button_text`` on the bot's latest message showing it."""
        chat_id = user_id if chat_id is None else chat_id
        for (chat, message_id), message in sorted(self.messages.items(), reverse=True):
            if chat != chat_id or message.get("from", {}).get("id") != BOT_USER["id"]:
                continue
            for row in message.get("reply_markup", {}).get("inline_keyboard", []):
                for button in row:
                    if button.get("text") == button_text and "callback_data" in button:
                        return self.press(user_id, message_id, button["callback_data"],
                                          chat_id=chat_id)
        raise LookupError(f"no button {button_text!r} in chat {chat_id}")

    # -- the bot's side: Bot API methods ------------------------------------------------------
    async def api_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return {**BOT_USER, "can_join_groups": True, "can_read_all_group_messages": False,
                "supports_inline_queries": False, "can_connect_to_business": False,
                "has_main_web_app": False}

    async def api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        text = visible_text(params["text"], params.get("parse_mode"))
        return self._bot_says(params, {"text": text})

    async def api_sendPhoto(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._bot_says(params, {"photo": _photo_sizes("bot"), **_caption(params)})

    async def api_sendDocument(self, params: dict[str, Any]) -> dict[str, Any]:
        document = {"file_id": "BQACAgIAAxk-document", "file_unique_id": "AgADdocument",
                    "file_name": "document.pdf", "mime_type": "application/pdf"}
        return self._bot_says(params, {"document": document, **_caption(params)})

    async def api_sendLocation(self, params: dict[str, Any]) -> dict[str, Any]:
        location = {"latitude": params["latitude"], "longitude": params["longitude"]}
        return self._bot_says(params, {"location": location})

    async def api_sendVenue(self, params: dict[str, Any]) -> dict[str, Any]:
        location = {"latitude": params["latitude"], "longitude": params["longitude"]}
        venue = {"location": location, "title": params["title"], "address": params["address"]}
        return self._bot_says(params, {"venue": venue, "location": location})

    async def api_copyMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        source = self.messages.get((params["from_chat_id"], params["message_id"]))
        if source is None:
            raise ApiError(400, "Bad Request: message to copy not found")
        keep = ("text", "photo", "document", "sticker", "location", "venue", "caption")
        copied = self._bot_says(params, {k: v for k, v in source.items() if k in keep})
        return {"message_id": copied["message_id"]}

    async def api_editMessageText(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        if "inline_message_id" in params:
            return True
        message = self._editable(params)
        text = visible_text(params.get("text", ""), params.get("parse_mode"))
        markup = params.get("reply_markup")
        if message.get("text") == text and message.get("reply_markup") == markup:
            raise ApiError(400, "Bad Request: message is not modified: specified new message"
                           " content and reply markup are exactly the same as a current"
                           " content and reply markup of the message")
        return self._edit(message, text=text, reply_markup=markup)

    async def api_editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        if "inline_message_id" in params:
            return True
        message = self._editable(params)
        markup = params.get("reply_markup")
        if message.get("reply_markup") == markup:
            raise ApiError(400, "Bad Request: message is not modified: specified new message"
                           " content and reply markup are exactly the same as a current"
                           " content and reply markup of the message")
        return self._edit(message, reply_markup=markup)

    async def api_deleteMessage(self, params: dict[str, Any]) -> bool:
        if self.messages.pop((params["chat_id"], params["message_id"]), None) is None:
            raise ApiError(400, "Bad Request: message to delete not found")
        return True

    async def api_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        if params["callback_query_id"] not in self._open_queries:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired"
                           " or query ID is invalid")
        self._open_queries.discard(params["callback_query_id"])
        return True

    async def api_sendChatAction(self, params: dict[str, Any]) -> bool:
        return True

    async def api_setMessageReaction(self, params: dict[str, Any]) -> bool:
        if (params["chat_id"], params["message_id"]) not in self.messages:
            raise ApiError(400, "Bad Request: message to react not found")
        return True

    async def api_setMyCommands(self, params: dict[str, Any]) -> bool:
        key = f"{params.get('scope', {}).get('type', 'default')}:{params.get('language_code', '')}"
        self.commands[key] = params["commands"]
        return True

    async def api_deleteMyCommands(self, params: dict[str, Any]) -> bool:
        key = f"{params.get('scope', {}).get('type', 'default')}:{params.get('language_code', '')}"
        self.commands.pop(key, None)
        return True

    # -- helpers ------------------------------------------------------------------------------
    def _user(self, user_id: int, lang: str, **names: Any) -> dict[str, Any]:
        user = self.users.setdefault(
            user_id, {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}
        )
        user["language_code"] = lang
        user.update({k: v for k, v in names.items() if v is not None})
        return dict(user)

    def _chat(self, chat_id: int) -> dict[str, Any]:
        if chat_id > 0:
            first_name = self.users.get(chat_id, {}).get("first_name", f"User{chat_id}")
            return {"id": chat_id, "type": "private", "first_name": first_name}
        kind = "supergroup" if str(chat_id).startswith("-100") else "group"
        return {"id": chat_id, "type": kind, "title": f"Group {chat_id}"}

    def _base_message(
        self, message_id: int, sender: dict[str, Any], chat: dict[str, Any]
    ) -> dict[str, Any]:
        return {"message_id": message_id, "from": sender, "chat": chat, "date": int(time.time())}

    def _new_message(self, chat_id: int, sender: dict[str, Any], content: dict[str, Any]):
        message_id = next(self._message_ids[chat_id])
        message = {**self._base_message(message_id, sender, self._chat(chat_id)), **content}
        self.messages[(chat_id, message_id)] = message
        return message

    def _user_says(self, user_id: int, lang: str, chat_type: str, content: dict[str, Any],
                   extra: dict[str, Any]) -> int:
        default_chat = user_id if chat_type == "private" else int(f"-100{user_id}")
        chat_id = extra.pop("chat_id", default_chat)
        sender = self._user(user_id, lang, first_name=extra.pop("first_name", None),
                            username=extra.pop("username", None))
        message = self._new_message(chat_id, sender, {**content, **extra})
        return self.inject({"message": message})

    def _bot_says(self, params: dict[str, Any], content: dict[str, Any]) -> dict[str, Any]:
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            content["reply_markup"] = markup  # Telegram echoes inline keyboards only
        return dict(self._new_message(int(params["chat_id"]), BOT_USER, content))

    def _editable(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self.messages.get((params.get("chat_id"), params.get("message_id")))
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if message.get("from", {}).get("id") != BOT_USER["id"]:
            raise ApiError(400, "Bad Request: message can't be edited")
        return message

    def _edit(self, message: dict[str, Any], **changes: Any) -> dict[str, Any]:
        for key, value in changes.items():
            if value is None:
                message.pop(key, None)
            else:
                message[key] = value
        message["edit_date"] = int(time.time())
        return dict(message)


def _photo_sizes(tag: str) -> list[dict[str, Any]]:
    return [{"file_id": f"AgACAgIAAxk-{tag}-{size}", "file_unique_id": f"AQAD{tag}{size}",
             "width": size, "height": size, "file_size": size * 40} for size in (90, 320, 800)]


def _caption(params: dict[str, Any]) -> dict[str, Any]:
    if "caption" not in params:
        return {}
    return {"caption": visible_text(params["caption"], params.get("parse_mode"))}
