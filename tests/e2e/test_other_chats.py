"""Chats that are not a person's private chat: groups, channels, other bots, inline buttons.

The bot must never post into a channel (it leaves), answer in a group only a command
addressed to it (one pointer to the private chat, once a day), never answer a service
message or another bot, and answer a button press that has no message instead of failing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from chat_driver import settle, unthrottle
from fakebot_methods import BOT_USER
from fakebotapi import FakeBotAPI

from bot.app import Runtime
from bot.i18n import gettext_for

_ = gettext_for("fr")
GROUP, CHANNEL = -10042, -1009999
CHANNEL_CHAT = {"id": CHANNEL, "type": "channel", "title": "News"}


@pytest.fixture(autouse=True)
def _fast(monkeypatch: pytest.MonkeyPatch) -> None:
    unthrottle(monkeypatch)


@pytest.fixture
async def runtime(start_bot: Callable[..., Any]) -> Runtime:
    return await start_bot()


async def handled(runtime: Runtime, update_id: int) -> str:
    """Settle the update; return its inbox status (``done`` unless a handler failed)."""
    await settle(runtime, update_id)
    row = await runtime.db.fetchone("SELECT status FROM inbox WHERE update_id = ?", (update_id,))
    return row["status"]


def service_message(fake: FakeBotAPI, chat: dict[str, Any], **content: Any) -> int:
    return fake.inject({"message": {"message_id": 77, "date": int(time.time()), "chat": chat,
                                    "from": {"id": 42, "is_bot": False, "first_name": "Awa"},
                                    **content}})


async def test_in_a_group_only_a_command_for_this_bot_gets_one_pointer(
        runtime: Runtime, fake_api: FakeBotAPI) -> None:
    group = {"id": GROUP, "type": "supergroup", "title": "Entraide"}
    for text in ("bonjour", "/start@other_bot", "/forget@other_bot"):
        assert await handled(runtime, fake_api.user_message(42, text, "fr", chat_id=GROUP))
    joined = service_message(fake_api, group, new_chat_members=[
        {"id": 43, "is_bot": False, "first_name": "Binta"}])
    assert await handled(runtime, joined) == "done"
    assert fake_api.calls_to(GROUP) == []  # chatter, other bots' commands, service messages

    await handled(runtime, fake_api.user_message(42, "/start@passerelle_test_bot", "fr",
                                                 chat_id=GROUP))
    [pointer] = fake_api.calls_to(GROUP)
    text = pointer.params["text"]
    assert text.startswith(_("Please write to me in a private chat, not in a group:"))
    assert "\n" not in text and "https://t.me/passerelle_test_bot?start=group" in text
    [[url_button]] = pointer.params["reply_markup"]["inline_keyboard"]
    assert url_button["url"] == "https://t.me/passerelle_test_bot?start=group"

    for text in ("/help", "/start@passerelle_test_bot"):  # once a day per group, not more
        await handled(runtime, fake_api.user_message(43, text, "fr", chat_id=GROUP))
    assert len(fake_api.calls_to(GROUP)) == 1
    people = await runtime.db.fetchone("SELECT COUNT(*) AS n FROM users")
    sessions = await runtime.db.fetchone("SELECT COUNT(*) AS n FROM sessions")
    assert people["n"] == sessions["n"] == 0  # nothing personal is kept from a group


async def test_the_bot_leaves_a_channel_and_never_posts_there(
        runtime: Runtime, fake_api: FakeBotAPI) -> None:
    added = fake_api.inject({"my_chat_member": {
        "chat": CHANNEL_CHAT, "from": {"id": 42, "is_bot": False, "first_name": "Awa"},
        "date": int(time.time()),
        "old_chat_member": {"user": BOT_USER, "status": "left"},
        "new_chat_member": {"user": BOT_USER, "status": "administrator", "can_be_edited": False,
                            "is_anonymous": False, "can_manage_chat": True,
                            "can_delete_messages": True, "can_manage_video_chats": False,
                            "can_restrict_members": False, "can_promote_members": False,
                            "can_change_info": False, "can_invite_users": False,
                            "can_post_stories": False, "can_edit_stories": False,
                            "can_delete_stories": False}}})
    assert await handled(runtime, added) == "done"
    post = fake_api.inject({"channel_post": {"message_id": 5, "date": int(time.time()),
                                             "chat": CHANNEL_CHAT, "text": "/start"}})
    assert await handled(runtime, post) == "done"
    assert fake_api.left == [CHANNEL, CHANNEL]
    assert [c.method for c in fake_api.calls_to(CHANNEL)] == ["leaveChat", "leaveChat"]


async def test_messages_from_bots_and_service_messages_get_no_answer(
        runtime: Runtime, fake_api: FakeBotAPI) -> None:
    fake_api.users[555] = {"id": 555, "is_bot": True, "first_name": "EchoBot"}
    assert await handled(runtime, fake_api.user_message(555, "/start")) == "done"
    assert fake_api.calls_to(555) == []
    private = {"id": 42, "type": "private", "first_name": "Awa"}
    pinned = service_message(fake_api, private, pinned_message={
        "message_id": 3, "date": int(time.time()), "chat": private})
    assert await handled(runtime, pinned) == "done"
    assert fake_api.calls_to(42) == []
    assert await handled(runtime, fake_api.user_message(42, "/help", "fr")) == "done"
    assert fake_api.calls_to(42)  # a person in their private chat is answered as always


async def test_a_button_press_without_a_message_is_answered(
        runtime: Runtime, fake_api: FakeBotAPI) -> None:
    fake_api._open_queries.add("inline-1")
    update = fake_api.inject({"callback_query": {
        "id": "inline-1", "from": {"id": 42, "is_bot": False, "first_name": "Awa"},
        "inline_message_id": "AAEAAAE", "chat_instance": "ci", "data": "n:menu"}})
    assert await handled(runtime, update) == "done"
    [answer] = [c for c in fake_api.calls if c.method == "answerCallbackQuery"]
    assert answer.ok and answer.params["callback_query_id"] == "inline-1"
