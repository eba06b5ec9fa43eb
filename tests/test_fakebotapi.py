"""The fake Bot API behaves like Telegram where the bot depends on it, and polices limits."""

from __future__ import annotations

import asyncio

import pytest
from fakebot_limits import Spec, html_problems, visible_text
from fakebotapi import FakeBotAPI
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from bot.tg import uploads
from bot.tg.sender import call_api, retry_after_seconds


async def test_get_me_and_send_message_over_http(fake_api: FakeBotAPI, api_bot: Bot) -> None:
    assert api_bot.username == "passerelle_test_bot"
    message = await api_bot.send_message(42, "<b>Hello</b> &amp; welcome", parse_mode="HTML")
    assert message.text == "Hello & welcome"
    assert message.chat.id == 42 and message.message_id == 1
    assert [c.method for c in fake_api.calls] == ["getMe", "sendMessage"]
    assert fake_api.texts_to(42) == ["<b>Hello</b> &amp; welcome"]


async def test_updates_are_served_until_confirmed(fake_api: FakeBotAPI, api_bot: Bot) -> None:
    first = fake_api.user_message(7, "/start hello", lang="fr")
    second = fake_api.press(7, 99, "menu:1")
    assert second > first
    updates = await call_api(api_bot, "getUpdates", {"timeout": 0})
    assert [u["update_id"] for u in updates] == [first, second]
    message = updates[0]["message"]
    assert message["from"]["language_code"] == "fr"
    assert message["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert updates[1]["callback_query"]["data"] == "menu:1"
    assert fake_api.confirmed == []
    again = await call_api(api_bot, "getUpdates", {"timeout": 0, "offset": second})
    assert [u["update_id"] for u in again] == [second]
    assert fake_api.confirmed == [first]


async def test_long_poll_returns_when_an_update_arrives(fake_api: FakeBotAPI, api_bot: Bot):
    poll = asyncio.create_task(call_api(api_bot, "getUpdates", {"timeout": 5}, read_timeout=9))
    await asyncio.sleep(0.05)
    update_id = fake_api.sticker(3)
    updates = await asyncio.wait_for(poll, 2)
    assert updates[0]["update_id"] == update_id
    assert updates[0]["message"]["sticker"]["emoji"] == "🙂"


async def test_edits_fail_like_telegram(fake_api: FakeBotAPI, api_bot: Bot) -> None:
    sent = await api_bot.send_message(5, "one")
    await api_bot.edit_message_text("two", chat_id=5, message_id=sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await api_bot.edit_message_text("two", chat_id=5, message_id=sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await api_bot.edit_message_text("x", chat_id=5, message_id=404)
    fake_api.user_message(5, "mine")
    with pytest.raises(BadRequest, match="can't be edited"):
        await api_bot.edit_message_text("x", chat_id=5, message_id=sent.message_id + 1)


async def test_click_presses_the_button_by_its_text(fake_api: FakeBotAPI, api_bot: Bot):
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="y")]])
    sent = await api_bot.send_message(8, "Sure?", reply_markup=keyboard)
    update_id = fake_api.click(8, "Yes")
    [update] = await call_api(api_bot, "getUpdates", {"timeout": 0})
    query = update["callback_query"]
    assert update["update_id"] == update_id
    assert (query["data"], query["message"]["message_id"]) == ("y", sent.message_id)
    assert await api_bot.answer_callback_query(query["id"], text="ok")
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await api_bot.answer_callback_query(query["id"])
    with pytest.raises(LookupError):
        fake_api.click(8, "No")


async def test_fail_next_injects_errors(fake_api: FakeBotAPI, api_bot: Bot) -> None:
    fake_api.fail_next("sendMessage", status=429, retry_after=3)
    with pytest.raises(RetryAfter) as caught:
        await api_bot.send_message(1, "a")
    assert retry_after_seconds(caught.value) == 3
    fake_api.fail_next("sendMessage", status=500, times=2)
    for _ in range(2):
        with pytest.raises(NetworkError):
            await api_bot.send_message(1, "b")
    fake_api.fail_next("sendMessage", status=403, chat_id=2)
    await api_bot.send_message(1, "other chats still work")
    with pytest.raises(Forbidden, match="blocked by the user"):
        await api_bot.send_message(2, "c")
    fake_api.block(3)
    with pytest.raises(Forbidden):
        await api_bot.send_message(3, "d")
    assert [c.status for c in fake_api.calls if c.method == "sendMessage"] == [
        429, 500, 500, 200, 403, 403,
    ]


async def test_limit_violations_are_recorded(fake_api: FakeBotAPI, api_bot: Bot) -> None:
    if fake_api.spec is None:
        pytest.skip("unknown and missing parameters are checked against shared/'s api.json")
    with pytest.raises(BadRequest):
        await api_bot.send_message(1, "x" * 4097)
    with pytest.raises(BadRequest):
        await api_bot.send_message(1, "a <b>bold", parse_mode="HTML")
    long_data = InlineKeyboardMarkup([[InlineKeyboardButton("k", callback_data="d" * 65)]])
    with pytest.raises(BadRequest):
        await api_bot.send_message(1, "keys", reply_markup=long_data)
    await call_api(api_bot, "sendMessage", {"chat_id": 1, "text": "hi", "colour": "red"})
    with pytest.raises(BadRequest):
        await call_api(api_bot, "sendMessage", {"chat_id": 1})
    fake_api.user_message(1, "x")  # a real query id to answer
    found = fake_api.take_violations()
    assert len(found) == 5, found
    assert "unknown parameter colour" in found[3]
    assert "missing required parameter text" in found[4]


async def test_text_limit_counts_visible_html() -> None:
    text = "<b>" + "x" * 4096 + "</b>"
    assert len(visible_text(text, "HTML")) == 4096
    assert html_problems("1 &lt; 2 &amp; <a href='u'>link</a>") == []
    assert html_problems("1 < 2") == ["unescaped '<' at 2"]
    assert html_problems("<b><i>x</b></i>")[0] == "</b> does not close the open tag"
    assert html_problems("<div>x</div>")[0] == "unsupported tag <div>"
    assert html_problems("fish & chips") == ["unescaped '&' at 5"]


async def test_without_spec_only_limits_are_checked() -> None:
    fake = FakeBotAPI(use_spec=False)
    await fake.start()
    try:
        async with Bot(fake.token, base_url=fake.base_url) as bot:
            await call_api(bot, "sendMessage", {"chat_id": 1, "text": "hi", "colour": "red"})
            with pytest.raises(BadRequest):
                await bot.send_message(1, "")
    finally:
        await fake.stop()
    assert fake.violations == ["sendMessage: text is 0 characters (allowed 1-4096)"]


def test_spec_is_read_from_the_shared_reference() -> None:
    spec = Spec.load()
    if spec is None:
        pytest.skip("shared/reference/telegram-bot-api/api.json is not beside the repository")
    assert spec.methods["sendMessage"]["text"] == (["String"], True)


async def test_network_is_off_limits() -> None:
    with pytest.raises(OSError, match=r"network|resolve"):
        await asyncio.open_connection("192.0.2.1", 443)
    with pytest.raises(OSError, match="resolve"):
        await asyncio.open_connection("api.telegram.org", 443)


async def test_documents_go_up_from_the_outbox_and_come_down_through_get_file(
        fake_api: FakeBotAPI) -> None:
    bot = Bot(fake_api.token, base_url=fake_api.base_url,
              base_file_url=fake_api.base_url.replace("/bot", "/file/bot"))
    async with bot:
        params = {"chat_id": 5, "caption": "the flow",
                  "document": uploads.text_file("kz.yaml", "id: kz-birth # é\n")}
        sent = await call_api(bot, "sendDocument", params)  # as the sender replays a row
        assert sent["document"]["file_name"] == "kz.yaml"
        assert fake_api.sent_documents(5) == [("kz.yaml", "id: kz-birth # é\n".encode())]

        update_id = fake_api.document(6, "mine.yaml", b"id: x\n", caption="#3")
        update = (await call_api(bot, "getUpdates", {"timeout": 0}))[0]
        assert update["update_id"] == update_id and update["message"]["caption"] == "#3"
        file = await bot.get_file(update["message"]["document"]["file_id"])
        assert bytes(await file.download_as_bytearray()) == b"id: x\n"
        with pytest.raises(BadRequest, match=r"(?i)invalid file_id"):
            await bot.get_file("no-such-file")
