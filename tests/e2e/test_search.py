"""Typing instead of choosing: the bot offers the procedures that match the person's words."""

from __future__ import annotations

import asyncio

from fakebotapi import FakeBotAPI

PERSON = 31


async def offered(fake: FakeBotAPI, text: str, lang: str) -> list[str]:
    before = len(fake.calls)
    fake.user_message(PERSON, text, lang=lang)
    for _ in range(100):
        for call in fake.calls[before:]:
            markup = call.params.get("reply_markup") or {}
            if call.method == "sendMessage" and call.chat_id == PERSON and markup.get(
                    "inline_keyboard"):
                return [b["callback_data"] for row in markup["inline_keyboard"] for b in row]
        await asyncio.sleep(0.05)
    raise AssertionError("no keyboard offered")


async def test_words_and_unspaced_keywords_find_procedures(fake_api: FakeBotAPI,
                                                           start_bot) -> None:
    await start_bot()
    assert await offered(fake_api, "/start", lang="zh-hans")  # the country picker
    # A sentence without spaces still finds the birth registration through its keyword.
    found = await offered(fake_api, "我想给孩子办出生登记", lang="zh-hans")
    assert "s:cn-birth" in found
    found = await offered(fake_api, "disability certificate", lang="zh-hans")
    assert "s:cn-disability" in found
