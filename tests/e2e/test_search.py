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


async def test_a_person_in_lebanon_is_offered_lebanon_s_procedures(chat) -> None:
    """ЦОН and паспорт are Kyrgyz keywords too; someone in Lebanon asking about a passport
    taken by an employer gets Lebanon's procedures, with buttons that start them."""
    me = await chat(user_id=PERSON + 1, lang="ar")
    await me.send("/start")
    await me.click("لبنان")
    seen = await me.send("my employer took my passport, ЦОН")
    labels = seen.buttons()
    assert labels[0] == "عاملات وعمّال المنازل المهاجرون: الوضع القانوني والمساعدة"
    assert not any("ID" in label or "паспорт" in label for label in labels)
    seen = await me.click(labels[0])  # the procedure starts: its first question
    assert seen.buttons() and seen.buttons() != labels


async def test_another_country_is_named_when_nothing_matches_at_home(chat) -> None:
    me = await chat(user_id=PERSON + 2, lang="fr")
    await me.send("/start")
    await me.click("Sénégal")
    seen = await me.send("低保")
    labels = seen.buttons()
    assert labels and labels[0].startswith("Chine: "), labels
    seen = await me.send("cmu")
    assert seen.buttons()[0] == "Soins de santé : CMU et carte d'égalité des chances"
