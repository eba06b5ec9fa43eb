"""Forum supergroups for the fake Bot API: topics, the bot's rights, failures by thread.

Why a model: the workspace's self-repair is driven by Telegram's refusals (there is no update
for a deleted topic), so the fake must refuse the way Telegram does: a deleted topic answers
``Bad Request: message thread not found``, a closed one ``TOPIC_CLOSED``, a missing right
``not enough rights…``, a group without Topics ``the chat is not a forum``; and any failure
string can be injected for a chat or one of its threads (:meth:`FakeForums.fail_thread`).

Test-side actions: :meth:`forum` (make a forum supergroup), :meth:`delete_topic`,
:meth:`close_topic`, :meth:`set_rights`, :meth:`set_forum`, :meth:`topic_message`,
:meth:`group_command`; inspection: :attr:`topics`, :meth:`topic_of_case`, :meth:`in_topic`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from fakebot_methods import BOT_USER, ApiError

FULL_RIGHTS = {"can_manage_topics": True, "can_pin_messages": True, "can_delete_messages": True}
ICON_STICKERS = [("❓", "5377316857231450742"), ("💬", "5417915203100613993"),
                 ("⏳", "5357419403325481346"), ("✅", "5237699328843200968"),
                 ("🔥", "5312241539987020022")]


@dataclass
class Topic:
    chat_id: int
    thread_id: int
    name: str
    icon_color: int | None = None
    icon: str | None = None
    closed: bool = False
    deleted: bool = False
    pinned: list[int] = field(default_factory=list)


@dataclass
class _ThreadFault:
    chat_id: int
    thread_id: int | None
    description: str
    times: int | None  # None: until cleared


class FakeForums:
    """Mixed into :class:`fakebotapi.FakeBotAPI` before :class:`FakeChats`."""

    def __init__(self) -> None:
        super().__init__()
        self.forums: dict[int, dict[str, Any]] = {}
        self.topics: dict[tuple[int, int], Topic] = {}
        self._thread_ids = itertools.count(1001)
        self._thread_faults: list[_ThreadFault] = []

    # -- test-side ----------------------------------------------------------------------------
    def forum(self, chat_id: int, *, is_forum: bool = True, title: str = "Team",
              rights: dict[str, bool] | None = None, admins: tuple[int, ...] = ()) -> int:
        """A supergroup (``is_forum``: Topics on) where the bot is an admin with ``rights``."""
        self.forums[chat_id] = {"is_forum": is_forum, "title": title,
                                "rights": dict(FULL_RIGHTS if rights is None else rights),
                                "admins": set(admins), "bot_status": "administrator"}
        return chat_id

    def set_rights(self, chat_id: int, **rights: bool) -> None:
        self.forums[chat_id]["rights"].update(rights)

    def set_forum(self, chat_id: int, on: bool) -> None:
        self.forums[chat_id]["is_forum"] = on

    def delete_topic(self, chat_id: int, thread_id: int) -> None:
        """Someone deletes the topic by hand: no update; its messages go, later sends into
        it fail with ``Bad Request: message thread not found``."""
        self.topics[(chat_id, thread_id)].deleted = True
        for key, message in list(self.messages.items()):
            if key[0] == chat_id and message.get("message_thread_id") == thread_id:
                del self.messages[key]

    def close_topic(self, chat_id: int, thread_id: int) -> None:
        """Someone closes the topic by hand."""
        self.topics[(chat_id, thread_id)].closed = True

    def fail_thread(self, chat_id: int, description: str, thread_id: int | None = None,
                    times: int | None = 1) -> None:
        """Calls into ``chat_id`` (one thread, or all) fail with ``description``."""
        self._thread_faults.append(_ThreadFault(chat_id, thread_id, description, times))

    def topic_message(self, user_id: int, chat_id: int, thread_id: int, text: str,
                      **extra: Any) -> int:
        """A member writes in a topic (``is_topic_message``, its ``message_thread_id``)."""
        return self.user_message(user_id, text, chat_type="supergroup", chat_id=chat_id,
                                 message_thread_id=thread_id, is_topic_message=True, **extra)

    def group_command(self, user_id: int, chat_id: int, text: str,
                      thread_id: int | None = None, **extra: Any) -> int:
        if thread_id is not None:
            return self.topic_message(user_id, chat_id, thread_id, text, **extra)
        return self.user_message(user_id, text, chat_type="supergroup", chat_id=chat_id,
                                 **extra)

    def live_topics(self, chat_id: int) -> list[Topic]:
        return [t for (c, _), t in sorted(self.topics.items()) if c == chat_id and not t.deleted]

    def topic_of_case(self, chat_id: int, case_id: int) -> Topic | None:
        """The newest live topic whose name starts with ``#<case_id> ·``."""
        found = [t for t in self.live_topics(chat_id) if t.name.startswith(f"#{case_id} ·")]
        return found[-1] if found else None

    def in_topic(self, chat_id: int, thread_id: int) -> list[dict[str, Any]]:
        """The messages of a topic, oldest first."""
        return [m for (c, _), m in sorted(self.messages.items())
                if c == chat_id and m.get("message_thread_id") == thread_id]

    # -- the chat model -----------------------------------------------------------------------
    def _chat(self, chat_id: int) -> dict[str, Any]:
        chat = super()._chat(chat_id)
        forum = self.forums.get(chat_id)
        if forum is not None:
            chat.update(type="supergroup", title=forum["title"])
            if forum["is_forum"]:
                chat["is_forum"] = True
        return chat

    def _check_forum_call(self, method: str, params: dict[str, Any]) -> None:
        chat_id = params.get("chat_id")
        forum = self.forums.get(chat_id)
        if forum is None:
            return
        thread_id = params.get("message_thread_id")
        for fault in self._thread_faults:
            if fault.chat_id == chat_id and fault.thread_id in (None, thread_id):
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self._thread_faults.remove(fault)
                raise ApiError(400, fault.description)
        if thread_id is None:
            return
        if not forum["is_forum"]:
            raise ApiError(400, "Bad Request: the chat is not a forum")
        topic = self.topics.get((chat_id, thread_id))
        if topic is None or topic.deleted:
            raise ApiError(400, "Bad Request: message thread not found")
        if topic.closed and method.startswith(("send", "copy", "forward")):
            raise ApiError(400, "Bad Request: TOPIC_CLOSED")

    def _bot_says(self, params: dict[str, Any], content: dict[str, Any]) -> dict[str, Any]:
        self._check_forum_call("send", params)
        thread_id = params.get("message_thread_id")
        if thread_id is not None:
            content = {**content, "message_thread_id": thread_id, "is_topic_message": True}
        return super()._bot_says(params, content)

    def _rights(self, chat_id: int, right: str, refusal: str) -> dict[str, Any]:
        forum = self.forums.get(chat_id)
        if forum is None:
            raise ApiError(400, "Bad Request: chat not found")
        if not forum["rights"].get(right):
            raise ApiError(400, f"Bad Request: not enough rights to {refusal}")
        return forum

    # -- Bot API methods ----------------------------------------------------------------------
    async def api_getChatMember(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id, user_id = params["chat_id"], int(params["user_id"])
        forum = self.forums.get(chat_id)
        if user_id == BOT_USER["id"] and forum is not None:
            return {"status": "administrator", "user": BOT_USER, "can_be_edited": False,
                    "is_anonymous": False, "can_manage_chat": True, "can_change_info": False,
                    "can_delete_messages": False, "can_manage_video_chats": False,
                    "can_restrict_members": False, "can_promote_members": False,
                    "can_invite_users": True, "can_post_stories": False,
                    "can_edit_stories": False, "can_delete_stories": False,
                    "can_pin_messages": False, "can_manage_topics": False, **forum["rights"]}
        user = self.users.get(user_id, {"id": user_id, "is_bot": False, "first_name": "?"})
        status = "administrator" if forum and user_id in forum["admins"] else "member"
        return {"status": status, "user": user} if status == "member" else {
            "status": status, "user": user, "can_be_edited": False, "is_anonymous": False,
            "can_manage_chat": True, "can_delete_messages": True, "can_manage_video_chats": True,
            "can_restrict_members": True, "can_promote_members": False, "can_change_info": True,
            "can_invite_users": True, "can_post_stories": False, "can_edit_stories": False,
            "can_delete_stories": False}

    async def api_getForumTopicIconStickers(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        return [{"file_id": f"CAACAgIAAxk-icon{n}", "file_unique_id": f"AgADicon{n}",
                 "type": "custom_emoji", "width": 512, "height": 512, "is_animated": False,
                 "is_video": False, "emoji": emoji, "custom_emoji_id": emoji_id}
                for n, (emoji, emoji_id) in enumerate(ICON_STICKERS)]

    async def api_createForumTopic(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = params["chat_id"]
        self._check_forum_call("createForumTopic", {"chat_id": chat_id})
        forum = self.forums.get(chat_id)
        if forum is not None and not forum["is_forum"]:
            raise ApiError(400, "Bad Request: the chat is not a forum")
        self._rights(chat_id, "can_manage_topics", "create a topic")
        if len(params["name"]) > 128:
            raise ApiError(400, "Bad Request: TOPIC_NAME_INVALID")
        thread_id = next(self._thread_ids)
        topic = Topic(chat_id, thread_id, params["name"], params.get("icon_color"),
                      params.get("icon_custom_emoji_id"))
        self.topics[(chat_id, thread_id)] = topic
        self._new_message(chat_id, BOT_USER, {
            "message_thread_id": thread_id, "is_topic_message": True,
            "forum_topic_created": {"name": topic.name, "icon_color": topic.icon_color or 0}})
        result = {"message_thread_id": thread_id, "name": topic.name,
                  "icon_color": topic.icon_color or 7322096}
        if topic.icon:
            result["icon_custom_emoji_id"] = topic.icon
        return result

    def _topic(self, params: dict[str, Any], right: str = "can_manage_topics") -> Topic:
        self._check_forum_call("topic", params)
        self._rights(params["chat_id"], right, "manage topics")
        return self.topics[(params["chat_id"], params["message_thread_id"])]

    async def api_editForumTopic(self, params: dict[str, Any]) -> bool:
        topic = self._topic(params)
        if "name" in params:
            topic.name = params["name"]
        if "icon_custom_emoji_id" in params:
            if topic.icon == params["icon_custom_emoji_id"] and "name" not in params:
                raise ApiError(400, "Bad Request: TOPIC_NOT_MODIFIED")
            topic.icon = params["icon_custom_emoji_id"]
        return True

    async def api_closeForumTopic(self, params: dict[str, Any]) -> bool:
        self._topic(params).closed = True
        return True

    async def api_reopenForumTopic(self, params: dict[str, Any]) -> bool:
        self._topic(params).closed = False
        return True

    async def api_deleteForumTopic(self, params: dict[str, Any]) -> bool:
        self._check_forum_call("topic", params)
        self._rights(params["chat_id"], "can_delete_messages", "delete a topic")
        topic = self.topics[(params["chat_id"], params["message_thread_id"])]
        topic.deleted = True
        for key, message in list(self.messages.items()):
            if key[0] == topic.chat_id and message.get("message_thread_id") == topic.thread_id:
                del self.messages[key]
        return True

    async def api_pinChatMessage(self, params: dict[str, Any]) -> bool:
        chat_id, message_id = params["chat_id"], params["message_id"]
        self._check_forum_call("pinChatMessage", {"chat_id": chat_id})
        self._rights(chat_id, "can_pin_messages", "manage pinned messages in the chat")
        message = self.messages.get((chat_id, message_id))
        if message is None:
            raise ApiError(400, "Bad Request: message to pin not found")
        topic = self.topics.get((chat_id, message.get("message_thread_id")))
        if topic is not None:
            topic.pinned.append(message_id)
        return True

    async def api_unpinChatMessage(self, params: dict[str, Any]) -> bool:
        return True
