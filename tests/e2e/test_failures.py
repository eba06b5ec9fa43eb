"""Intake never wedges and a failed update is not met with silence.

An update that cannot be stored as it came (a lone UTF-16 surrogate in its text) is stored
with a replacement character, acknowledged and handled, while the others go on. An update
whose handler fails is logged with its id and the error's type (never the text), parked as
failed, and the person gets a short apology; their next message works.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
from chat_driver import settle, unthrottle
from fakebotapi import FakeBotAPI

from bot.i18n import gettext_for
from bot.tg.handlers import menu

SECRET = "my passport number is AB1234567"
_ = gettext_for("fr")


@pytest.fixture(autouse=True)
def _fast(monkeypatch: pytest.MonkeyPatch) -> None:
    unthrottle(monkeypatch)


async def test_a_lone_surrogate_is_stored_replaced_and_nobody_waits(
        start_bot: Callable[..., Any], fake_api: FakeBotAPI) -> None:
    runtime = await start_bot()
    broken = fake_api.user_message(42, "Bonjour \ud83d", "fr")  # half an emoji
    other = fake_api.user_message(43, "/help", "fr")
    await settle(runtime, other)
    await settle(runtime, broken)
    assert {broken, other} <= set(fake_api.confirmed)  # acknowledged: getUpdates moved on
    row = await runtime.db.fetchone("SELECT status, json_extract(payload, '$.message.text')"
                                    " AS text FROM inbox WHERE update_id = ?", (broken,))
    assert (row["status"], row["text"]) == ("done", "Bonjour \ufffd")
    assert fake_api.texts_to(42) and fake_api.texts_to(43)  # both people were answered


async def test_a_failed_update_is_logged_without_its_text_and_gets_an_apology(
        start_bot: Callable[..., Any], fake_api: FakeBotAPI,
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    async def broken_help(update: Any, context: Any) -> None:
        raise ValueError(f"cannot handle {update.effective_message.text} {SECRET}")

    monkeypatch.setattr(menu, "help_command", broken_help)
    runtime = await start_bot()
    caplog.set_level(logging.DEBUG)
    failing = fake_api.user_message(42, f"/help {SECRET}", "fr")
    await settle(runtime, failing)

    assert fake_api.texts_to(42) == [_("Sorry, something went wrong with your last message. "
                                       "Please send it again, or write /help.")]
    row = await runtime.db.fetchone("SELECT status FROM inbox WHERE update_id = ?", (failing,))
    assert row["status"] == "failed"
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("bot.")]
    assert any(f"update {failing} failed: builtins.ValueError" in line for line in lines)
    assert not any(SECRET in line or fake_api.token in line for line in lines)

    fine = fake_api.user_message(42, "/start", "fr")
    await settle(runtime, fine)
    assert len(fake_api.texts_to(42)) > 1  # the chat goes on


async def test_an_update_that_cannot_be_parsed_still_gets_an_apology(
        start_bot: Callable[..., Any], fake_api: FakeBotAPI) -> None:
    runtime = await start_bot()
    odd = fake_api.inject({"message": {"message_id": 1, "date": "soon", "text": SECRET,
                                       "chat": {"id": 42, "type": "private"}}})
    await settle(runtime, odd)
    row = await runtime.db.fetchone("SELECT status FROM inbox WHERE update_id = ?", (odd,))
    assert row["status"] == "failed"
    assert fake_api.texts_to(42) == [gettext_for("en")(
        "Sorry, something went wrong with your last message. Please send it again, or write "
        "/help.")]
