"""Update ids that restart (Telegram does so after a week without updates; a new bot on an old
database starts elsewhere): nothing is swallowed by a stored offset, one log line each time.

Real PTB bot, real SQLite, the loopback fake Bot API (which forgets every update below the
offset a getUpdates passes, as Telegram does).
"""

from __future__ import annotations

import logging

import pytest
from fakebotapi import FakeBotAPI
from telegram import Bot

from bot.storage import Database, inbox, kv
from bot.tg import polling_state
from bot.tg.intake import Intake


async def _texts(db: Database) -> list[str]:
    return [row.payload["message"]["text"] for row in await inbox.pending(db)]


async def test_ids_restarting_at_1_are_stored_not_swallowed(
        fake_api: FakeBotAPI, api_bot: Bot, db: Database,
        caplog: pytest.LogCaptureFixture) -> None:
    for text in ("one", "two", "three"):
        fake_api.user_message(1, text)
    intake = Intake(api_bot, db, timeout=0)
    assert len(await intake.poll_once()) == 3
    assert await intake.poll_once() == []  # confirms the three (offset 10004)
    fake_api.restart_update_ids(1)
    fake_api.user_message(1, "after a week")
    fake_api.user_message(1, "and more")
    with caplog.at_level(logging.WARNING, logger="bot.tg.intake"):
        new = await intake.poll_once()
        assert await intake.poll_once() == []
        fake_api.user_message(1, "later")
        assert len(await intake.poll_once()) == 1
    assert len(new) == 2 and min(new) > 10_003  # placed after the old rows, in order
    assert await _texts(db) == ["one", "two", "three", "after a week", "and more", "later"]
    assert sorted(fake_api.confirmed) == [1, 2, 10_001, 10_002, 10_003]
    backwards = [r for r in caplog.records if "went backwards" in r.getMessage()]
    assert len(backwards) == 1  # once, not per batch


async def test_a_restart_after_ids_restarted_keeps_the_new_sequence(
        fake_api: FakeBotAPI, api_bot: Bot, db: Database) -> None:
    fake_api.user_message(1, "old")
    intake = Intake(api_bot, db, timeout=0)
    await intake.poll_once()
    await intake.poll_once()  # confirmed; a week without updates
    fake_api.restart_update_ids(1)
    fake_api.user_message(1, "new")
    await intake.poll_once()
    # A new process (a restart) confirms the last batch and goes on in the new sequence.
    again = Intake(api_bot, db, timeout=0)
    fake_api.user_message(1, "newer")
    await again.poll_once()
    assert await _texts(db) == ["old", "new", "newer"]  # "new" came again: dropped
    await again.poll_once()
    assert fake_api.confirmed == [10_001, 1, 2]


async def test_ids_restarted_while_the_bot_was_stopped_are_not_swallowed(
        fake_api: FakeBotAPI, api_bot: Bot, db: Database) -> None:
    fake_api.user_message(1, "before")
    first = Intake(api_bot, db, timeout=0)
    await first.poll_once()
    await first.poll_once()  # confirmed; then the bot stops
    fake_api.restart_update_ids(1)
    fake_api.user_message(1, "while stopped")
    restarted = Intake(api_bot, db, timeout=0)  # no stored offset is sent blindly
    assert len(await restarted.poll_once()) == 1
    assert await _texts(db) == ["before", "while stopped"]
    assert fake_api.confirmed == [10_001]


async def test_no_offset_is_sent_that_confirms_what_the_inbox_does_not_hold(
        fake_api: FakeBotAPI, api_bot: Bot, db: Database) -> None:
    fake_api.user_message(1, "stored")
    first = Intake(api_bot, db, timeout=0)
    await first.poll_once()
    await first.poll_once()  # confirmed
    # The database says another bot polled it (a new token on an old database).
    state = await polling_state.load(db)
    async with db.transaction() as tx:
        await polling_state.save(tx, polling_state.PollingState(
            api_bot.id + 1, state.last + 500, 0, state.at))
    fake_api.user_message(1, "for the new bot")
    await Intake(api_bot, db, timeout=0).poll_once()
    offsets = [c.params.get("offset") for c in fake_api.calls if c.method == "getUpdates"]
    assert offsets == [None, 10_002, None]  # the other bot's offset is never sent
    assert await _texts(db) == ["stored", "for the new bot"]


async def test_a_stored_offset_of_the_old_format_is_used_once(
        fake_api: FakeBotAPI, api_bot: Bot, db: Database) -> None:
    first = fake_api.user_message(1, "before the upgrade")
    async with db.transaction() as tx:
        await inbox.add_many(tx, [{"update_id": first, "message": {"text": "x"}}])
        await kv.put(tx, polling_state.LEGACY_OFFSET_KEY, str(first + 1))
    assert await Intake(api_bot, db, timeout=0).poll_once() == []
    assert fake_api.confirmed == [first]


async def test_a_running_bot_answers_after_ids_restart_at_1(tmp_path, fake_api: FakeBotAPI,
                                                            ) -> None:
    """`python -m bot` as a process: Telegram restarts the ids while it runs, then while it
    is stopped; every update is answered, one log line each time."""
    import asyncio
    import signal

    from test_startup import read_until, start_bot

    env = {"BOT_TOKEN": FakeBotAPI.token, "TELEGRAM_API_URL": fake_api.base_url}
    bot = await start_bot(tmp_path, **env)
    output = "".join(await read_until(bot, "Passerelle is running"))
    fake_api.user_message(501, "/start")
    await fake_api.wait_for(lambda c: c.method == "sendMessage" and c.chat_id == 501, 15)
    fake_api.restart_update_ids(1)
    fake_api.user_message(502, "/start")
    await fake_api.wait_for(lambda c: c.method == "sendMessage" and c.chat_id == 502, 15)
    bot.send_signal(signal.SIGTERM)
    output += (await asyncio.wait_for(bot.communicate(), 15))[0].decode()
    fake_api.restart_update_ids(1)  # again, while the bot is stopped
    fake_api.user_message(503, "/start")
    bot = await start_bot(tmp_path, **env)
    output += "".join(await read_until(bot, "Passerelle is running"))
    await fake_api.wait_for(lambda c: c.method == "sendMessage" and c.chat_id == 503, 15)
    bot.send_signal(signal.SIGTERM)
    output += (await asyncio.wait_for(bot.communicate(), 15))[0].decode()
    assert output.count("went backwards") == 2, output
    assert "Traceback" not in output
