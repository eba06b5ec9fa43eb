"""Nothing lost: restarts, a real kill -9, and Telegram's 429 and 5xx answers.

The person must continue where they were, even by pressing a button on a message sent before
the crash; no update may be processed twice and no message may be lost.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from backend import db_env, read_rows
from chat_driver import SHIPPED_FLOWS, Person, assert_presses_answered, settle, unthrottle
from fakebotapi import FakeBotAPI

from bot.i18n import gettext_for
from bot.tg.render import invalid_hint

_ = gettext_for("fr")
HELP = _("I guide you step by step through official procedures, in your language. When the "
         "steps are not enough, a volunteer can help you here.")


@pytest.fixture(autouse=True)
def _fast(monkeypatch: pytest.MonkeyPatch) -> None:
    unthrottle(monkeypatch)


async def at_choice(start_bot: Callable[..., Any], fake: FakeBotAPI) -> Person:
    """A French speaker at the ID card's "what do you want to do?" question."""
    me = Person(fake, await start_bot(), 42, "fr")
    await me.send("/start sn-id-card")
    seen = await me.send("30")
    assert "Que voulez-vous faire ?" in seen.texts[-1]
    return me


async def test_a_restart_mid_flow_continues_with_the_old_button(start_bot, fake_api) -> None:
    me = await at_choice(start_bot, fake_api)
    question = me.message_with("Renouveler ma carte")
    await me.runtime.stop()
    update = fake_api.user_message(42, "/help", lang="fr")  # written while the bot was down
    me.runtime = await start_bot()
    await settle(me.runtime, update)
    assert fake_api.texts_to(42)[-1].startswith(HELP)
    seen = await me.press(question, me.data_of(question, "Renouveler ma carte"))
    assert [a.params.get("text") for a in seen.answers] == [None]  # a normal press
    assert seen.of("editMessageText")[0].params["text"].endswith("→ <b>Renouveler ma carte</b>")
    assert "Renouvellement" in seen.texts[-1]
    await me.click("☐ Ancienne carte ou extrait de naissance")
    seen = await me.click(_("✅ Done"))
    assert seen.of("editMessageText")[0].params["text"].endswith(
        "→ <b>Ancienne carte ou extrait de naissance</b>")
    assert _("Your answers") in seen.text and "Renouveler ma carte" in seen.texts[-2]
    methods = {c.method for c in fake_api.calls if c.ok}
    assert methods >= {"getMe", "deleteWebhook", "getUpdates", "setMyCommands", "sendMessage",
                       "editMessageText", "editMessageReplyMarkup", "answerCallbackQuery"}
    assert_presses_answered(fake_api, me.presses)


def _read(db_path: Path, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    return read_rows(db_path, sql, params)


async def _settled_on_disk(db_path: Path, update_id: int, timeout: float = 8.0) -> None:
    """The other process processed ``update_id`` and delivered all it owed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = _read(db_path, "SELECT 1 FROM inbox WHERE update_id = ? AND status = 'done'",
                     (update_id,))
        pending = _read(db_path, "SELECT COUNT(*) FROM outbox WHERE status = 'pending'")
        if done and pending and pending[0][0] == 0:
            return
        await asyncio.sleep(0.02)
    raise TimeoutError(f"the bot process did not settle update {update_id}")


async def test_kill_9_mid_flow_then_the_person_continues(start_bot, fake_api, tmp_path) -> None:
    db_path = tmp_path / "data" / "bot.sqlite3"
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path),
           "BOT_TOKEN": fake_api.token, "TELEGRAM_API_URL": fake_api.base_url,
           "DATABASE_PATH": str(db_path), "FLOWS_DIR": str(SHIPPED_FLOWS), "LOG_LEVEL": "ERROR",
           # this checkout's code, not whatever `bot` the venv has installed (another clone)
           "PYTHONPATH": str(SHIPPED_FLOWS.parent), **db_env()}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", env=env, cwd=tmp_path,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    try:
        start = fake_api.user_message(42, "/start sn-id-card", lang="fr")
        await _settled_on_disk(db_path, start)
        answer = fake_api.user_message(42, "30", lang="fr")
        await _settled_on_disk(db_path, answer)
        assert "Que voulez-vous faire ?" in fake_api.texts_to(42)[-1]
        question = max(m for (chat, m) in fake_api.messages if chat == 42)
        help_ = fake_api.user_message(42, "/help", lang="fr")
        process.kill()  # SIGKILL, whatever it was doing with /help
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()
    assert process.returncode == -9

    me = Person(fake_api, await start_bot(), 42, "fr")
    await settle(me.runtime, help_)
    assert any(t.startswith(HELP) for t in fake_api.texts_to(42))
    assert me.message_with("Renouveler ma carte") == question  # sent by the killed process
    seen = await me.click("Renouveler ma carte")
    assert [a.params.get("text") for a in seen.answers] == [None]  # not stale: it continues
    assert "Renouvellement" in seen.texts[-1]
    assert invalid_hint(_, "choice") not in fake_api.texts_to(42)  # "30" processed once
    rows = await me.runtime.db.fetchall("SELECT update_id, status FROM inbox ORDER BY update_id")
    updates = [start, answer, help_, help_ + 1]
    assert [tuple(r) for r in rows] == [(u, "done") for u in updates]
    lost = await me.runtime.db.fetchone(
        "SELECT COUNT(*) AS n FROM outbox WHERE status IN ('pending', 'failed')")
    assert lost["n"] == 0


async def test_429_is_retried_after_retry_after_in_order(start_bot, fake_api) -> None:
    me = Person(fake_api, await start_bot(), 42, "fr")
    fake_api.fail_next("sendMessage", 429, retry_after=1, chat_id=42)
    seen = await me.send("/start sn-id-card")
    statuses = [(c.method, c.status) for c in seen.calls]
    assert statuses == [("sendMessage", 429), ("sendMessage", 200), ("sendMessage", 200)]
    assert seen.calls[0].params == seen.calls[1].params  # the same message, sent again
    assert seen.texts[0].startswith("Carte d'identité") and "Quel âge" in seen.texts[1]


async def test_5xx_on_edits_and_answers_are_retried(start_bot, fake_api) -> None:
    me = await at_choice(start_bot, fake_api)
    fake_api.fail_next("answerCallbackQuery", 502)
    fake_api.fail_next("editMessageText", 500, chat_id=42)
    seen = await me.click("Renouveler ma carte")
    failed = [(c.method, c.status) for c in seen.calls if not c.ok]
    assert sorted(failed) == [("answerCallbackQuery", 502), ("editMessageText", 500)]
    assert len(seen.answers) == 1 and seen.of("editMessageText")
    assert "Renouvellement" in seen.texts[-1]
    assert_presses_answered(fake_api, me.presses)


async def test_getupdates_failures_lose_no_update(start_bot, fake_api) -> None:
    me = Person(fake_api, await start_bot(), 42, "fr")
    await me.send("/help")
    fake_api.fail_next("getUpdates", 502)
    seen = await me.send("/start sn-id-card")
    assert "Quel âge a la personne" in seen.texts[-1]
    assert any(c.method == "getUpdates" and c.status == 502 for c in fake_api.calls)
    seen = await me.send("30")
    assert "Que voulez-vous faire ?" in seen.texts[-1]
