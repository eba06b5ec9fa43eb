"""Nothing lost on the way in: inbox and outbox tables, polling, webhook, dispatcher."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from fakebotapi import FakeBotAPI
from telegram import Bot, Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, TypeHandler
from telegram.ext import filters as tg_filters

from bot.storage import Database, inbox, outbox
from bot.tg import polling_state
from bot.tg.dispatcher import Dispatcher
from bot.tg.intake import Intake
from bot.tg.sender import Sender
from bot.tg.turn import current_turn
from bot.tg.webhook import SECRET_HEADER, WebhookServer


async def eventually(check: Callable[[], Any], timeout: float = 3) -> None:
    """Wait until ``check()`` (sync or async) is truthy, for background loops."""
    async with asyncio.timeout(timeout):
        while True:
            result = check()
            if isinstance(result, Awaitable):
                result = await result
            if result:
                return
            await asyncio.sleep(0.01)


def message(update_id: int, chat_id: int, text: str) -> dict[str, Any]:
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": 0, "text": text,
        "chat": {"id": chat_id, "type": "private", "first_name": "A"},
        "from": {"id": chat_id, "is_bot": False, "first_name": "A"}}}


# -- inbox and outbox tables ----------------------------------------------------------------------
async def test_inbox_drops_duplicates_and_keeps_order(db: Database) -> None:
    async with db.transaction() as tx:
        assert await inbox.add_many(tx, [message(3, 1, "c"), message(2, 1, "b")]) == [3, 2]
        assert await inbox.add_many(tx, [message(2, 1, "again"), message(4, 2, "d")]) == [4]
    rows = await inbox.pending(db)
    assert [(r.update_id, r.chat_id) for r in rows] == [(2, 1), (3, 1), (4, 2)]
    assert rows[0].payload["message"]["text"] == "b"  # the first copy wins
    async with db.transaction() as tx:
        await inbox.mark_done(tx, 2)
        await inbox.mark_failed(tx, 3, "ValueError at x.py:1")
    assert [r.update_id for r in await inbox.pending(db)] == [4]
    assert (await inbox.get(db, 3)).status == "failed"


def test_chat_of_an_update() -> None:
    assert inbox.chat_id_of(message(1, 42, "hi")) == 42
    query = {"update_id": 1, "callback_query": {"id": "q", "message": {"chat": {"id": 7}}}}
    assert inbox.chat_id_of(query) == 7
    member = {"update_id": 1, "my_chat_member": {"chat": {"id": -100}, "from": {"id": 3}}}
    assert inbox.chat_id_of(member) == -100
    assert inbox.chat_id_of({"update_id": 1, "poll_answer": {"poll_id": "p"}}) is None


async def test_inbox_erase_chat_blanks_content_but_keeps_later_messages(db: Database) -> None:
    async with db.transaction() as tx:
        await inbox.add_many(tx, [message(1, 5, "secret"), message(2, 5, "/forget"),
                                  message(3, 5, "after"), message(4, 6, "other")])
        await inbox.mark_done(tx, 1)
        assert await inbox.erase_chat(tx, 5, up_to=2) == 2
    assert (await inbox.get(db, 1)).payload == {"update_id": 1}
    assert (await inbox.get(db, 2)).payload == {"update_id": 2}
    assert (await inbox.get(db, 3)).payload["message"]["text"] == "after"
    assert (await inbox.get(db, 4)).payload["message"]["text"] == "other"


async def test_outbox_heads_keep_each_chat_in_order(db: Database) -> None:
    async with db.transaction() as tx:
        first = await outbox.enqueue(tx, 1, "sendMessage", {"chat_id": 1, "text": "a"})
        await outbox.enqueue(tx, 1, "sendMessage", {"chat_id": 1, "text": "b"})
        other = await outbox.enqueue(tx, 2, "sendMessage", {"chat_id": 2, "text": "c"},
                                     ref="case:1:notify:2", due_at=123.0)
        loose = await outbox.enqueue(tx, None, "setMyCommands", {"commands": []})
    assert [r.id for r in await outbox.heads(db)] == [first, other, loose]
    async with db.transaction() as tx:
        await outbox.mark_sent(tx, first, {"message_id": 9})
    heads = await outbox.heads(db)
    assert [r.params.get("text") for r in heads] == ["b", "c", None]
    assert (await outbox.get(db, first)).message_id == 9
    found = await outbox.find_by_ref(db, "case:1:notify:2")
    assert (found.id, found.due_at, found.status) == (other, 123.0, "pending")


async def test_blocked_chat_drops_pending_and_new_rows(db: Database) -> None:
    async with db.transaction() as tx:
        await outbox.enqueue(tx, 1, "sendMessage", {"chat_id": 1, "text": "a"})
        assert await outbox.block_chat(tx, 1) == 1
        late = await outbox.enqueue(tx, 1, "sendMessage", {"chat_id": 1, "text": "b"})
    assert await outbox.is_blocked(db, 1)
    assert (await outbox.get(db, late)).status == "dropped"
    assert await outbox.heads(db) == []
    async with db.transaction() as tx:
        await outbox.unblock_chat(tx, 1)
        again = await outbox.enqueue(tx, 1, "sendMessage", {"chat_id": 1, "text": "c"})
    assert [r.id for r in await outbox.heads(db)] == [again]


async def test_outbox_erase_chat_blanks_what_was_delivered(db: Database) -> None:
    async with db.transaction() as tx:
        sent = await outbox.enqueue(tx, 1, "sendMessage", {"chat_id": 1, "text": "private"})
        await outbox.mark_sent(tx, sent, {"message_id": 1})
        queued = await outbox.enqueue(tx, 1, "sendMessage", {"chat_id": 1, "text": "bye"})
        assert await outbox.erase_chat(tx, 1) == 1
    assert (await outbox.get(db, sent)).params == {}
    assert (await outbox.get(db, queued)).params["text"] == "bye"


# -- polling ------------------------------------------------------------------------------------
async def test_intake_stores_before_acknowledging(fake_api: FakeBotAPI, api_bot: Bot, db):
    update_id = fake_api.user_message(1, "hello")
    assert await Intake(api_bot, db, timeout=0).poll_once() == [update_id]
    # Stored, and Telegram not told yet: a crash right now loses nothing.
    assert (await inbox.get(db, update_id)).status == "pending"
    assert fake_api.confirmed == []
    state = await polling_state.load(db)
    assert (state.bot_id, state.last, state.base) == (api_bot.id, update_id, 0)
    # A new intake (after a restart) gets the batch again (never confirmed), drops it as a
    # duplicate, then confirms it.
    again = Intake(api_bot, db, timeout=0)
    assert await again.poll_once() == []
    assert await again.poll_once() == []
    assert fake_api.confirmed == [update_id]
    assert len(await inbox.pending(db)) == 1


async def test_intake_loop_polls_retries_and_stops(fake_api: FakeBotAPI, api_bot: Bot, db):
    fake_api.fail_next("getUpdates", status=500)
    fake_api.fail_next("getUpdates", status=429, retry_after=0.01)
    intake = Intake(api_bot, db, timeout=5, backoff_base=0.01)
    await intake.start()
    update_id = fake_api.user_message(2, "hi")
    await eventually(lambda: inbox.get(db, update_id))
    assert fake_api.calls[1].method == "deleteWebhook"
    await asyncio.wait_for(intake.stop(), 2)  # even while a long poll is open
    statuses = [c.status for c in fake_api.calls if c.method == "getUpdates"]
    assert statuses[:2] == [429, 500] or statuses[:2] == [500, 429]


# -- webhook ------------------------------------------------------------------------------------
@pytest.fixture
async def webhook(fake_api: FakeBotAPI, api_bot: Bot, db: Database) -> AsyncIterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/telegram"
    server = WebhookServer(api_bot, db, url=url, secret_token="s3cr3t-token",
                           host="127.0.0.1", port=port)
    await server.start()
    try:
        yield url
    finally:
        await server.stop()


async def test_webhook_stores_before_answering(fake_api: FakeBotAPI, db, webhook, monkeypatch):
    assert fake_api.webhook["secret_token"] == "s3cr3t-token"
    assert fake_api.webhook["url"] == webhook
    failures = iter([True])

    async def flaky_add_many(tx: Any, updates: list[dict[str, Any]]) -> list[int]:
        if next(failures, False):
            raise OSError("disk full")
        return await real_add_many(tx, updates)

    real_add_many = inbox.add_many
    monkeypatch.setattr(inbox, "add_many", flaky_add_many)
    update_id = fake_api.user_message(3, "via webhook")
    await eventually(lambda: update_id in fake_api.confirmed)
    assert (await inbox.get(db, update_id)).payload["message"]["text"] == "via webhook"


async def test_webhook_refuses_wrong_secret_and_junk(db: Database, webhook: str) -> None:
    body = message(77, 1, "forged")
    async with aiohttp.ClientSession() as session:
        async with session.post(webhook, json=body) as response:
            assert response.status == 403
        headers = {SECRET_HEADER: "wrong"}
        async with session.post(webhook, json=body, headers=headers) as response:
            assert response.status == 403
        headers = {SECRET_HEADER: "s3cr3t-token"}
        async with session.post(webhook, data=b"{not json", headers=headers) as response:
            assert response.status == 400
        for _ in range(2):  # Telegram may deliver twice: stored once
            async with session.post(webhook, json=body, headers=headers) as response:
                assert response.status == 200
    assert [r.update_id for r in await inbox.pending(db)] == [77]


# -- dispatcher ---------------------------------------------------------------------------------
@pytest.fixture
async def echo_app(fake_api: FakeBotAPI) -> AsyncIterator[tuple[Application, list[Any]]]:
    """A tiny PTB application whose handler answers through the turn, as real handlers do."""
    seen: list[Any] = []

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        text = update.effective_message.text
        seen.append((update.effective_chat.id, text))
        current_turn().send("sendMessage", {"text": f"echo {text}"})
        if text == "boom":
            raise ValueError("boom: the person's words must not reach the log")

    async def other(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.poll_answer:
            seen.append(("poll", update.poll_answer.poll_id))

    app = ApplicationBuilder().token(fake_api.token).base_url(fake_api.base_url).updater(None)
    application = app.build()
    application.add_handler(MessageHandler(tg_filters.TEXT, echo, block=True))
    application.add_handler(TypeHandler(Update, other, block=True), group=1)
    async with application:
        yield application, seen


async def store(db: Database, *updates: dict[str, Any]) -> None:
    async with db.transaction() as tx:
        await inbox.add_many(tx, list(updates))


async def outbox_texts(db: Database, chat_id: int) -> list[str]:
    rows = await db.fetchall("SELECT params FROM outbox WHERE chat_id = ? ORDER BY id", (chat_id,))
    return [json.loads(r["params"])["text"] for r in rows]


async def test_dispatcher_keeps_chat_order_and_interleaves_chats(db: Database, echo_app):
    application, seen = echo_app
    await store(db, *(message(i, 1, f"a{i}") for i in range(1, 6)), message(6, 2, "b"))
    await Dispatcher(application, db).process_pending()
    chat_a = [text for chat, text in seen if chat == 1]
    assert chat_a == ["a1", "a2", "a3", "a4", "a5"]
    assert seen.index((2, "b")) < seen.index((1, "a5"))  # chat 2 did not wait for chat 1
    assert await outbox_texts(db, 1) == [f"echo a{i}" for i in range(1, 6)]
    assert await inbox.pending(db) == []


async def test_failing_handler_rolls_back_and_does_not_block_the_chat(db, echo_app, caplog):
    application, seen = echo_app
    await store(db, message(1, 1, "one"), message(2, 1, "boom"), message(3, 1, "two"))
    with caplog.at_level(logging.INFO):
        await Dispatcher(application, db).process_pending()
    assert [text for _, text in seen] == ["one", "boom", "two"]
    assert await outbox_texts(db, 1) == ["echo one", "echo two"]  # boom's reply rolled back
    failed = await inbox.get(db, 2)
    assert failed.status == "failed"
    assert "ValueError" in (await db.fetchone("SELECT error FROM inbox WHERE update_id = 2"))[0]
    assert "update 2 failed: builtins.ValueError" in caplog.text
    assert "person's words" not in caplog.text


async def test_failure_hook_can_apologise(db: Database, echo_app) -> None:
    application, _ = echo_app

    async def sorry(update: Update | None, error: BaseException) -> None:
        current_turn().send("sendMessage", {"text": "Sorry, something went wrong."})

    await store(db, message(1, 4, "boom"))
    await Dispatcher(application, db, on_failed=sorry).process_pending()
    assert await outbox_texts(db, 4) == ["Sorry, something went wrong."]
    assert (await inbox.get(db, 1)).status == "failed"


async def test_updates_without_chat_are_processed(db: Database, echo_app) -> None:
    application, seen = echo_app
    answer = {"update_id": 9, "poll_answer": {
              "poll_id": "p1", "option_ids": [0], "option_persistent_ids": ["o1"],
              "user": {"id": 3, "is_bot": False, "first_name": "C"}}}
    await store(db, answer)
    await Dispatcher(application, db).process_pending()
    assert seen == [("poll", "p1")]
    assert (await inbox.get(db, 9)).status == "done"


async def test_pending_rows_resume_after_a_restart(tmp_path: Path, echo_app) -> None:
    application, seen = echo_app
    path = tmp_path / "db.sqlite3"
    db = await Database.open(path)
    await store(db, message(1, 1, "stored before the crash"), message(2, 2, "me too"))
    await db.close()  # the process dies before processing them

    db = await Database.open(path)
    dispatcher = Dispatcher(application, db)
    await dispatcher.start()
    try:
        await eventually(lambda: len(seen) == 2)
        await eventually(lambda: _none(db))
    finally:
        await dispatcher.stop()
        await db.close()
    assert sorted(seen) == [(1, "stored before the crash"), (2, "me too")]


async def _none(db: Database) -> bool:
    return await inbox.pending(db) == []


async def test_end_to_end_polling_to_delivery(fake_api: FakeBotAPI, api_bot, db, echo_app):
    application, _ = echo_app
    intake, dispatcher = Intake(api_bot, db, timeout=5), Dispatcher(application, db)
    sender = Sender(api_bot, db)
    for part in (sender, dispatcher, intake):
        await part.start()
    try:
        fake_api.user_message(10, "hi there")
        fake_api.user_message(11, "hello")
        await fake_api.wait_for(lambda c: c.params.get("text") == "echo hi there")
        await fake_api.wait_for(lambda c: c.params.get("text") == "echo hello")
    finally:
        for part in (intake, dispatcher, sender):
            await part.stop()
    assert fake_api.texts_to(10) == ["echo hi there"]
    row = await db.fetchone("SELECT status, result FROM outbox WHERE chat_id = 10")
    assert row["status"] == "sent" and '"message_id": 2' in row["result"]


async def test_webhook_server_answers_healthz_without_the_secret(db: Database,
                                                                 webhook: str) -> None:
    health_url = webhook.replace("/telegram", "/healthz")
    async with aiohttp.ClientSession() as session, session.get(health_url) as response:
        assert response.status == 200
        body = await response.json()
    assert body["status"] == "ok" and body["inbox_pending"] == 0
