"""Telegram's command menus: per language for people, per chat for volunteers and admins."""

from __future__ import annotations

import asyncio

from fakebotapi import FakeBotAPI

from bot.i18n import gettext_for
from bot.storage import volunteers

ADMIN_ID = 900  # tests/e2e/conftest.py gives this admin id to every runtime

VOLUNTEER = 801


async def menus(fake: FakeBotAPI, count: int, chats: tuple[int, ...] = ()) -> list[dict]:
    """Wait for `count` menus, those of `chats` among them (menus the previous run left in
    the outbox may arrive first on a loaded machine)."""
    for _ in range(200):
        calls = [c.params for c in fake.calls if c.method == "setMyCommands" and c.ok]
        scoped = {c["scope"].get("chat_id") for c in calls}
        if len(calls) >= count and set(chats) <= scoped:
            return calls
        await asyncio.sleep(0.05)
    raise AssertionError(f"only {len(calls)} setMyCommands calls")


async def test_menus_per_language_and_scope(fake_api: FakeBotAPI, start_bot) -> None:
    runtime = await start_bot()
    async with runtime.db.transaction() as tx:
        await volunteers.upsert(tx, VOLUNTEER, ("KZ",), ("ru",))
    await runtime.stop()
    fake_api.calls.clear()
    await start_bot()  # the roster changed: the menus are sent again, volunteers included
    calls = await menus(fake_api, 17, chats=(VOLUNTEER, ADMIN_ID))
    people = {c.get("language_code"): c for c in calls if c["scope"]["type"] == "all_private_chats"}
    assert set(people) == {None, "en", "fr", "ru", "ar", "zh", "kk", "ky", "wo",
                           "am", "bn", "ne", "si", "tl", "uz", "ff", "tg"}  # Filipino's is tl
    # Telegram names no script: "uz" gets the Latin menu (Uzbekistan's standard), once.
    assert people["uz"]["commands"][0]["description"] == gettext_for("uz")(
        "Start or choose a procedure")
    assert [c["command"] for c in people["ru"]["commands"]][:3] == ["start", "menu", "back"]
    assert people["ru"]["commands"][0]["description"] != people["en"]["commands"][0]["description"]
    chats = {c["scope"]["chat_id"]: [x["command"] for x in c["commands"]]
             for c in calls if c["scope"]["type"] == "chat"}
    assert "cases" in chats[VOLUNTEER] and "reload" not in chats[VOLUNTEER]
    assert {"cases", "reload", "invite"} <= set(chats[ADMIN_ID])
    for _ in range(200):  # the bot's description: the privacy notice, per language
        if {"", "ru", "zh"} <= set(fake_api.descriptions):
            break
        await asyncio.sleep(0.05)
    assert "/forget" in fake_api.descriptions["ru"] and "/forget" in fake_api.descriptions[""]


def test_one_menu_per_telegram_code() -> None:
    """Telegram keeps only the last menu set for a code: uz and uz_Cyrl must not both send."""
    from bot.config import Settings
    from bot.tg.commands import menu_calls
    codes = [c.get("language_code") for c in menu_calls(Settings(bot_token="1:x"), ())]
    assert len(codes) == len(set(codes)) and codes.count("uz") == 1


async def test_unchanged_menus_are_not_sent_again(fake_api: FakeBotAPI, start_bot) -> None:
    runtime = await start_bot()
    await menus(fake_api, 16)
    await runtime.stop()
    fake_api.calls.clear()
    await start_bot()
    await asyncio.sleep(0.3)
    assert not [c for c in fake_api.calls if c.method == "setMyCommands"]
